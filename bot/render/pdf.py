"""The report for the city council as an A4 PDF, laid out with reportlab's platypus.

Why reportlab: it installs from wheels with a plain ``pip install`` (no system libraries,
no browser, no TeX), and its platypus flowables do the page breaking a long report needs:
tables that split across pages with their heading row repeated, rows taller than the room
left split inside, and headings kept with what follows them. Fonts are embedded as
TrueType subsets, so the text stays searchable and can be copied.

The report: a title page with the overview per field of action and the charts the caller
drew, then per field of action, goal and measure a table of every horizon target and
responsible office, and at the end the open requests for support and the offices without
a contact person. Rows and counts come from :mod:`bot.render.export`; this module only
lays them out. :func:`build_pdf` is pure: data in, bytes out.

Table cells are plain strings broken into lines here (:func:`wrapped`), not Paragraphs:
they need no markup, and a plan of thousands of measures has tens of thousands of cells,
for which Paragraphs (parsed, wrapped and drawn fragment by fragment) took most of the time.
"""

from __future__ import annotations

import io
import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from bot.render import texts
from bot.render.chart import DARK, SEGMENTS, segment_label
from bot.render.evidence import evidence_lines
from bot.render.export import FieldSummary, Part, field_parts, field_summary, total_summary
from bot.render.export_values import Cell, clean, field_label
from bot.render.formatting import day
from bot.render.workbook import overview_row, report_round, support_row
from storage.evidence import EvidenceItem
from storage.models import Status
from storage.report_basis import ReportBasis
from storage.status import FieldState, GoalState, MeasureState

__all__ = ["build_pdf"]

# Landscape throughout: a measure's table has ten columns and the overview eleven. On
# portrait A4 (17 cm between the margins) the free texts would get about 2 cm each and
# break after every word; landscape gives them 25.7 cm. One orientation for the whole
# report keeps a printed, stapled copy easy to leaf through.
PAGE = landscape(A4)
MARGIN = 2 * cm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN
FRAME_HEIGHT = PAGE[1] - 2 * MARGIN
FOOTER_Y = MARGIN / 2

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
_FONT_FILES = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
CELL_SIZE, CELL_LEADING = 7.5, 9  # the tables' text
HEAD_SIZE, HEAD_LEADING = 7, 8.5  # their heading rows' (bold)
_PADDING = 3  # points of room inside a table cell, left and right
# A row that must be split across pages leaves at least this much (points) on each page.
ROW_SPLIT_MIN = 24
# A measure starts on a new page unless its headings, the table's heading row and this
# much (points) of its first row fit; a shorter first row must fit whole.
FIRST_ROW_MIN = FRAME_HEIGHT / 4

_BLUE, _LIGHT_BLUE, _GREY, _LINE = "#1F4E79", "#DDEBF7", "#595959", "#BFBFBF"
_COLOURS = {status: colors.HexColor(colour) for status, colour in SEGMENTS}
_COLUMN = {name: number for number, name in enumerate(texts.EXPORT_CURRENT_COLUMNS)}

# A measure's table: (heading, width in cm); the widths add up to the frame's 25.7 cm, and
# fit the longest words of the Mainz plan's targets and offices.
MEASURE_COLUMNS: tuple[tuple[str, float], ...] = (
    (texts.EXPORT_CURRENT_COLUMNS[_COLUMN["Horizont"]], 2.0),
    (texts.EXPORT_CURRENT_COLUMNS[_COLUMN["Zielhorizont"]], 3.5),
    (texts.EXPORT_CURRENT_COLUMNS[_COLUMN["Amt"]], 3.4),
    (texts.EXPORT_CURRENT_COLUMNS[_COLUMN["Status"]], 1.9),
    (texts.EXPORT_CURRENT_COLUMNS[_COLUMN["Letzter Bericht"]], 1.9),
    (texts.EXPORT_CURRENT_COLUMNS[_COLUMN["Von"]], 2.2),
    (texts.EXPORT_CURRENT_COLUMNS[_COLUMN["Was getan"]], 3.9),
    (texts.EXPORT_CURRENT_COLUMNS[_COLUMN["Hindernisse"]], 2.2),
    (texts.PDF_SUPPORT_COLUMN, 2.3),
    (texts.EXPORT_CURRENT_COLUMNS[_COLUMN["Zahlen/Belege"]], 2.4),
)
MEASURE_WIDTHS = tuple(width * cm for _head, width in MEASURE_COLUMNS)
_STATUS_COLUMN = 3
OVERVIEW_WIDTHS = tuple(width * cm for width in (6.0, *([1.8] * len(SEGMENTS)), 2.1, 2.3, 2.7))
# The open requests' columns by name: relative widths, scaled to the frame (others get 3).
SUPPORT_WEIGHTS = {
    "Amt": 4.5, "Code": 2.0, "Horizont": 3.2, "Erbeten am": 2.2, "Erbeten von": 3.5,
    "Übernommen von": 3.3, "Wobei": 7.5,
}  # fmt: skip


