"""The state of the plan as the views need it: read models, built with a fixed number of queries.

The current state comes from ``latest_reports`` (one row per measure and office), so it
costs the same after one round as after ten years. The history of one measure and the
full history for the export read ``reports`` and are the only reads that grow with time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
    Contact,
    FieldOfAction,
    Goal,
    HorizonTarget,
    LatestReport,
    Measure,
    Obstacle,
    Office,
    Report,
    ReportingRound,
    Status,
    TargetAnswer,
)

# From most to least critical: a measure shared by several offices shows the worst.
CRITICALITY: tuple[Status, ...] = (
    Status.AT_RISK,
    Status.DELAYED,
    Status.NOT_STARTED,
    Status.ON_TRACK,
    Status.ACHIEVED,
    Status.DROPPED,
)


def most_critical(statuses: Iterable[Status | None]) -> Status | None:
    """The overall status of several reports: the most critical one."""
    known = [status for status in statuses if status is not None]
    return min(known, key=CRITICALITY.index) if known else None


@dataclass(frozen=True)
class RoundInfo:
    id: int
    opens_on: date
    due_on: date


@dataclass(frozen=True)
class OfficeReport:
    """One office's latest submitted answer on one horizon target."""

    office: str
    status: Status | None
    note: str | None
    obstacle: Obstacle | None
    support_requested: bool
    support_note: str | None
    carried_over: bool
    submitted_at: datetime
    current: bool  # submitted in the current round


@dataclass(frozen=True)
class TargetState:
    id: int
    terms: str  # "kurz", "mittel+lang"
    target: str
    reports: tuple[OfficeReport, ...]

    @property
    def overall(self) -> Status | None:
        return most_critical(r.status for r in self.reports)


@dataclass(frozen=True)
class MeasureState:
    id: int
    code: str
    title: str
    indicator: str
    offices: tuple[str, ...]
    targets: tuple[TargetState, ...]
    indicator_notes: tuple[tuple[str, str], ...]  # (office, note) of the latest reports
    reported_in_round: frozenset[str]  # offices that submitted in the current round

    @property
    def overall(self) -> Status | None:
        return most_critical(t.overall for t in self.targets)

    @property
    def reported(self) -> bool:
        """Every responsible office has reported in the current round."""
        return set(self.offices) <= self.reported_in_round


@dataclass(frozen=True)
class GoalState:
    code: str
    title: str
    measures: tuple[MeasureState, ...]


@dataclass(frozen=True)
class FieldState:
    numeral: str
    title: str
    goals: tuple[GoalState, ...]

    def measures(self) -> list[MeasureState]:
        return [m for goal in self.goals for m in goal.measures]

    def targets(self) -> list[TargetState]:
        return [t for m in self.measures() for t in m.targets]


@dataclass(frozen=True)
class Snapshot:
    fields: tuple[FieldState, ...]
    round: RoundInfo | None
    contacts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # office → names

    def measures(self) -> list[MeasureState]:
        return [m for f in self.fields for m in f.measures()]

    def find_measure(self, code: str) -> MeasureState | None:
        return next((m for m in self.measures() if m.code == code), None)

    def find_goal(self, code: str) -> tuple[FieldState, GoalState] | None:
        for field_state in self.fields:
            for goal in field_state.goals:
                if goal.code == code:
                    return field_state, goal
        return None

    def restricted_to(self, offices: Iterable[str]) -> Snapshot:
        """Only the measures of these offices (what a contact may see)."""
        allowed = set(offices)
        fields = []
        for field_state in self.fields:
            goals = []
            for goal in field_state.goals:
                measures = tuple(m for m in goal.measures if allowed & set(m.offices))
                if measures:
                    goals.append(replace(goal, measures=measures))
            if goals:
                fields.append(replace(field_state, goals=tuple(goals)))
        return replace(self, fields=tuple(fields))


