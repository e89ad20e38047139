"""A small streaming writer for Excel workbooks (.xlsx), fast enough for a long history.

openpyxl writes about 3,000 rows a second on the project's machine, so a history of a
million rows would take minutes. This writer produces the same kind of workbook (text,
numbers, dates, a bold frozen header, column widths, an autofilter) from XML strings,
and it lets a caller hand over rows it has already rendered, built from memoised cell
fragments (see :class:`Cells`), which is how the export reaches several hundred
thousand rows a second. openpyxl remains the reference: the tests read every workbook
back with it.

What it deliberately leaves out: formulas, merged cells, several fonts, more than one
sheet being written at a time. Rows carry their number; cells follow each other without
one (the format allows that), so empty cells are written as ``<c/>``.

Compression runs in a worker thread (zlib releases the GIL) while the caller renders
the next rows: call :meth:`SheetWriter.drain` now and then, and ``await`` the
:meth:`Workbook.close` at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, BinaryIO
from xml.sax.saxutils import escape, quoteattr

Cell = str | int | float | date | datetime | None

EMPTY = "<c/>"
CELL_TEXT_LIMIT = 32_767  # characters an Excel cell can hold
SHEET_ROWS = 1_048_576  # rows an Excel sheet can hold
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
DRAIN_AT = 1 << 20  # characters of rendered XML handed to the compressor at once
EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system (after its 1900 bug)
_SECONDS_PER_DAY = 86_400
# Characters that XML 1.0 cannot contain, including lone surrogates (not UTF-8 encodable).
_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff"
_ILLEGAL = re.compile(f"[{_FORBIDDEN}]")
# Text that can go into XML as it is: no markup, nothing forbidden, no space at its ends.
_PLAIN = re.compile(rf"[^\s&<>{_FORBIDDEN}]([^&<>{_FORBIDDEN}]*[^\s&<>{_FORBIDDEN}])?")

# Styles, by their index in styles.xml's cellXfs.
_BOLD, _DATE, _DATETIME = 1, 2, 3

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letter(number: int) -> str:
    """1 → 'A', 27 → 'AA'."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def clean_text(text: str) -> str:
    """Text an Excel cell can hold: no characters XML forbids, at most 32,767 characters."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    return text[:CELL_TEXT_LIMIT]


def _text_element(text: str) -> str:
    """``<t>`` with a clean text; told to keep spaces at its ends where it has some."""
    if text != text.strip():
        return f'<t xml:space="preserve">{escape(text)}</t>'
    return f"<t>{escape(text)}</t>"


def inline_cell(text: str | None) -> str:
    """A text cell that carries its text itself; for free texts that rarely repeat."""
    if not text:
        return EMPTY
    if _PLAIN.fullmatch(text) and len(text) <= CELL_TEXT_LIMIT:  # most texts: nothing to do
        return f'<c t="inlineStr"><is><t>{text}</t></is></c>'
    text = clean_text(text)
    return f'<c t="inlineStr"><is>{_text_element(text)}</is></c>' if text else EMPTY


def number_cell(number: int | float) -> str:
    return f"<c><v>{number!r}</v></c>"


def date_cell(day: date) -> str:
    """A date shown as DD.MM.YYYY (a ``datetime`` keeps its time: see :func:`datetime_cell`)."""
    if isinstance(day, datetime):
        return datetime_cell(day)
    serial = (day - EPOCH.date()).days
    return f'<c s="{_DATE}"><v>{serial}</v></c>'


def datetime_cell(moment: datetime) -> str:
    """A naive (local) time shown as DD.MM.YYYY HH:MM; Excel has no time zones."""
    if moment.tzinfo is not None:
        raise ValueError("Excel has no time zones; pass the local time without one")
    return seconds_cell((moment - EPOCH).total_seconds())


def seconds_cell(seconds: int | float) -> str:
    """A time given as seconds since :data:`EPOCH` (local time), shown like datetime_cell."""
    return f'<c s="{_DATETIME}"><v>{seconds / _SECONDS_PER_DAY!r}</v></c>'


class Cells:
    """Cell fragments of one workbook; repeated texts go into its shared-string table."""

    def __init__(self) -> None:
        self._shared: dict[str, str] = {}  # text → its cell fragment
        self._texts: list[str] = []

    def shared(self, text: str | None) -> str:
        """A text cell via the shared-string table: for texts that repeat (names, labels)."""
        text = clean_text(text) if text else None
        if not text:
            return EMPTY
        fragment = self._shared.get(text)
        if fragment is None:
            fragment = self._shared[text] = f'<c t="s"><v>{len(self._texts)}</v></c>'
            self._texts.append(text)
        return fragment

    def value(self, value: Cell) -> str:
        """Any supported value: texts shared, numbers, dates and (naive) date-times."""
        if value is None or value == "":
            return EMPTY
        if isinstance(value, str):
            return self.shared(value)
        if isinstance(value, date):
            return date_cell(value)
        if isinstance(value, bool):
            raise TypeError("write a yes/no as text")
        return number_cell(value)

    def bold(self, text: str) -> str:
        return self.shared(text).replace("<c ", f'<c s="{_BOLD}" ', 1)

    def table_xml(self) -> Iterable[str]:
        count = len(self._texts)
        yield f'{_XML_HEAD}<sst xmlns="{_MAIN}" count="{count}" uniqueCount="{count}">'
        for text in self._texts:
            yield f"<si>{_text_element(text)}</si>"  # cleaned by shared()
        yield "</sst>"


class SheetWriter:
    """One sheet, written row by row into the workbook's zip file.

    Created by :meth:`Workbook.add_sheet` with its header row already written.
    """

    def __init__(
        self, workbook: Workbook, name: str, header: Sequence[str], widths: Sequence[float]
    ) -> None:
        self.name = name
        self.rows = 0  # rows written so far, the header included
        self._workbook = workbook
        self._columns = len(header)
        self._buffer: list[str] = []
        self._buffered = 0
        self.stream = workbook.open_part(f"xl/worksheets/sheet{workbook.sheet_count}.xml")
        cols = "".join(
            f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
            for n, width in enumerate(widths, 1)
        )
        self._buffer.append(
            f'{_XML_HEAD}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
        )
        self.add_rows(["".join(workbook.cells.bold(title) for title in header)])

    @property
    def free_rows(self) -> int:
        return SHEET_ROWS - self.rows

    def append(self, values: Sequence[Cell]) -> None:
        """One row of plain values (see :meth:`Cells.value`)."""
        self.add_rows(["".join(map(self._workbook.cells.value, values))])

    def add_rows(self, rows: Sequence[str]) -> None:
        """Rows from rendered cell fragments, one string of cells per row."""
        if len(rows) > self.free_rows:
            raise OverflowError(f"sheet {self.name!r} has room for {self.free_rows} more rows")
        xml = "".join(
            [f'<row r="{n}">{cells}</row>' for n, cells in enumerate(rows, self.rows + 1)]
        )
        self.rows += len(rows)
        self._buffer.append(xml)
        self._buffered += len(xml)

    async def drain(self, at_least: int = DRAIN_AT) -> None:
        """Hand the rows rendered so far to the compressor once there are enough of them."""
        if self._buffered >= at_least:
            data = self._take()
            await self._workbook.write(self.stream, data)

    def _take(self) -> bytes:
        text = "".join(self._buffer)
        self._buffer.clear()
        self._buffered = 0
        return text.encode("utf-8", "replace")

    async def close(self) -> None:
        """Write the rest of the sheet and its autofilter over all rows."""
        last = f"{column_letter(self._columns)}{self.rows}"
        self._buffer.append(f'</sheetData><autoFilter ref="A1:{last}"/></worksheet>')
        await self._workbook.write(self.stream, self._take())
        await self._workbook.finish_part(self.stream)
        self._workbook.sheet_closed(self, f"$A$1:${column_letter(self._columns)}${self.rows}")


class Workbook:
    """An .xlsx file being written to ``target``; one sheet at a time.

    Use as ``async with Workbook(target) as book:``; leaving the block writes the parts
    that describe the sheets. The target must be seekable (a file or ``io.BytesIO``).
    """

    def __init__(self, target: BinaryIO, compresslevel: int = 1) -> None:
        self.cells = Cells()
        self._zip = zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._sheets: list[tuple[str, str]] = []  # (name, filter range)
        self._open: SheetWriter | None = None
        self._pending: asyncio.Future[None] | None = None

    @property
    def sheet_count(self) -> int:
        return len(self._sheets) + 1

    async def __aenter__(self) -> Workbook:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            await self.close()
        else:
            await self.abandon()

    def add_sheet(self, name: str, header: Sequence[str], widths: Sequence[float]) -> SheetWriter:
        """A new sheet (name valid and unique, see :func:`bot.render.export.sheet_name`)."""
        if self._open is not None:
            raise RuntimeError(f"sheet {self._open.name!r} is still open")
        self._open = SheetWriter(self, name, header, widths)
        return self._open

    # --- used by SheetWriter -----------------------------------------------------------------

    def open_part(self, name: str) -> IO[bytes]:
        return self._zip.open(name, "w", force_zip64=True)

    async def write(self, stream: IO[bytes], data: bytes) -> None:
        """Compress ``data`` in a worker thread, after the previous piece is done."""
        await self._settle()
        self._pending = asyncio.ensure_future(asyncio.to_thread(_write, stream, data))

    async def finish_part(self, stream: IO[bytes]) -> None:
        await self._settle()
        stream.close()

    def sheet_closed(self, sheet: SheetWriter, filter_range: str) -> None:
        self._sheets.append((sheet.name, filter_range))
        self._open = None

    async def _settle(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending

    # --- the parts around the sheets ---------------------------------------------------------

    async def close(self) -> None:
        if self._open is not None:
            await self._open.close()
        await self._settle()
        self._put("xl/sharedStrings.xml", "".join(self.cells.table_xml()))
        self._put("xl/styles.xml", _STYLES)
        self._put("xl/workbook.xml", self._workbook_xml())
        self._put("xl/_rels/workbook.xml.rels", self._workbook_relations())
        self._put("_rels/.rels", _PACKAGE_RELS)
        self._put("[Content_Types].xml", self._content_types())
        self._zip.close()

    async def abandon(self) -> None:
        """Stop writing after an error; what was written is no valid workbook."""
        with contextlib.suppress(Exception):
            await self._settle()
        if self._open is not None:
            with contextlib.suppress(Exception):
                self._open.stream.close()
            self._open = None
        with contextlib.suppress(Exception):
            self._zip.close()

    def _put(self, name: str, text: str) -> None:
        self._zip.writestr(name, text.encode("utf-8"))

    def _workbook_xml(self) -> str:
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
            for n, (name, _) in enumerate(self._sheets, 1)
        )
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"{escape(_quoted_sheet(name))}!{cells}</definedName>"
            for n, (name, cells) in enumerate(self._sheets)
        )
        names = f"<definedNames>{filters}</definedNames>" if filters else ""
        return (
            f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
            f"<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>{names}</workbook>"
        )

    def _workbook_relations(self) -> str:
        kind = f"{_RELATIONSHIPS}/"
        parts = [
            (f"{kind}worksheet", f"worksheets/sheet{n}.xml")
            for n in range(1, len(self._sheets) + 1)
        ]
        parts += [(f"{kind}styles", "styles.xml"), (f"{kind}sharedStrings", "sharedStrings.xml")]
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="{relation}" Target="{target}"/>'
            for n, (relation, target) in enumerate(parts, 1)
        )
        return f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">{relations}</Relationships>'

    def _content_types(self) -> str:
        office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{office}.worksheet+xml"/>'
            for n in range(1, len(self._sheets) + 1)
        )
        return (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{office}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{office}.sharedStrings+xml"/>'
            f"{sheets}</Types>"
        )


def _write(stream: IO[bytes], data: bytes) -> None:
    stream.write(data)


def _quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


_PACKAGE_RELS = (
    f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)

_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATETIME_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
