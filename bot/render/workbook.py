"""The workbook for the city council, written with XlsxWriter.

Sheets: an overview (counts per field of action as ``/status`` counts them, a native Excel
chart, open support requests, offices without a contact), one sheet per field of action
(goal rows grouping their measures, a row per horizon target and responsible office), and
the history, newest first. Every sheet is set up for print: A4 landscape, one page wide,
the heading repeated on every page, page numbers and the date in the footer.

XlsxWriter runs in ``constant_memory`` mode: each sheet is written row by row to a
temporary file, so a long history costs no more memory than a short one. The rows come
from :mod:`bot.render.export`; this module only lays them out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bot.render import texts
from bot.render.background import off_loop
from bot.render.chart import SEGMENTS, segment_label
from bot.render.export import (
    FieldSummary,
    Part,
    field_parts,
    field_summary,
    history_batches,
    history_rows,
    total_summary,
)
from bot.render.export_values import Row, clean, field_label, horizon_text
from bot.render.formatting import day
from storage.history import History, StoredHistory
from storage.models import Status
from storage.report_basis import ReportBasis
from storage.support import SupportItem

SHEET_ROWS = 1_048_576  # rows an Excel sheet can hold
SHEET_NAME_LIMIT = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_ILLEGAL = re.compile(r"[\x00-\x1f]")
A4 = 9  # Excel's paper size number

# Widths in characters of the default font; together about 220, which A4 landscape shows
# at about 70 % (fit to one page wide), with the 9-point text of the cells.
CURRENT_WIDTHS = (7, 22, 18, 10, 22, 13, 10, 10, 8, 12, 24, 12, 10, 14, 14, 13)
HISTORY_WIDTHS = (10, 7, 14, 7, 14, 14, 10, 24, 10, 10, 28, 13, 10, 14, 16)
OVERVIEW_WIDTHS = (34, *([11] * (len(SEGMENTS) + 1)), 16, 28)
_STATUS_COLUMN = texts.EXPORT_CURRENT_COLUMNS.index("Status")
_HISTORY_STATUS_COLUMN = texts.EXPORT_HISTORY_COLUMNS.index("Status")
# Shown only in a measure's first row, or a target's: the rest of its rows stay light.
_MEASURE_COLUMNS = {1, 2}  # Maßnahme, Indikator
_TARGET_COLUMNS = {4}  # Zielhorizont
_STATUS_WORDS = {texts.STATUS_WORDS[s.value]: s for s in Status}
_BLUE, _LIGHT_BLUE, _GREY = "#1F4E79", "#DDEBF7", "#595959"
_CELL = {"font_size": 9, "valign": "top", "text_wrap": True, "border": 1, "border_color": "#BFBFBF"}

assert len(CURRENT_WIDTHS) == len(texts.EXPORT_CURRENT_COLUMNS)
assert len(HISTORY_WIDTHS) == len(texts.EXPORT_HISTORY_COLUMNS)


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unused Excel sheet name for ``text``; records it (case-folded) in ``taken``.

    Excel allows at most 31 characters, none of ``[]:*?/\\``, no apostrophe at either end,
    and compares names without regard to case.
    """
    name_text = " ".join(_SHEET_ILLEGAL.sub("", _SHEET_FORBIDDEN.sub(" ", text)).split())
    name_text = name_text.strip("'").strip() or str(len(taken) + 1)

    def shorten(limit: int) -> str:
        if len(name_text) <= limit:
            return name_text
        cut = name_text[: limit - 1]
        space = cut.rfind(" ")
        if space > limit // 2:  # end at a word where that keeps most of the name
            cut = cut[:space]
        return cut.rstrip(" '") + "…"

    name, number = shorten(SHEET_NAME_LIMIT), 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name, number = shorten(SHEET_NAME_LIMIT - len(suffix)) + suffix, number + 1
    taken.add(name.casefold())
    return name


def _footer_text(text: str) -> str:
    """Text for a header or footer: Excel reads ``&`` as the start of a code."""
    return clean(text).replace("&", "&&")