# --- fonts and text ------------------------------------------------------------------------

_font_lock = threading.Lock()
_glyphs: frozenset[int] | None = None


def _registered_glyphs() -> frozenset[int]:
    """Register DejaVu Sans (regular and bold, from matplotlib's fonts) once; the code
    points both can show."""
    global _glyphs
    if _glyphs is not None:
        return _glyphs
    with _font_lock:
        if _glyphs is None:
            directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
            fonts = [TTFont(name, str(directory / file)) for name, file in _FONT_FILES.items()]
            for font in fonts:
                pdfmetrics.registerFont(font)
            pdfmetrics.registerFontFamily(
                FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD
            )
            regular, bold = (set(font.face.charToGlyph) for font in fonts)
            # Only the Basic Multilingual Plane: reportlab writes the text map (ToUnicode)
            # of a character beyond it, such as DejaVu's few emoji, as five hex digits,
            # which readers reject, so the text could no longer be copied or searched.
            # Variation selectors go too: they only modify emoji.
            _glyphs = frozenset(
                code for code in regular & bold if code <= 0xFFFF and not 0xFE00 <= code <= 0xFE0F
            )
        return _glyphs


def printable(text: str) -> str:
    """``text`` without what the font cannot show or the text map cannot hold (emoji, lone
    surrogates, control characters); tabs become spaces, line breaks stay."""
    text = clean(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if text.isascii() and text.replace("\n", "").isprintable():
        return text
    glyphs = _registered_glyphs()
    return "".join(char for char in text if char == "\n" or ord(char) in glyphs)


def markup(text: str) -> str:
    """``text`` for a Paragraph: printable, ``&``, ``<`` and ``>`` escaped, lines kept."""
    return escape(printable(text), quote=False).replace("\n", "<br/>")


def german_number(value: int) -> str:
    """1234 → '1.234'."""
    return f"{value:,}".replace(",", ".")


@lru_cache(maxsize=65_536)
def _width(word: str, font: str, size: float) -> float:
    """A word's width in points (words repeat: cached)."""
    return float(pdfmetrics.stringWidth(word, font, size))


def wrapped(text: str, room: float, font: str = FONT, size: float = CELL_SIZE) -> str:
    """Printable ``text`` broken into lines of at most ``room`` points: at spaces, and a
    word longer than a line between its characters. Line breaks in ``text`` stay."""
    lines: list[str] = []
    space = _width(" ", font, size)
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for word in paragraph.split():
            width = _width(word, font, size)
            if line and used + space + width <= room:
                line, used = f"{line} {word}", used + space + width
                continue
            if line:
                lines.append(line)
            while width > room:  # cut a long word where the line is full, but not
                cut = _longest_fitting(word, room, font, size)  # before its last 3 letters
                cut = max(1, min(cut, len(word) - 3))
                lines.append(word[:cut])
                word = word[cut:]
                width = _width(word, font, size)
            line, used = word, width
        lines.append(line)
    return "\n".join(lines).strip("\n")


def _longest_fitting(word: str, room: float, font: str, size: float) -> int:
    """How many of the word's first characters fit in ``room`` (at least one)."""
    used = 0.0
    for count, char in enumerate(word):
        used += _width(char, font, size)
        if used > room:
            return max(count, 1)
    return len(word)


def _cell(value: Cell, width: float, font: str = FONT, size: float = CELL_SIZE) -> str:
    """A table cell's text, broken into lines that fit the column."""
    if value is None:
        return ""
    text = day(value) if isinstance(value, date) else str(value)
    return wrapped(printable(text).strip(), width - 2 * _PADDING, font, size)


def _head(text: str, width: float) -> str:
    return _cell(text, width, BOLD, HEAD_SIZE)


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    section: ParagraphStyle  # field of action, overview, support, offices
    goal: ParagraphStyle
    measure: ParagraphStyle
    body: ParagraphStyle
    caption: ParagraphStyle
    small: ParagraphStyle  # the evidence list
    small_bold: ParagraphStyle


def _styles() -> _Styles:
    def style(name: str, size: float, **more: Any) -> ParagraphStyle:
        values: dict[str, Any] = {"fontName": FONT, "fontSize": size, "leading": size * 1.2}
        return ParagraphStyle(name, **{**values, **more})

    return _Styles(
        title=style("title", 22, fontName=BOLD, textColor=_BLUE, spaceAfter=10, leading=27),
        subtitle=style("subtitle", 13, textColor=_GREY, spaceAfter=4),
        section=style("section", 16, fontName=BOLD, textColor=_BLUE, spaceBefore=6, spaceAfter=8),
        goal=style("goal", 12.5, fontName=BOLD, textColor=_BLUE, spaceBefore=10, spaceAfter=4),
        measure=style("measure", 10.5, fontName=BOLD, spaceBefore=10, spaceAfter=2),
        body=style("body", 9, spaceAfter=4),
        caption=style("caption", 8.5, textColor=_GREY, spaceBefore=3, spaceAfter=12),
        small=style("small", CELL_SIZE, leading=CELL_LEADING),
        small_bold=style("small_bold", CELL_SIZE, leading=CELL_LEADING, fontName=BOLD),
    )


def _paragraph(text: str, style: ParagraphStyle, outline: int | None = None) -> Any:
    """A paragraph of plan or user text; ``outline``: its level in the PDF's outline."""
    paragraph = Paragraph(markup(text), style)
    paragraph.report_outline = None if outline is None else (printable(text), outline)
    return paragraph


# --- tables -------------------------------------------------------------------------------


def _table_style() -> list[tuple[Any, ...]]:
    """Grid, padding and the heading row (white on blue) of every table."""
    return [
        ("FONT", (0, 0), (-1, -1), FONT, CELL_SIZE, CELL_LEADING),
        ("FONT", (0, 0), (-1, 0), BOLD, HEAD_SIZE, HEAD_LEADING),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(_BLUE)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor(_LINE)),
        ("LEFTPADDING", (0, 0), (-1, -1), _PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]


def _status_colours(column: int, row: int, status: Status | None) -> list[tuple[Any, ...]]:
    """A status cell on its colour, its word white on the dark ones."""
    text = colors.white if status in DARK else colors.black
    return [
        ("BACKGROUND", (column, row), (column, row), _COLOURS[status]),
        ("TEXTCOLOR", (column, row), (column, row), text),
    ]


class _Table(Table):  # type: ignore[misc]  # reportlab has no type hints
    """A table whose rest, once it is split, starts on the next page.

    Without the page break, the frame would try the rest in the room left below the
    first part, and a row split inside (``splitInRow``) would fill that room: the heading
    row repeated in the middle of the page, under a row cut in two. Split parts are made
    with ``self.__class__``, so every later split behaves the same.
    """

    def split(self, available_width: float, available_height: float) -> list[Any]:
        parts: list[Any] = super().split(available_width, available_height)
        return [parts[0], PageBreak(), *parts[1:]] if len(parts) > 1 else parts


def _table(rows: list[list[str]], widths: Sequence[float], commands: list[tuple[Any, ...]]) -> Any:
    """A table that splits across pages with its heading row repeated; a row taller than
    the room left is split inside (at least ``ROW_SPLIT_MIN`` points on each side)."""
    return _Table(
        rows,
        colWidths=list(widths),
        style=TableStyle(commands),
        repeatRows=1,
        splitInRow=ROW_SPLIT_MIN,
        hAlign="LEFT",
    )


# --- keeping headings with what follows them ---------------------------------------------


class _StartGuard(CondPageBreak):  # type: ignore[misc]  # reportlab has no type hints
    """A page break unless the headings in ``block`` and the start of a table fit below.

    Placed before a measure's headings (or a section's): it measures them, the table's
    heading row and its first row (at most ``FIRST_ROW_MIN`` of it: the table splits a
    longer row) at the width they will be drawn, and asks for that much room. So a
    heading never ends a page, and a long table still starts right under its heading and
    continues on the next pages, where a KeepTogether of the whole table would move it
    to a new page and leave the last one half empty.
    """

    def __init__(
        self,
        block: Sequence[Any],
        rows: Sequence[list[str]] = (),
        widths: Sequence[float] = (),
    ) -> None:
        super().__init__(0)
        self._block = block
        self._rows = list(rows[:2])  # the table's heading row and first row
        self._widths = list(widths)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        needed = 0.0
        for flowable in self._block:
            _width, height = flowable.wrap(available_width, FRAME_HEIGHT)
            needed += flowable.getSpaceBefore() + height + flowable.getSpaceAfter()
        if self._rows:
            probe = Table(self._rows, colWidths=self._widths, style=TableStyle(_table_style()))
            probe.wrap(available_width, FRAME_HEIGHT)
            heights: list[float] = probe._rowHeights
            needed += heights[0] + (min(heights[1], FIRST_ROW_MIN) if len(heights) > 1 else 0)
        self.height = min(needed, FRAME_HEIGHT * 0.9)  # never asks for more than a page
        result: tuple[float, float] = super().wrap(available_width, available_height)
        return result


# --- pages: footer with "Seite X von Y", outline -------------------------------------------


@dataclass(frozen=True)
class _Footer:
    plan: str
    today: date


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """A canvas that holds its pages back until the end, when their number is known, and
    then draws each page's footer: plan, "Seite X von Y", date.

    Bookmarks (the outline's destinations) name the page they are set on, which only
    exists once the page is written: they are held back with their page too.
    """

    def __init__(self, *args: Any, footer: _Footer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held: list[dict[str, Any]] = []
        self._bookmarks: list[str] = []

    def bookmarkPage(self, key: str, **kwargs: Any) -> None:  # reportlab's name
        self._bookmarks.append(key)

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._bookmarks = []
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            for key in state["_bookmarks"]:
                super().bookmarkPage(key)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        footer, width = self._footer, PAGE[0]
        self.saveState()
        self.setFont(FONT, 8)
        self.setFillColor(colors.HexColor(_GREY))
        self.setStrokeColor(colors.HexColor(_LINE))
        self.setLineWidth(0.5)
        self.line(MARGIN, FOOTER_Y + 10, width - MARGIN, FOOTER_Y + 10)
        self.drawString(MARGIN, FOOTER_Y, _shortened(printable(footer.plan), FRAME_WIDTH / 3))
        # Page numbers are not grouped: "Seite 1234", as one cites them.
        page = texts.REPORT_FOOTER_PAGE.format(page=number, pages=total)
        self.drawCentredString(width / 2, FOOTER_Y, page)
        self.drawRightString(
            width - MARGIN, FOOTER_Y, texts.REPORT_DATE.format(day=day(footer.today))
        )
        self.restoreState()


def _shortened(text: str, room: float) -> str:
    """``text`` on one line of ``room`` points in the footer, cut with '…' if need be."""
    text = " ".join(text.split())
    if pdfmetrics.stringWidth(text, FONT, 8) <= room:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT, 8) > room:
        text = text[:-1]
    return text.rstrip() + "…"


class _Document(BaseDocTemplate):  # type: ignore[misc]  # reportlab has no type hints
    """One landscape frame per page; headings with an outline level get a bookmark."""

    def __init__(self, target: io.BytesIO, basis: ReportBasis) -> None:
        super().__init__(
            target,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=printable(basis.plan) or texts.PDF_SUBTITLE,
            subject=texts.PDF_SUBTITLE,
            lang="de-DE",
            invariant=1,  # no creation time or random ids: the same data, the same bytes
        )
        frame = Frame(
            MARGIN, MARGIN, FRAME_WIDTH, FRAME_HEIGHT, id="body",
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
        )  # fmt: skip
        self.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        self._entries = 0

    def afterFlowable(self, flowable: Any) -> None:  # reportlab's name
        outline = getattr(flowable, "report_outline", None)
        if outline:
            title, level = outline
            self._entries += 1
            key = f"h{self._entries}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)


# --- the report ---------------------------------------------------------------------------


def build_pdf(
    basis: ReportBasis, zone: ZoneInfo, pictures: Sequence[tuple[str, bytes]] = ()
) -> bytes:
    """The report as PDF bytes: title page with overview and ``pictures`` ((caption as
    plain text, PNG), each as wide as the page), the measures field by field, the open
    requests for support and the offices without a contact person."""
    _registered_glyphs()
    styles = _styles()
    story: list[Any] = [
        *_title_page(basis, styles),
        *_pictures(pictures, styles),
        *_details(basis, zone, styles),
        PageBreak(),
        *_support(basis, zone, styles),
        Spacer(1, 0.6 * cm),
        *_without_contact(basis, styles),
    ]
    buffer = io.BytesIO()
    footer = _Footer(basis.plan, basis.today)
    _Document(buffer, basis).build(story, canvasmaker=partial(_NumberedCanvas, footer=footer))
    return buffer.getvalue()


def _title_page(basis: ReportBasis, styles: _Styles) -> Iterator[Any]:
    yield Spacer(1, 1.5 * cm)
    yield _paragraph(basis.plan or texts.PDF_SUBTITLE, styles.title)
    if basis.plan:
        yield _paragraph(texts.PDF_SUBTITLE, styles.subtitle)
    yield _paragraph(texts.REPORT_DATE.format(day=day(basis.today)), styles.subtitle)
    yield _paragraph(report_round(basis), styles.subtitle)
    yield Spacer(1, 0.8 * cm)
    yield _paragraph(texts.PDF_OVERVIEW_HEAD, styles.section, outline=0)
    yield _paragraph(texts.PDF_OVERVIEW_NOTE, styles.body)
    yield _overview_table(basis)


def _overview_cells(summary: FieldSummary) -> list[Cell]:
    """The overview's row with numbers German style (1.234): the counts as
    :func:`overview_row` gives them, the "von" columns again with grouped numbers."""
    row = overview_row(summary)
    counts = [german_number(v) if isinstance(v, int) else v for v in row[: len(SEGMENTS) + 2]]
    (parts_done, parts_all), (offices_done, offices_all) = summary.parts, summary.offices
    return [
        *counts,
        texts.REPORT_PARTS.format(
            reported=german_number(parts_done), total=german_number(parts_all)
        ),
        texts.REPORT_OFFICES.format(
            reported=german_number(offices_done), total=german_number(offices_all)
        ),
    ]


def _overview_table(basis: ReportBasis) -> Any:
    """Horizon targets per field of action and status, and who reported; a total row with
    the heading row's status colours."""
    widths = OVERVIEW_WIDTHS
    heads = [
        texts.REPORT_OVERVIEW_COLUMNS_HEAD,
        *(segment_label(status) for status, _colour in SEGMENTS),
        *texts.REPORT_OVERVIEW_COLUMNS_TAIL,
    ]
    rows = [[_head(head, width) for head, width in zip(heads, widths, strict=True)]]
    commands = _table_style()
    for column, (status, _colour) in enumerate(SEGMENTS, start=1):
        commands += _status_colours(column, 0, status)
    summaries = [field_summary(field) for field in basis.snapshot.fields]
    total = total_summary(summaries, basis.snapshot)
    for summary, font in [*((s, FONT) for s in summaries), (total, BOLD)]:
        cells = _overview_cells(summary)
        rows.append([_cell(value, width, font) for value, width in zip(cells, widths, strict=True)])
    commands += [
        ("ALIGN", (1, 1), (-3, -1), "RIGHT"),  # the counts
        ("FONT", (0, -1), (-1, -1), BOLD, CELL_SIZE, CELL_LEADING),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor(_LIGHT_BLUE)),
    ]
    return _table(rows, widths, commands)