async def current_round_info(session: AsyncSession, today: date) -> RoundInfo | None:
    row = await session.scalar(
        select(ReportingRound)
        .where(ReportingRound.opens_on <= today)
        .order_by(ReportingRound.opens_on.desc())
        .limit(1)
    )
    return RoundInfo(row.id, row.opens_on, row.due_on) if row else None


async def load_snapshot(session: AsyncSession, today: date) -> Snapshot:
    """The current state of every active measure, with each office's latest report."""
    round_info = await current_round_info(session, today)
    fields = list(
        await session.scalars(
            select(FieldOfAction)
            .where(FieldOfAction.retired.is_(False))
            .order_by(FieldOfAction.position)
            .options(
                selectinload(FieldOfAction.goals)
                .selectinload(Goal.measures)
                .options(selectinload(Measure.horizons), selectinload(Measure.offices))
            )
        )
    )
    latest = (
        await session.execute(
            select(LatestReport, Report.indicator_note, Office.name)
            .join(Report, Report.id == LatestReport.report_id)
            .join(Office, Office.id == LatestReport.office_id)
        )
    ).all()
    answers = await _answers_of([row[0].report_id for row in latest], session)
    by_target: dict[int, list[OfficeReport]] = defaultdict(list)
    notes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    in_round: dict[int, set[str]] = defaultdict(set)
    for entry, indicator_note, office in latest:
        current = round_info is not None and entry.round_id == round_info.id
        if current:
            in_round[entry.measure_id].add(office)
        if indicator_note:
            notes[entry.measure_id].append((office, indicator_note))
        for answer in answers.get(entry.report_id, []):
            by_target[answer.horizon_target_id].append(
                OfficeReport(
                    office=office,
                    status=answer.status,
                    note=answer.progress_note,
                    obstacle=answer.obstacle,
                    support_requested=bool(answer.support_requested),
                    support_note=answer.support_note,
                    carried_over=answer.carried_over,
                    submitted_at=entry.submitted_at,
                    current=current,
                )
            )
    contacts = await _contacts_by_office(session)
    return Snapshot(
        fields=tuple(
            FieldState(
                numeral=f.numeral,
                title=f.title,
                goals=tuple(
                    GoalState(
                        code=g.code,
                        title=g.title,
                        measures=tuple(
                            _measure_state(m, by_target, notes, in_round)
                            for m in g.measures
                            if not m.retired
                        ),
                    )
                    for g in f.goals
                    if not g.retired
                ),
            )
            for f in fields
        ),
        round=round_info,
        contacts=contacts,
    )


def _office_order(
    reports: Sequence[OfficeReport], offices: Sequence[str]
) -> tuple[OfficeReport, ...]:
    rank = {name: n for n, name in enumerate(offices)}
    return tuple(sorted(reports, key=lambda r: rank.get(r.office, len(rank))))


def _measure_state(
    measure: Measure,
    by_target: dict[int, list[OfficeReport]],
    notes: dict[int, list[tuple[str, str]]],
    in_round: dict[int, set[str]],
) -> MeasureState:
    offices = tuple(o.name for o in measure.offices)
    return MeasureState(
        id=measure.id,
        code=measure.code,
        title=measure.title,
        indicator=measure.indicator,
        offices=offices,
        targets=tuple(
            TargetState(h.id, h.terms, h.target, _office_order(by_target.get(h.id, []), offices))
            for h in measure.horizons
            if not h.retired
        ),
        indicator_notes=tuple(notes.get(measure.id, [])),
        reported_in_round=frozenset(in_round.get(measure.id, set())),
    )


async def _answers_of(
    report_ids: list[int], session: AsyncSession
) -> dict[int, list[TargetAnswer]]:
    found: dict[int, list[TargetAnswer]] = defaultdict(list)
    for chunk in range(0, len(report_ids), 5000):
        rows = await session.scalars(
            select(TargetAnswer).where(TargetAnswer.report_id.in_(report_ids[chunk : chunk + 5000]))
        )
        for answer in rows:
            found[answer.report_id].append(answer)
    return found