@dataclass(frozen=True)
class _Formats:
    title: Format
    subtitle: Format
    header: Format
    goal: Format
    text: Format
    quiet: Format  # a repeated code: grey
    number: Format
    day: Format
    moment: Format
    bold: Format
    status: dict[Status | None, Format]

    @classmethod
    def of(cls, book: Workbook) -> _Formats:
        def fmt(**properties: Any) -> Format:
            return book.add_format(properties)

        status: dict[Status | None, Format] = {}
        for segment, colour in SEGMENTS:
            dark = segment in (Status.ACHIEVED, Status.AT_RISK, Status.DROPPED, None)
            status[segment] = fmt(
                **_CELL, bg_color=colour, font_color="#FFFFFF" if dark else "#000000"
            )
        return cls(
            title=fmt(bold=True, font_size=14, font_color=_BLUE),
            subtitle=fmt(font_size=10, font_color=_GREY),
            header=fmt(
                **{**_CELL, "font_color": "#FFFFFF", "valign": "vcenter"},
                bold=True,
                bg_color=_BLUE,
            ),
            goal=fmt(**{**_CELL, "font_size": 10}, bold=True, bg_color=_LIGHT_BLUE),
            text=fmt(**_CELL),
            quiet=fmt(**_CELL, font_color="#808080"),
            number=fmt(**{**_CELL, "text_wrap": False}),
            day=fmt(**{**_CELL, "text_wrap": False}, num_format="DD.MM.YYYY"),
            moment=fmt(**{**_CELL, "text_wrap": False}, num_format="DD.MM.YYYY HH:MM"),
            bold=fmt(**_CELL, bold=True),
            status=status,
        )


class _Sheet:
    """One worksheet, written row by row (XlsxWriter's constant_memory mode)."""

    def __init__(self, sheet: Worksheet, formats: _Formats) -> None:
        self.sheet, self.formats, self.row = sheet, formats, 0

    def print_setup(self, plan: str, today: date, title_rows: int) -> None:
        sheet = self.sheet
        sheet.set_landscape()
        sheet.set_paper(A4)
        sheet.fit_to_pages(1, 0)  # one page wide, as many long as needed
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        if title_rows:
            sheet.repeat_rows(0, title_rows - 1)
        page = texts.REPORT_FOOTER_PAGE.format(page="&P", pages="&N")  # Excel's codes
        stand = _footer_text(texts.REPORT_DATE.format(day=day(today)))
        sheet.set_footer(f"&L&8{_footer_text(plan)}&C&8{page}&R&8{stand}")

    def text_line(self, text: str, fmt: Format) -> None:
        self.sheet.write_string(self.row, 0, clean(text), fmt)
        self.row += 1

    def header(self, columns: Sequence[str], widths: Sequence[float] = ()) -> int:
        """The column heads in the current row (and the columns' widths, where given);
        returns that row."""
        for number, width in enumerate(widths):
            self.sheet.set_column(number, number, width)
        for number, title in enumerate(columns):
            self.sheet.write_string(self.row, number, title, self.formats.header)
        self.row += 1
        return self.row - 1

    def values(
        self,
        row: Row,
        status_column: int | None,
        skip: Collection[int] = (),
        blanks: bool = True,
    ) -> None:
        """A row of values; empty cells get the grid's lines where ``blanks`` (a long
        history leaves them out: every cell costs several microseconds)."""
        sheet, formats, at = self.sheet, self.formats, self.row
        for column, value in enumerate(row):
            if value is None or column in skip:
                if blanks:
                    sheet.write_blank(at, column, None, formats.text)
            elif isinstance(value, str):
                if column == status_column:
                    fmt = formats.status[_STATUS_WORDS.get(value)]
                else:
                    fmt = formats.text
                sheet.write_string(at, column, clean(value), fmt)
            elif isinstance(value, datetime):
                sheet.write_datetime(at, column, value, formats.moment)
            elif isinstance(value, date):
                sheet.write_datetime(at, column, value, formats.day)
            else:
                sheet.write_number(at, column, value, formats.number)
        self.row += 1

    def merged(self, first: int, last: int, text: str, fmt: Format, width: float) -> None:
        """A text across columns ``first``..``last`` (with about ``width`` characters of
        room); merged cells do not grow with their text, so the row is made high enough."""
        text = clean(text)
        lines = sum(max(1, math.ceil(len(line) * 0.85 / width)) for line in text.split("\n"))
        self.sheet.set_row(self.row, 13.5 * lines + 3)
        self.sheet.merge_range(self.row, first, self.row, last, text, fmt)
        self.row += 1


