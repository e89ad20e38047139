"""What the exports show, row by row, and the CSV files for tools.

No Telegram here; the current state comes as a :class:`storage.report_basis.ReportBasis`,
the history as a :class:`storage.history.StoredHistory` (read round by round as it is
written) or, in tests, as a list of batches. What each cell says comes from
:mod:`bot.render.export_values`.

The same rows feed every format: :mod:`bot.render.workbook` lays them out for Excel,
:mod:`bot.render.pdf` for print, and :func:`write_csv` writes them as they are for tools
(every column of the workbook, plus the field and goal that the workbook shows as headings).
Rows hold plain values; each format makes texts safe in its own way (CSV neutralises formula
starts, the workbook writes every text as text).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import BinaryIO, NamedTuple
from zoneinfo import ZoneInfo

from bot.render import texts
from bot.render.chart import status_counts as target_counts
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
    obstacles_cell,
    safe,
    status_word,
    yes_no,
)
from bot.render.views import parts
from storage.answers import Answer, by_version
from storage.history import History, batches_in
from storage.models import Status
from storage.report_basis import NO_EVIDENCE, Evidence
from storage.status import FieldState, GoalState, MeasureState, Snapshot, TargetState

CSV_DELIMITER = ";"


class Part(NamedTuple):
    """A row of the current state: one horizon target of a measure and one office.

    Every responsible office has a part for every target, reported or not; an office that
    reported but is no longer responsible keeps its part after them.
    """

    goal: GoalState
    measure: MeasureState
    target: TargetState | None  # None: the measure has no horizon target (then one part)
    office: str
    answer: Answer | None  # the office's latest answer on the target; None: no report yet
    first: bool  # the measure's first part (where its title and indicator are shown)
    cells: Row  # as texts.EXPORT_CURRENT_COLUMNS

    @property
    def status(self) -> Status | None:
        return self.answer.status if self.answer is not None else None


def _cells(
    measure: MeasureState,
    target: TargetState | None,
    office: str,
    found: Answer | None,
    zone: ZoneInfo,
    evidence: Evidence,
) -> Row:
    head = (
        measure.code,
        measure.title,
        measure.indicator,
        horizon_text(target.terms) if target is not None else None,
        target.target if target is not None else None,
        office,
    )
    indicator_notes = dict(measure.indicator_notes)
    if found is None:
        if target is None:  # nothing to report but the figures
            figures = free_text(indicator_notes.get(office))
            return (
                *head,
                *([None] * 8),
                figures,
                evidence_cell(evidence.get((measure.code, office), ()), zone),
            )
        return (*head, texts.NO_REPORT, *([None] * 9))
    return (
        *head,
        status_word(found.status),
        found.submitted_at.astimezone(zone).date(),
        texts.CURRENT_YES if measure.is_current(found) else texts.CURRENT_NO,
        *author((found.author, office if found.on_behalf else None)),
        free_text(found.note),
        obstacles_cell(found.obstacles, found.obstacle_note),
        yes_no(found.support_requested),
        free_text(found.support_note),
        free_text(indicator_notes.get(office)),
        evidence_cell(evidence.get((measure.code, office), ()), zone),
    )


def measure_parts(
    goal: GoalState, measure: MeasureState, zone: ZoneInfo, evidence: Evidence = NO_EVIDENCE
) -> list[Part]:
    """The parts of one measure: per horizon target, every responsible office in the
    catalogue's order (those without a report too)."""
    parts: list[Part] = []
    if not measure.targets:
        for office in measure.offices:
            cells = _cells(measure, None, office, None, zone, evidence)
            parts.append(Part(goal, measure, None, office, None, not parts, cells))
    for target in measure.targets:
        latest = {report.office: report for report in target.reports}
        offices = [*measure.offices, *(o for o in latest if o not in measure.offices)]
        for office in offices:
            found = latest.get(office)
            cells = _cells(measure, target, office, found, zone, evidence)
            parts.append(Part(goal, measure, target, office, found, not parts, cells))
    return parts


def field_parts(field: FieldState, zone: ZoneInfo, evidence: Evidence = NO_EVIDENCE) -> list[Part]:
    """The parts of a field's measures, goal by goal, in the plan's order."""
    return [
        part
        for goal in field.goals
        for measure in goal.measures
        for part in measure_parts(goal, measure, zone, evidence)
    ]