def _pictures(pictures: Sequence[tuple[str, bytes]], styles: _Styles) -> Iterator[Any]:
    """Each chart as wide as the page (lower if it would not fit a page), kept together
    with its caption."""
    for caption, png in pictures:
        width_px, height_px = ImageReader(io.BytesIO(png)).getSize()
        width = FRAME_WIDTH
        height = width * height_px / width_px
        room = FRAME_HEIGHT - 2 * cm  # the caption below
        if height > room:
            width, height = width * room / height, room
        image = Image(io.BytesIO(png), width=width, height=height)
        image.hAlign = "LEFT"
        yield KeepTogether([Spacer(1, 0.4 * cm), image, _paragraph(caption, styles.caption)])


# --- fields, goals, measures ---------------------------------------------------------------


def _details(basis: ReportBasis, zone: ZoneInfo, styles: _Styles) -> Iterator[Any]:
    evidence = _evidence_by_code(basis)
    for field in basis.snapshot.fields:
        yield PageBreak()
        by_measure: dict[int, list[Part]] = defaultdict(list)
        for part in field_parts(field, zone, basis.evidence):
            by_measure[part.measure.id].append(part)
        yield from _field(field, by_measure, evidence, zone, styles)


def _field(
    field: FieldState,
    by_measure: dict[int, list[Part]],
    evidence: dict[str, list[EvidenceItem]],
    zone: ZoneInfo,
    styles: _Styles,
) -> Iterator[Any]:
    """A field of action: its heading, then goal by goal their measures. The headings of
    the field and of a goal open its first measure's block (kept with its table)."""
    label = texts.PDF_FIELD.format(label=field_label(field))
    headings = [_paragraph(label, styles.section, outline=0)]
    for goal in field.goals:
        headings.append(_goal_heading(goal, styles))
        if not goal.measures:
            headings.append(_paragraph(texts.PDF_NO_MEASURES, styles.body))
            yield _StartGuard(headings)
            yield from headings
            headings = []
        for measure in goal.measures:
            parts = by_measure.get(measure.id, [])
            yield from _measure(headings, measure, parts, evidence, zone, styles)
            headings = []
    yield from headings  # a field without goals