def _overview(book: Workbook, formats: _Formats, basis: ReportBasis, zone: ZoneInfo) -> None:
    snapshot = basis.snapshot
    sheet = _Sheet(book.add_worksheet(texts.WORKBOOK_OVERVIEW_SHEET), formats)
    sheet.print_setup(basis.plan, basis.today, 0)
    sheet.sheet.hide_gridlines(2)
    sheet.text_line(basis.plan, formats.title)
    sheet.text_line(texts.REPORT_DATE.format(day=day(basis.today)), formats.subtitle)
    sheet.text_line(report_round(basis), formats.subtitle)
    sheet.row += 1
    columns = (
        texts.REPORT_OVERVIEW_COLUMNS_HEAD,
        *(segment_label(status) for status, _colour in SEGMENTS),
        *texts.REPORT_OVERVIEW_COLUMNS_TAIL,
    )
    head = sheet.header(columns, OVERVIEW_WIDTHS)
    summaries = [field_summary(field) for field in snapshot.fields]
    for summary in [*summaries, total_summary(summaries, snapshot)]:
        sheet.values(overview_row(summary), None)
    last = sheet.row - 2  # the last field's row (the total follows)
    if summaries:
        _status_chart(book, sheet, head, last)
    sheet.row += 1
    _support(sheet, basis, zone)
    sheet.row += 1
    sheet.text_line(
        texts.REPORT_NO_CONTACT_HEAD.format(count=len(basis.offices_without_contact)),
        formats.title,
    )
    if not basis.offices_without_contact:
        sheet.text_line(texts.REPORT_EVERY_OFFICE_HAS_CONTACT, formats.subtitle)
    for office in basis.offices_without_contact:
        sheet.text_line(office, formats.text)


def report_round(basis: ReportBasis) -> str:
    """'Berichtsrunde vom 01.12.2026 bis 15.12.2026', or that none is running."""
    current = basis.snapshot.round
    if current is None:
        return texts.REPORT_NO_ROUND
    return texts.REPORT_ROUND.format(opens=day(current.opens_on), due=day(current.due_on))


def overview_row(summary: FieldSummary) -> Row:
    return (
        summary.label,
        *(summary.counts[status] for status, _colour in SEGMENTS),
        summary.counts.total(),
        texts.REPORT_PARTS.format(reported=summary.parts[0], total=summary.parts[1]),
        texts.REPORT_OFFICES.format(reported=summary.offices[0], total=summary.offices[1]),
    )


def _status_chart(book: Workbook, sheet: _Sheet, head: int, last: int) -> None:
    """A stacked bar per field of action, drawn by Excel from the overview's table."""
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    assert chart is not None
    name = texts.WORKBOOK_OVERVIEW_SHEET
    for column, (_status, colour) in enumerate(SEGMENTS, start=1):
        chart.add_series(
            {
                "name": [name, head, column],
                "categories": [name, head + 1, 0, last, 0],
                "values": [name, head + 1, column, last, column],
                "fill": {"color": colour},
                "border": {"color": "#555555", "width": 0.5},
                "gap": 60,
            }
        )
    chart.set_title({"name": texts.REPORT_CHART_TITLE, "name_font": {"size": 12}})
    chart.set_y_axis({"reverse": True})  # field I at the top
    chart.set_x_axis({"name": texts.CHART_AXIS, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": 380})
    sheet.row += 1
    sheet.sheet.insert_chart(sheet.row, 0, chart)
    sheet.row += 20  # the rows the chart covers


def _support(sheet: _Sheet, basis: ReportBasis, zone: ZoneInfo) -> None:
    formats = sheet.formats
    sheet.text_line(texts.REPORT_SUPPORT_HEAD.format(count=len(basis.support)), formats.title)
    if not basis.support:
        sheet.text_line(texts.REPORT_NO_SUPPORT, formats.subtitle)
        return
    # Under the overview's columns: the request's text (last) gets the wide ones at the end.
    *facts, wide = texts.REPORT_SUPPORT_COLUMNS
    last = len(OVERVIEW_WIDTHS) - 1
    room = sum(OVERVIEW_WIDTHS[len(facts) :])
    sheet.header(facts)
    sheet.row -= 1
    sheet.merged(len(facts), last, wide, formats.header, room)
    for item in basis.support:
        *values, text = support_row(item, zone)
        sheet.values(tuple(values), None)
        sheet.row -= 1
        sheet.merged(len(facts), last, str(text or ""), formats.text, room)


def support_row(item: SupportItem, zone: ZoneInfo) -> Row:
    """An open request, as :data:`texts.REPORT_SUPPORT_COLUMNS`."""
    return (
        item.office,
        item.measure_code,
        horizon_text(item.terms) if item.terms else None,
        item.requested_at.astimezone(zone).date(),
        item.requested_by or texts.REMOVED_PERSON,
        item.taken_by,
        item.text,
    )


async def write_workbook(
    target: BinaryIO | str,
    basis: ReportBasis,
    history: History,
    zone: ZoneInfo,
    history_row_limit: int = SHEET_ROWS,
) -> None:
    """Write the workbook to ``target`` (a file name or a binary file).

    The history is written round by round as it is read, never held all at once. Where it
    has more rows than ``history_row_limit`` (an Excel sheet's limit), the sheet says so
    and shows the newest; the CSV export has all of it.
    """
    book = Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,  # a note "=1+1" stays text
            "strings_to_urls": False,
        },
    )
    book.set_properties({"title": clean(basis.plan)})
    formats = _Formats.of(book)
    await off_loop(_overview, book, formats, basis, zone)
    taken = {
        texts.WORKBOOK_OVERVIEW_SHEET.casefold(),
        texts.EXPORT_HISTORY_SHEET.casefold(),
        "history",
    }
    for field in basis.snapshot.fields:
        name = sheet_name(field_label(field), taken)
        parts = field_parts(field, zone, basis.evidence)
        await off_loop(_field_sheet, book, formats, basis, name, field_label(field), parts)
    await _history(book, formats, basis, history, zone, history_row_limit)
    await off_loop(book.close)  # compresses every sheet: the longest step


