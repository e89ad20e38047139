"""Exports of the current state and the full history as Excel workbook or CSV files.

No Telegram here; the current state comes as a :class:`storage.status.Snapshot`, the
history as a :class:`storage.history.StoredHistory` (read round by round as it is
written) or, in tests, as a list of batches. What each column shows comes from
:mod:`bot.render.export_values`.

The workbook is written by :mod:`bot.render.xlsx`; its history sheet, which can run to millions
of rows, is rendered by :mod:`bot.render.history_sheet`. :func:`history_rows` gives the same
rows as plain values, for CSV.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from types import MappingProxyType
from typing import BinaryIO
from zoneinfo import ZoneInfo

from bot.render import texts, xlsx
from bot.render.evidence import evidence_cell
from bot.render.export_values import (
    Cell,
    Row,
    answer_state,
    answer_support,
    answer_target,
    author,
    field_label,
    free_text,
    horizon_text,
    local_naive,
    neutralise,
    obstacles_cell,
    safe,
    status_word,
    terms_text,
    yes_no,
)
from bot.render.history_sheet import BULK_GC_THRESHOLD, HistoryCells, known_names, rendered_rounds
from storage.answers import Answer
from storage.evidence import EvidenceItem
from storage.history import History, batches_in
from storage.status import FieldState, Snapshot

SHEET_NAME_LIMIT = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_ILLEGAL = re.compile(r"[\x00-\x1f]")
CSV_DELIMITER = ";"
CURRENT_WIDTHS = (9, 45, 22, 14, 45, 15, 14, 30, 13, 45, 20, 12, 35, 35, 35)
# Files sent as evidence, by (measure code, office); see storage.evidence.
Evidence = Mapping[tuple[str, str], Sequence[EvidenceItem]]
NO_EVIDENCE: Evidence = MappingProxyType({})
HISTORY_WIDTHS = (12, 9, 30, 8, 17, 20, 22, 45, 15, 12, 45, 20, 12, 35, 35)

assert len(CURRENT_WIDTHS) == len(texts.EXPORT_CURRENT_COLUMNS)
assert len(HISTORY_WIDTHS) == len(texts.EXPORT_HISTORY_COLUMNS)


# --- rows ------------------------------------------------------------------------------------


def current_rows(field: FieldState, zone: ZoneInfo, evidence: Evidence = NO_EVIDENCE) -> list[Row]:
    """The current state of one field: a row per horizon target and reporting office.

    The last column lists the files the office sent as evidence for the measure.

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
                rows.append(safe((*head, texts.NO_REPORT, *([None] * 9))))
            for report in target.reports:
                rows.append(
                    safe(
                        (
                            *head,
                            status_word(report.status),
                            report.submitted_at.astimezone(zone).date(),
                            report.office,
                            texts.CURRENT_YES if measure.is_current(report) else texts.CURRENT_NO,
                            free_text(report.note),
                            obstacles_cell(report.obstacles, report.obstacle_note),
                            yes_no(report.support_requested),
                            free_text(report.support_note),
                            free_text(indicator_notes.get(report.office)),
                            evidence_cell(evidence.get((measure.code, report.office), ()), zone),
                        )
                    )
                )
    return rows


def history_rows(answers: Iterable[Answer], zone: ZoneInfo) -> Iterator[Row]:
    """A row per answer, columns as :data:`texts.EXPORT_HISTORY_COLUMNS`.

    A version without answers (a measure without active targets) is one answer without a
    target: its row keeps the indicator note, the answer's columns stay empty.
    """
    for answer in answers:
        head = (
            answer.round_opens_on,
            answer.measure_code,
            answer.office,
            answer.version,
            local_naive(answer.submitted_at, zone),
            *author((answer.author, answer.office if answer.on_behalf else None)),
        )
        indicator_note = free_text(answer.indicator_note)
        if answer.terms is None or answer.target is None:
            yield safe((*head, *([None] * 8), indicator_note))
            continue
        yield safe(
            (
                *head,
                *answer_target((answer.terms, answer.target)),
                *answer_state((answer.status, answer.carried_over)),
                free_text(answer.note),
                *answer_support((answer.obstacles, answer.obstacle_note, answer.support_requested)),
                free_text(answer.support_note),
                indicator_note,
            )
        )


