"""Exports of the current state and the full history as Excel workbook or CSV files.

Pure functions over the read model of :mod:`storage.status`: no Telegram, no database.
The history is streamed: entries are written as they arrive (from a plain or an async
iterable such as :func:`storage.status.full_history`), and the Excel workbook is built
with openpyxl's write-only mode, which keeps rows in a temporary file instead of memory.

Free texts come from users. A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return) would be taken as a formula by Excel, so such values get a leading
apostrophe, and characters that XML cannot hold are removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from datetime import date, datetime
from typing import BinaryIO
from zoneinfo import ZoneInfo

# openpyxl ships no type hints; pyproject.toml tells mypy to accept that.
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.formatting import horizon_label
from conversations import texts
from storage.models import Obstacle, Status
from storage.status import FieldState, HistoryEntry, Snapshot

Cell = str | int | date | datetime | None
Row = tuple[Cell, ...]
HistorySource = Iterable[HistoryEntry] | AsyncIterable[HistoryEntry]

NO_AUTHOR = "–"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters that XML 1.0 (and so .xlsx) cannot contain.
_ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHEET_NAME_LIMIT = 31
EXCEL_ROWS = 1_048_576  # rows an Excel sheet can hold, the header included
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
CSV_DELIMITER = ";"
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
CURRENT_WIDTHS = (9, 45, 22, 14, 45, 15, 14, 30, 13, 45, 20, 12, 35, 35)
HISTORY_WIDTHS = (12, 9, 30, 8, 17, 20, 22, 45, 15, 12, 45, 20, 12, 35, 35)
YIELD_EVERY = 100  # history entries between two chances for other tasks to run

assert len(CURRENT_WIDTHS) == len(texts.EXPORT_CURRENT_COLUMNS)
assert len(HISTORY_WIDTHS) == len(texts.EXPORT_HISTORY_COLUMNS)


# --- cell values -----------------------------------------------------------------------------


def neutralise(value: str) -> str:
    """Text that a spreadsheet shows as text: never a formula, no illegal characters."""
    value = _ILLEGAL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _safe(row: Iterable[Cell]) -> Row:
    return tuple(neutralise(value) if isinstance(value, str) else value for value in row)


def _text(value: str | None) -> str | None:
    """A free text, or None for "not answered" and "skipped" alike (an empty cell)."""
    return value or None


def _status(status: Status | None) -> str | None:
    return texts.STATUS_WORDS[status.value] if status is not None else None


def _obstacle(obstacle: Obstacle | None) -> str | None:
    return texts.OBSTACLE_LABELS[obstacle.value] if obstacle is not None else None


def _yes_no(flag: bool) -> str:
    return texts.YES_WORD if flag else texts.NO_WORD


def horizon_text(terms: str) -> str:
    """'mittel+lang' → 'Mittel- und langfristig'."""
    return horizon_label([texts.TERM_LABELS[term] for term in terms.split("+")])


def terms_text(terms: str) -> str:
    """'mittel+lang' → 'mittel, lang'."""
    return ", ".join(terms.split("+"))


def field_label(field: FieldState) -> str:
    return f"{field.numeral} {field.title}"


def _local_naive(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)


# --- rows ------------------------------------------------------------------------------------


def current_rows(field: FieldState, zone: ZoneInfo) -> list[Row]:
    """The current state of one field: a row per horizon target and reporting office.

    Columns as :data:`texts.EXPORT_CURRENT_COLUMNS`. A target nobody has reported on yet
    gets one row with the status "ohne Bericht" and no office or date.
    """
    rows: list[Row] = []
    for measure in field.measures():
        indicator_notes = dict(measure.indicator_notes)
        for target in measure.targets:
            head: Row = (
                measure.code,
                measure.title,
                horizon_text(target.terms),
                terms_text(target.terms),
                target.target,
            )
            if not target.reports:
                rows.append(_safe((*head, texts.NO_REPORT, *([None] * 8))))
            for report in target.reports:
                rows.append(
                    _safe(
                        (
                            *head,
                            _status(report.status),
                            report.submitted_at.astimezone(zone).date(),
                            report.office,
                            texts.CURRENT_YES if report.current else texts.CURRENT_NO,
                            _text(report.note),
                            _obstacle(report.obstacle),
                            _yes_no(report.support_requested),
                            _text(report.support_note),
                            _text(indicator_notes.get(report.office)),
                        )
                    )
                )
    return rows


def history_rows(entries: Iterable[HistoryEntry], zone: ZoneInfo) -> Iterator[Row]:
    """Every answer of every submitted version, columns as :data:`texts.EXPORT_HISTORY_COLUMNS`.

    A version without answers (a measure without active targets) still gets one row, so
    its indicator note is not lost.
    """
    for entry in entries:
        head: Row = (
            entry.round_opens_on,
            entry.measure_code,
            entry.office,
            entry.version,
            _local_naive(entry.submitted_at, zone),
            entry.author or NO_AUTHOR,
        )
        indicator_note = _text(entry.indicator_note)
        if not entry.answers:
            yield _safe((*head, *([None] * 8), indicator_note))
        for terms, target, answer in entry.answers:
            yield _safe(
                (
                    *head,
                    horizon_text(terms),
                    target,
                    _status(answer.status),
                    _yes_no(answer.carried_over),
                    _text(answer.note),
                    _obstacle(answer.obstacle),
                    _yes_no(answer.support_requested),
                    _text(answer.support_note),
                    indicator_note,
                )
            )


async def _each(history: HistorySource) -> AsyncIterator[HistoryEntry]:
    """The entries of a plain or async iterable, giving other tasks a turn now and then."""
    if isinstance(history, AsyncIterable):
        count = 0
        async for entry in history:
            yield entry
            count += 1
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)
    else:
        for count, entry in enumerate(history, 1):
            yield entry
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)


# --- Excel -----------------------------------------------------------------------------------


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unused Excel sheet name for ``text``; records it (case-folded) in ``taken``.

    Excel allows at most 31 characters, none of ``[]:*?/\\``, no apostrophe at either end,
    and compares names without regard to case.
    """
    clean = " ".join(_ILLEGAL_CHARACTERS.sub("", _SHEET_FORBIDDEN.sub(" ", text)).split())
    clean = clean.strip("'").strip() or str(len(taken) + 1)

    def shorten(limit: int) -> str:
        if len(clean) <= limit:
            return clean
        cut = clean[: limit - 1]
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