def _goal_heading(goal: GoalState, styles: _Styles) -> Any:
    text = texts.REPORT_GOAL.format(code=goal.code, title=goal.title)
    return _paragraph(text, styles.goal, outline=1)


def _measure(
    headings: list[Any],
    measure: MeasureState,
    parts: list[Part],
    evidence: dict[str, list[EvidenceItem]],
    zone: ZoneInfo,
    styles: _Styles,
) -> Iterator[Any]:
    """A measure: the headings that open it (field, goal), its own heading and indicator,
    the table of its parts and the files sent as evidence."""
    heading = texts.PDF_MEASURE.format(code=measure.code, title=measure.title)
    block = [
        *headings,
        _paragraph(heading, styles.measure, outline=2),
        _paragraph(texts.PDF_INDICATOR.format(indicator=measure.indicator), styles.body),
    ]
    if not measure.targets:
        block.append(_paragraph(texts.PDF_NO_TARGETS, styles.body))
    if not parts:
        yield _StartGuard(block)
        yield from block
    else:
        rows, commands = _measure_rows(parts)
        yield _StartGuard(block, rows, MEASURE_WIDTHS)
        yield from block
        yield _table(rows, MEASURE_WIDTHS, commands)
    files = evidence.get(measure.code, [])
    if files:
        yield from _evidence(measure.code, files, zone, styles)