async def _contacts_by_office(session: AsyncSession) -> dict[str, tuple[str, ...]]:
    contacts = await session.scalars(
        select(Contact).where(Contact.active.is_(True)).options(selectinload(Contact.offices))
    )
    names: dict[str, list[str]] = defaultdict(list)
    for contact in contacts:
        for office in contact.offices:
            names[office.name].append(contact.display_name)
    return {office: tuple(sorted(people)) for office, people in names.items()}


# --- history ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One submitted report version with its answers, for history views and exports."""

    round_opens_on: date
    measure_code: str
    office: str
    version: int
    submitted_at: datetime
    author: str | None
    indicator_note: str | None
    answers: tuple[tuple[str, str, TargetAnswerView], ...]  # (terms, target, answer)


@dataclass(frozen=True)
class TargetAnswerView:
    status: Status | None
    note: str | None
    obstacle: Obstacle | None
    support_requested: bool
    support_note: str | None
    carried_over: bool


HistoryRow = tuple[Report, date, str, str, str | None]


async def _history_rows(
    session: AsyncSession, condition: ColumnElement[bool], *order: Any
) -> list[HistoryRow]:
    """Submitted reports with their round's date, measure code, office and author."""
    result = await session.execute(
        select(Report, ReportingRound.opens_on, Measure.code, Office.name, Contact.display_name)
        .join(ReportingRound, ReportingRound.id == Report.round_id)
        .join(Measure, Measure.id == Report.measure_id)
        .join(Office, Office.id == Report.office_id)
        .outerjoin(Contact, Contact.id == Report.author_id)
        .where(Report.submitted_at.is_not(None), condition)
        .order_by(*order)
    )
    return [cast(HistoryRow, tuple(row)) for row in result.all()]


async def measure_history(session: AsyncSession, measure_id: int) -> list[HistoryEntry]:
    """Every submitted version on one measure, oldest first."""
    rows = await _history_rows(
        session,
        Report.measure_id == measure_id,
        ReportingRound.opens_on,
        Office.position,
        Report.version,
    )
    return await _entries(session, rows)


async def full_history(session: AsyncSession) -> AsyncIterator[HistoryEntry]:
    """Every submitted version on every measure, round by round, in plan order."""
    rounds = list(
        await session.scalars(select(ReportingRound.id).order_by(ReportingRound.opens_on))
    )
    for round_id in rounds:
        rows = await _history_rows(
            session, Report.round_id == round_id, Measure.code, Office.position, Report.version
        )
        for entry in await _entries(session, rows):
            yield entry


async def _entries(session: AsyncSession, rows: Sequence[HistoryRow]) -> list[HistoryEntry]:
    reports = [row[0] for row in rows]
    answers = await _answers_of([r.id for r in reports], session)
    target_ids = {a.horizon_target_id for group in answers.values() for a in group}
    targets = (
        {
            t.id: t
            for t in await session.scalars(
                select(HorizonTarget).where(HorizonTarget.id.in_(target_ids))
            )
        }
        if target_ids
        else {}
    )
    entries = []
    for report, opens_on, code, office, author in rows:
        ordered = sorted(
            answers.get(report.id, []), key=lambda a: targets[a.horizon_target_id].position
        )
        assert report.submitted_at is not None  # only submitted reports are history
        entries.append(
            HistoryEntry(
                round_opens_on=opens_on,
                measure_code=code,
                office=office,
                version=report.version or 0,
                submitted_at=report.submitted_at,
                author=author,
                indicator_note=report.indicator_note,
                answers=tuple(
                    (
                        targets[a.horizon_target_id].terms,
                        targets[a.horizon_target_id].target,
                        TargetAnswerView(
                            a.status,
                            a.progress_note,
                            a.obstacle,
                            bool(a.support_requested),
                            a.support_note,
                            a.carried_over,
                        ),
                    )
                    for a in ordered
                ),
            )
        )
    return entries