# --- Excel -----------------------------------------------------------------------------------


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unused Excel sheet name for ``text``; records it (case-folded) in ``taken``.

    Excel allows at most 31 characters, none of ``[]:*?/\\``, no apostrophe at either end,
    and compares names without regard to case.
    """
    clean = " ".join(_SHEET_ILLEGAL.sub("", _SHEET_FORBIDDEN.sub(" ", text)).split())
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


_bulk_users = 0
_saved_thresholds = gc.get_threshold()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Let the garbage collector run less often while millions of short-lived rows are made.

    With Python's default (a collection every 700 new objects) a long export spends about
    half its time collecting. Concurrent exports share the setting; the last one to end
    restores the previous one.
    """
    global _bulk_users, _saved_thresholds
    if _bulk_users == 0:
        _saved_thresholds = gc.get_threshold()
        gc.set_threshold(BULK_GC_THRESHOLD, *_saved_thresholds[1:])
    _bulk_users += 1
    try:
        yield
    finally:
        _bulk_users -= 1
        if _bulk_users == 0:
            gc.set_threshold(*_saved_thresholds)


async def write_xlsx(
    target: BinaryIO,
    snapshot: Snapshot,
    history: History,
    zone: ZoneInfo,
    rows_per_sheet: int = xlsx.SHEET_ROWS - 1,
    evidence: Evidence = NO_EVIDENCE,
) -> None:
    """Write the workbook to ``target``: a sheet per field of action, then the history.

    The history is written round by round as it is read, never held all at once; one
    longer than an Excel sheet can hold continues on "Verlauf 2", "Verlauf 3", ...
    ``target`` must be seekable (a file or ``io.BytesIO``).
    """
    with fewer_collections():
        async with xlsx.Workbook(target) as book:
            taken = {texts.EXPORT_HISTORY_SHEET.casefold(), "history"}  # "History" is reserved
            for field in snapshot.fields:
                title = sheet_name(field_label(field), taken)
                sheet = book.add_sheet(title, texts.EXPORT_CURRENT_COLUMNS, CURRENT_WIDTHS)
                for row in current_rows(field, zone, evidence):
                    sheet.append(row)
                await sheet.close()
            await _write_history(book, history, zone, rows_per_sheet)


async def _write_history(
    book: xlsx.Workbook, history: History, zone: ZoneInfo, rows_per_sheet: int
) -> None:
    cells = HistoryCells.prepare(known_names(history), book.cells, zone)
    sheets, written = 1, 0
    sheet = book.add_sheet(texts.EXPORT_HISTORY_SHEET, texts.EXPORT_HISTORY_COLUMNS, HISTORY_WIDTHS)
    async with contextlib.aclosing(rendered_rounds(history, cells)) as rounds:
        async for rows in rounds:
            start = 0
            while start < len(rows):
                if written == rows_per_sheet:
                    await sheet.close()
                    sheets, written = sheets + 1, 0
                    sheet = book.add_sheet(
                        f"{texts.EXPORT_HISTORY_SHEET} {sheets}",
                        texts.EXPORT_HISTORY_COLUMNS,
                        HISTORY_WIDTHS,
                    )
                part = rows[start : start + rows_per_sheet - written]
                sheet.add_rows(part)
                written += len(part)
                start += len(part)
            await sheet.drain()
    await sheet.close()


async def build_xlsx(
    snapshot: Snapshot, history: History, zone: ZoneInfo, evidence: Evidence = NO_EVIDENCE
) -> bytes:
    """The workbook of :func:`write_xlsx` as bytes (for sending it as a document)."""
    buffer = io.BytesIO()
    await write_xlsx(buffer, snapshot, history, zone, evidence=evidence)
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
    history: History,
    zone: ZoneInfo,
    evidence: Evidence = NO_EVIDENCE,
) -> None:
    """The current state of all fields (first column: the field) and the history as CSV."""
    text = _csv_text(current_target)
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    writer.writerow((texts.EXPORT_FIELD_COLUMN, *texts.EXPORT_CURRENT_COLUMNS))
    for field in snapshot.fields:
        label = neutralise(field_label(field))
        for row in current_rows(field, zone, evidence):
            writer.writerow((label, *map(_csv_value, row)))
    text.flush()
    text.detach()  # leave the target open for the caller

    text = _csv_text(history_target)
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    writer.writerow(texts.EXPORT_HISTORY_COLUMNS)
    with fewer_collections():
        async for batch in batches_in(history):
            for row in history_rows(batch, zone):
                writer.writerow(map(_csv_value, row))
    text.flush()
    text.detach()


async def build_csv(
    snapshot: Snapshot, history: History, zone: ZoneInfo, evidence: Evidence = NO_EVIDENCE
) -> tuple[bytes, bytes]:
    """The two CSV files of :func:`write_csv` as bytes: (current state, history)."""
    current, past = io.BytesIO(), io.BytesIO()
    await write_csv(current, past, snapshot, history, zone, evidence)
    return current.getvalue(), past.getvalue()