class _Sheet:
    """A write-only sheet: column widths, a bold frozen header, dated cells, an autofilter."""

    def __init__(
        self, workbook: Workbook, title: str, columns: tuple[str, ...], widths: tuple[int, ...]
    ) -> None:
        self.sheet = workbook.create_sheet(title)
        self.columns = len(columns)
        self.rows = 0
        # Widths, view and filter are written around the rows: set before the first row.
        for index, width in enumerate(widths, 1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        # One styled cell per date column, reused row by row: a write-only sheet writes a
        # row out completely inside append(), and a fresh styled cell per value costs.
        self.dated: dict[int, WriteOnlyCell] = {}
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.sheet, value=column)
            cell.font = bold
            header.append(cell)
        self._write(header)

    def _write(self, values: list[object]) -> None:
        self.sheet.append(values)
        self.rows += 1

    def append(self, row: Row) -> None:
        """The row, dates and times as real dates shown in German notation."""
        values: list[object] = list(row)
        for index, value in enumerate(row):
            if isinstance(value, date):
                cell = self.dated.get(index)
                if cell is None:
                    cell = self.dated[index] = WriteOnlyCell(self.sheet)
                    cell.number_format = (
                        DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
                    )
                cell.value = value
                values[index] = cell
        self._write(values)

    def finish(self) -> None:
        """Autofilter over the header and all rows (written with the sheet's tail)."""
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{self.rows}"