class FieldSummary(NamedTuple):
    """A field of action's line in the overview, counted as ``/status`` counts."""

    label: str  # "I Sprache und Bildung"
    counts: Counter[Status | None]  # horizon targets by overall status; None: no report yet
    parts: tuple[int, int]  # (reported this round, all): a part is a measure for one office
    offices: tuple[int, int]  # (offices that reported this round, responsible offices)


def field_summary(field: FieldState) -> FieldSummary:
    measures = field.measures()
    responsible = {office for measure in measures for office in measure.offices}
    reported = {office for measure in measures for office in measure.reported_in_round}
    return FieldSummary(
        field_label(field),
        target_counts(field),
        parts(measures, None),
        (len(reported & responsible), len(responsible)),
    )


def total_summary(summaries: Sequence[FieldSummary], snapshot: Snapshot) -> FieldSummary:
    """All fields together; an office responsible in several fields counts once."""
    measures = snapshot.measures()
    responsible = {office for measure in measures for office in measure.offices}
    reported = {office for measure in measures for office in measure.reported_in_round}
    counts: Counter[Status | None] = Counter()
    for summary in summaries:
        counts.update(summary.counts)
    return FieldSummary(
        texts.REPORT_TOTAL,
        counts,
        parts(measures, None),
        (len(reported & responsible), len(responsible)),
    )


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
            yield (*head, *([None] * 8), indicator_note)
            continue
        yield (
            *head,
            *answer_target((answer.terms, answer.target)),
            *answer_state((answer.status, answer.carried_over)),
            free_text(answer.note),
            *answer_support((answer.obstacles, answer.obstacle_note, answer.support_requested)),
            free_text(answer.support_note),
            indicator_note,
        )


def newest_first(batch: Sequence[Answer]) -> list[Answer]:
    """The answers of one round with the newest version first (a version's answers stay in
    the order of its targets)."""
    versions = sorted(by_version(batch), key=lambda version: version[0].submitted_at, reverse=True)
    return [answer for version in versions for answer in version]


async def history_batches(history: History) -> AsyncIterator[list[Answer]]:
    """The whole history, newest round first and within a round newest version first."""
    async for batch in batches_in(history, newest_first=True):
        yield newest_first(batch)


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


def current_csv_rows(
    fields: Iterable[FieldState], zone: ZoneInfo, evidence: Evidence = NO_EVIDENCE
) -> Iterator[Row]:
    """The workbook's field sheets as one table: field and goal first, then every column."""
    for field in fields:
        label = field_label(field)
        for part in field_parts(field, zone, evidence):
            yield (label, part.goal.code, part.goal.title, *part.cells)


async def write_csv(
    current_target: BinaryIO,
    history_target: BinaryIO,
    fields: Sequence[FieldState],
    history: History,
    zone: ZoneInfo,
    evidence: Evidence = NO_EVIDENCE,
) -> None:
    """The current state of all fields and the history (newest first) as CSV.

    The history is written round by round as it is read: memory does not grow with it.
    """
    text = _csv_text(current_target)
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    writer.writerow((*texts.EXPORT_FIELD_COLUMNS, *texts.EXPORT_CURRENT_COLUMNS))
    for row in current_csv_rows(fields, zone, evidence):
        writer.writerow(map(_csv_value, safe(row)))
    text.flush()
    text.detach()  # leave the target open for the caller

    text = _csv_text(history_target)
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    writer.writerow(texts.EXPORT_HISTORY_COLUMNS)
    async for batch in history_batches(history):
        writer.writerows(map(_csv_value, safe(row)) for row in history_rows(batch, zone))
        text.flush()
    text.flush()
    text.detach()


async def build_csv(
    fields: Sequence[FieldState],
    history: History,
    zone: ZoneInfo,
    evidence: Evidence = NO_EVIDENCE,
) -> tuple[bytes, bytes]:
    """The two CSV files of :func:`write_csv` as bytes: (current state, history)."""
    current, past = io.BytesIO(), io.BytesIO()
    await write_csv(current, past, fields, history, zone, evidence)
    return current.getvalue(), past.getvalue()