def _field_sheet(
    book: Workbook,
    formats: _Formats,
    basis: ReportBasis,
    name: str,
    title: str,
    parts: list[Part],
) -> None:
    sheet = _Sheet(book.add_worksheet(name), formats)
    sheet.print_setup(basis.plan, basis.today, 3)
    sheet.text_line(title, formats.title)
    sheet.text_line(
        texts.REPORT_FIELD_SUBTITLE.format(
            date=texts.REPORT_DATE.format(day=day(basis.today)), round=report_round(basis)
        ),
        formats.subtitle,
    )
    head = sheet.header(texts.EXPORT_CURRENT_COLUMNS, CURRENT_WIDTHS)
    sheet.sheet.freeze_panes(head + 1, 0)
    last_column = len(CURRENT_WIDTHS) - 1
    room = sum(CURRENT_WIDTHS)
    goal = None
    target = None
    for part in parts:
        if part.goal is not goal:
            goal = part.goal
            sheet.merged(
                0,
                last_column,
                texts.REPORT_GOAL.format(code=goal.code, title=goal.title),
                formats.goal,
                room,
            )
        skip: set[int] = set()
        if not part.first:
            skip |= _MEASURE_COLUMNS
        if part.target is target:
            skip |= _TARGET_COLUMNS
        target = part.target
        sheet.values(part.cells, _STATUS_COLUMN, skip)
    sheet.sheet.autofilter(head, 0, max(head, sheet.row - 1), last_column)


async def _history(
    book: Workbook,
    formats: _Formats,
    basis: ReportBasis,
    history: History,
    zone: ZoneInfo,
    limit: int,
) -> None:
    sheet = _Sheet(book.add_worksheet(texts.EXPORT_HISTORY_SHEET), formats)
    total = (
        history.rows if isinstance(history, StoredHistory) else sum(len(batch) for batch in history)
    )
    title_rows = 1
    if total > limit - 1:  # more than fit under the column heads
        title_rows = 2
        sheet.merged(
            0,
            len(HISTORY_WIDTHS) - 1,
            texts.HISTORY_TRUNCATED.format(rows=_number(total), shown=_number(limit - title_rows)),
            formats.bold,
            sum(HISTORY_WIDTHS),
        )
    sheet.print_setup(basis.plan, basis.today, title_rows)
    head = sheet.header(texts.EXPORT_HISTORY_COLUMNS, HISTORY_WIDTHS)
    sheet.sheet.freeze_panes(head + 1, 0)
    room = limit - sheet.row
    async for batch in history_batches(history):
        for row in history_rows(batch, zone):
            if room == 0:
                break
            sheet.values(row, _HISTORY_STATUS_COLUMN, blanks=False)
            room -= 1
        if room == 0:
            break  # the newest rows are in; the rest is in the CSV
    sheet.sheet.autofilter(head, 0, max(head, sheet.row - 1), len(HISTORY_WIDTHS) - 1)


def _number(value: int) -> str:
    """1234567 → '1.234.567' (German digit grouping)."""
    return f"{value:,}".replace(",", ".")