async def write_xlsx(
    target: BinaryIO,
    snapshot: Snapshot,
    history: HistorySource,
    zone: ZoneInfo,
    rows_per_sheet: int = EXCEL_ROWS - 1,
) -> None:
    """Write the workbook to ``target``: a sheet per field of action, then the history.

    ``history`` may be an async iterator (such as :func:`storage.status.full_history`);
    its entries are written as they come and never held all at once. A history longer
    than an Excel sheet can hold continues on "Verlauf 2", "Verlauf 3", ...
    """
    workbook = Workbook(write_only=True)
    try:
        taken = {texts.EXPORT_HISTORY_SHEET.casefold(), "history"}  # "History" is reserved
        for field in snapshot.fields:
            title = sheet_name(field_label(field), taken)
            sheet = _Sheet(workbook, title, texts.EXPORT_CURRENT_COLUMNS, CURRENT_WIDTHS)
            for row in current_rows(field, zone):
                sheet.append(row)
            sheet.finish()
        sheet = _Sheet(
            workbook, texts.EXPORT_HISTORY_SHEET, texts.EXPORT_HISTORY_COLUMNS, HISTORY_WIDTHS
        )
        rows, sheets = 0, 1
        async for entry in _each(history):
            for row in history_rows((entry,), zone):
                if rows == rows_per_sheet:
                    sheet.finish()
                    sheets, rows = sheets + 1, 0
                    title = f"{texts.EXPORT_HISTORY_SHEET} {sheets}"
                    sheet = _Sheet(workbook, title, texts.EXPORT_HISTORY_COLUMNS, HISTORY_WIDTHS)
                sheet.append(row)
                rows += 1
        sheet.finish()
    except BaseException:
        _discard(workbook)
        raise
    # Zipping a large workbook takes a while; keep the event loop free meanwhile.
    await asyncio.to_thread(workbook.save, target)


def _discard(workbook: Workbook) -> None:
    """Remove the temporary files of an unfinished write-only workbook.

    Saving removes them; without this an aborted export would leave them behind until
    the process ends (openpyxl deletes them only at exit).
    """
    for sheet in workbook.worksheets:
        writer = sheet._writer
        if writer is not None:
            with contextlib.suppress(Exception):
                sheet.close()
            with contextlib.suppress(OSError, ValueError):
                writer.cleanup()


async def build_xlsx(snapshot: Snapshot, history: HistorySource, zone: ZoneInfo) -> bytes:
    """The workbook of :func:`write_xlsx` as bytes (for sending it as a document)."""
    buffer = io.BytesIO()
    await write_xlsx(buffer, snapshot, history, zone)
    return buffer.getvalue()


# --- CSV -------------------------------------------------------------------------------------


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _csv_text(target: BinaryIO) -> io.TextIOWrapper:
    # UTF-8 with BOM (and ";" between fields): what German Excel expects on double-click.
    return io.TextIOWrapper(target, encoding="utf-8-sig", newline="")


async def write_csv(
    current_target: BinaryIO,
    history_target: BinaryIO,
    snapshot: Snapshot,
    history: HistorySource,
    zone: ZoneInfo,
) -> None:
    """The current state of all fields (first column: the field) and the history as CSV."""
    text = _csv_text(current_target)
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    writer.writerow((texts.EXPORT_FIELD_COLUMN, *texts.EXPORT_CURRENT_COLUMNS))
    for field in snapshot.fields:
        label = neutralise(field_label(field))
        for row in current_rows(field, zone):
            writer.writerow((label, *map(_csv_value, row)))
    text.flush()
    text.detach()  # leave the target open for the caller

    text = _csv_text(history_target)
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    writer.writerow(texts.EXPORT_HISTORY_COLUMNS)
    async for entry in _each(history):
        for row in history_rows((entry,), zone):
            writer.writerow(map(_csv_value, row))
    text.flush()
    text.detach()


async def build_csv(
    snapshot: Snapshot, history: HistorySource, zone: ZoneInfo
) -> tuple[bytes, bytes]:
    """The two CSV files of :func:`write_csv` as bytes: (current state, history)."""
    current, past = io.BytesIO(), io.BytesIO()
    await write_csv(current, past, snapshot, history, zone)
    return current.getvalue(), past.getvalue()