@lru_cache(maxsize=1)
def _measure_head() -> tuple[str, ...]:
    """The heading row of every measure's table (the same for all: made once)."""
    columns = zip(MEASURE_COLUMNS, MEASURE_WIDTHS, strict=True)
    return tuple(_head(head, width) for (head, _cm), width in columns)


def _measure_rows(parts: list[Part]) -> tuple[list[list[str]], list[tuple[Any, ...]]]:
    """A measure's table: the rows (heading row first) and their style commands."""
    rows = [list(_measure_head())]
    commands = _table_style()
    target = None
    for part in parts:
        row = len(rows)
        cells = _part_cells(part, first_of_target=part.target is not target)
        rows.append(
            [_cell(value, width) for value, width in zip(cells, MEASURE_WIDTHS, strict=True)]
        )
        if part.target is not None:  # else a row for the figures only, without status
            commands += _status_colours(_STATUS_COLUMN, row, part.status)
        if part.target is not target and row > 1:  # a new horizon target: a firmer line
            commands.append(("LINEABOVE", (0, row), (-1, row), 1, colors.HexColor(_GREY)))
        target = part.target
    return rows, commands


def _part_cells(part: Part, first_of_target: bool) -> list[Cell]:
    """A part's cells in the order of :data:`MEASURE_COLUMNS`; the horizon and its target
    only in the target's first row."""
    cells = part.cells

    def column(name: str) -> Cell:
        return cells[_COLUMN[name]]

    support = column("Unterstützung erbeten")
    support_note = column("Unterstützung: wobei")
    if support is not None and support_note:
        support = texts.PDF_SUPPORT_WITH_NOTE.format(answer=support, note=support_note)
    reported = column("Letzter Bericht")
    if part.answer is not None and not part.measure.is_current(part.answer) and reported:
        reported = f"{day(reported) if isinstance(reported, date) else reported}\n"
        reported += texts.PDF_OLDER_ROUND
    return [
        column("Horizont") if first_of_target else None,
        column("Zielhorizont") if first_of_target else None,
        column("Amt"),
        column("Status"),
        reported,
        column("Von"),
        column("Was getan"),
        column("Hindernisse"),
        support,
        column("Zahlen/Belege"),
    ]


def _evidence_by_code(basis: ReportBasis) -> dict[str, list[EvidenceItem]]:
    """The files sent as evidence per measure code, office by office in the plan's order."""
    rank = {office: number for number, office in enumerate(basis.snapshot.offices())}
    found: dict[str, list[tuple[str, EvidenceItem]]] = defaultdict(list)
    for (code, office), items in basis.evidence.items():
        found[code].extend((office, item) for item in items)
    return {
        code: [item for _office, item in sorted(pairs, key=lambda p: rank.get(p[0], len(rank)))]
        for code, pairs in found.items()
    }


def _evidence(
    code: str, items: list[EvidenceItem], zone: ZoneInfo, styles: _Styles
) -> Iterator[Any]:
    """The files sent as evidence for a measure, a line each, under its table."""
    head = _paragraph(texts.PDF_EVIDENCE_HEAD.format(code=code), styles.small_bold)
    head.keepWithNext = 1
    yield Spacer(1, 3)
    yield head
    for line in evidence_lines(items, zone):
        # Telegram HTML with every value escaped already: fit for a Paragraph as it is.
        yield Paragraph("• " + printable(line).strip(), styles.small)


# --- the end: open requests, offices without a contact ------------------------------------


def _support(basis: ReportBasis, zone: ZoneInfo, styles: _Styles) -> Iterator[Any]:
    text = texts.REPORT_SUPPORT_HEAD.format(count=german_number(len(basis.support)))
    heading = _paragraph(text, styles.section, outline=0)
    if not basis.support:
        yield KeepTogether([heading, _paragraph(texts.REPORT_NO_SUPPORT, styles.body)])
        return
    weights = [SUPPORT_WEIGHTS.get(head, 3.0) for head in texts.REPORT_SUPPORT_COLUMNS]
    widths = [FRAME_WIDTH * weight / sum(weights) for weight in weights]
    heads = texts.REPORT_SUPPORT_COLUMNS
    rows = [[_head(head, width) for head, width in zip(heads, widths, strict=True)]]
    for item in basis.support:
        cells = support_row(item, zone)
        rows.append([_cell(value, width) for value, width in zip(cells, widths, strict=True)])
    yield _StartGuard([heading], rows, widths)
    yield heading
    yield _table(rows, widths, _table_style())


def _without_contact(basis: ReportBasis, styles: _Styles) -> Iterator[Any]:
    offices = basis.offices_without_contact
    text = texts.REPORT_NO_CONTACT_HEAD.format(count=german_number(len(offices)))
    heading = _paragraph(text, styles.section, outline=0)
    lines = [_paragraph(f"• {office}", styles.body) for office in offices]
    if not offices:
        lines = [_paragraph(texts.REPORT_EVERY_OFFICE_HAS_CONTACT, styles.body)]
    yield KeepTogether([heading, lines[0]])
    yield from lines[1:]
