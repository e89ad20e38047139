"""The state of the plan as the views need it: read models, built with a fixed number of queries.

The current state comes from ``latest_reports`` (one row per measure and office), so it
costs the same after one round as after ten years. The history (of one measure, or all
of it for the export) is read by :mod:`storage.history`; only those reads grow with time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.answers import Answer
from storage.models import (
    CatalogueInfo,
    Contact,
    FieldOfAction,
    Goal,
    HorizonTarget,
    LatestReport,
    Measure,
    Office,
    Report,
    ReportingRound,
    Revision,
    Status,
    TargetAnswer,
    measure_offices,
)
from storage.reporting import REPORTS_REVISION, current_round

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


# A goal's or measure's code as people type it: the field's numeral in any case or as an
# arabic number, then the goal's and maybe the measure's number ("v.1.2", "5.1.2").
_TYPED_CODE = re.compile(r"([IVXLCDM]+|[0-9]+)\.([0-9]+)(?:\.([0-9]+))?", re.IGNORECASE)
_CODE_EDGES = "\"'„“”«»‚‘’()[] "  # quotes and brackets around a typed code
_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def roman(number: int) -> str:
    """5 → 'V', 14 → 'XIV' (for a positive number)."""
    digits = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        digits.append(letters * count)
    return "".join(digits)


def canonical_code(text: str) -> str | None:
    """A goal's or measure's code as the catalogue writes it, from how people type it.

    Any case (``v.1.2``), the field as an arabic number (``5.1.2`` → ``V.1.2``, ``3.1`` →
    ``III.1``), with punctuation after it (``V.1.2.``, ``V.1.2,``) or quotes around it;
    leading zeros go (``V.01.2``). None if ``text`` is not shaped like a code.
    """
    core = text.strip().strip(_CODE_EDGES).rstrip(".,;:!?").strip(_CODE_EDGES)
    match = _TYPED_CODE.fullmatch(core)
    if match is None:
        return None
    field_part, goal, measure = match.groups()
    if field_part.isdigit():
        if int(field_part) == 0:
            return None
        field_part = roman(int(field_part))
    numbers = [str(int(part)) for part in (goal, measure) if part is not None]
    return ".".join([field_part.upper(), *numbers])


@dataclass(frozen=True)
class RoundInfo:
    id: int
    opens_on: date
    due_on: date


@dataclass(frozen=True)
class TargetState:
    id: int
    terms: str  # "kurz", "mittel+lang"
    target: str
    reports: tuple[Answer, ...]  # each office's latest answer, in the measure's office order

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

    def is_current(self, answer: Answer) -> bool:
        """Whether this latest answer was given in the current round (not older)."""
        return answer.office in self.reported_in_round


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

    def measures(self) -> list[MeasureState]:
        return [m for f in self.fields for m in f.measures()]

    def find_measure(self, code: str) -> MeasureState | None:
        """The measure with this code, written as people type it (see :func:`canonical_code`)."""
        wanted = canonical_code(code) or code
        return next((m for m in self.measures() if m.code == wanted), None)

    def find_goal(self, code: str) -> tuple[FieldState, GoalState] | None:
        """The goal with this code and its field (any spelling, see :func:`canonical_code`)."""
        wanted = canonical_code(code) or code
        for field_state in self.fields:
            for goal in field_state.goals:
                if goal.code == wanted:
                    return field_state, goal
        return None

    def offices(self) -> list[str]:
        """The responsible offices, in the order they first appear in the plan."""
        return list(dict.fromkeys(office for m in self.measures() for office in m.offices))

    def with_open_support(self, open_keys: frozenset[tuple[int, str]]) -> Snapshot:
        """The support marks as the open requests have them: an answer asks for support
        iff a request for its target (id) and office is open (:mod:`storage.support`), so
        that a resolved request shows no 🆘 and one from an earlier round still does."""

        def target(state: TargetState) -> TargetState:
            reports = tuple(
                r
                if r.support_requested == ((state.id, r.office) in open_keys)
                else r._replace(support_requested=(state.id, r.office) in open_keys)
                for r in state.reports
            )
            return state if reports == state.reports else replace(state, reports=reports)

        def measure(state: MeasureState) -> MeasureState:
            targets = tuple(target(t) for t in state.targets)
            return state if targets == state.targets else replace(state, targets=targets)

        fields = tuple(
            replace(
                f,
                goals=tuple(
                    replace(g, measures=tuple(measure(m) for m in g.measures)) for g in f.goals
                ),
            )
            for f in self.fields
        )
        return replace(self, fields=fields)

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
    row = await current_round(session, today)
    return RoundInfo(row.id, row.opens_on, row.due_on) if row else None


_ANSWER_COLUMNS = (  # as _latest_reports unpacks them
    TargetAnswer.report_id,
    TargetAnswer.horizon_target_id,
    HorizonTarget.terms,
    HorizonTarget.target,
    TargetAnswer.status,
    TargetAnswer.note,
    TargetAnswer.obstacles,
    TargetAnswer.obstacle_note,
    TargetAnswer.support_requested,
    TargetAnswer.support_note,
    TargetAnswer.carried_over,
)


class SnapshotCache:
    """Keeps the last snapshot current at the cost of what changed since it was built.

    Each call reads the catalogue's revision, the current round and the reports revision
    (three small queries). A new catalogue or round rebuilds everything; new submissions
    only reload the measures whose latest reports carry a higher reports revision. The
    revisions live in the database, so a second bot process or the command line can never
    leave a stale view behind.
    """

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._revision = 0
        self._snapshot: Snapshot | None = None

    async def get(self, session: AsyncSession, today: date) -> Snapshot:
        round_info = await current_round_info(session, today)
        catalogue = await session.scalar(
            select(CatalogueInfo.value).where(CatalogueInfo.key == "revision")
        )
        revision = await reports_revision(session)
        key = (catalogue, round_info)
        if self._snapshot is None or key != self._key:
            self._snapshot = await load_snapshot(session, today)
        elif revision != self._revision:
            changed = set(
                await session.scalars(
                    select(LatestReport.measure_id).where(LatestReport.revision > self._revision)
                )
            )
            self._snapshot = await refresh_measures(session, self._snapshot, changed)
        self._key, self._revision = key, revision
        return self._snapshot


async def reports_revision(session: AsyncSession) -> int:
    value = await session.scalar(select(Revision.value).where(Revision.name == REPORTS_REVISION))
    return int(value or 0)


@dataclass
class _Reports:
    """The latest reports of some measures, arranged for building their states."""

    by_target: dict[int, list[Answer]] = field(default_factory=lambda: defaultdict(list))
    notes: dict[int, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    in_round: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))


async def _latest_reports(
    session: AsyncSession, round_info: RoundInfo | None, measure_ids: set[int] | None = None
) -> _Reports:
    """Each office's latest report on the given measures (all when ``None``)."""
    query = (
        select(
            LatestReport.measure_id,
            LatestReport.report_id,
            LatestReport.round_id,
            ReportingRound.opens_on,
            Measure.code,
            Office.name,
            Report.version,
            LatestReport.submitted_at,
            Contact.display_name,
            Report.indicator_note,
            Report.on_behalf,
        )
        .join(Report, Report.id == LatestReport.report_id)
        .join(Office, Office.id == LatestReport.office_id)
        .join(Measure, Measure.id == LatestReport.measure_id)
        .join(ReportingRound, ReportingRound.id == LatestReport.round_id)
        .outerjoin(Contact, Contact.id == Report.author_id)
    )
    answers_query = select(*_ANSWER_COLUMNS).join(
        HorizonTarget, HorizonTarget.id == TargetAnswer.horizon_target_id
    )
    if measure_ids is None:
        answers_query = answers_query.where(
            TargetAnswer.report_id.in_(select(LatestReport.report_id))
        )
    else:
        query = query.where(LatestReport.measure_id.in_(measure_ids))
        answers_query = answers_query.where(
            TargetAnswer.report_id.in_(
                select(LatestReport.report_id).where(LatestReport.measure_id.in_(measure_ids))
            )
        )
    latest: Sequence[Any] = (await session.execute(query)).all()  # as unpacked below
    answers: dict[int, list[Any]] = defaultdict(list)
    for row in await session.execute(answers_query):
        answers[row[0]].append(row)
    found = _Reports()
    for measure_id, report_id, round_id, opens_on, code, office, version, when, author, indicator_note, on_behalf in latest:  # fmt: skip
        if round_info is not None and round_id == round_info.id:
            found.in_round[measure_id].add(office)
        if indicator_note:
            found.notes[measure_id].append((office, indicator_note))
        for _, target_id, terms, target, status, note, obstacles, obstacle_note, support, support_note, carried_over in answers[report_id]:  # fmt: skip
            found.by_target[target_id].append(
                Answer(
                    report_id,
                    round_id,
                    opens_on,
                    code,
                    office,
                    version,
                    when,
                    author,
                    indicator_note,
                    target_id,
                    terms,
                    target,
                    status,
                    note,
                    obstacles or (),
                    obstacle_note,
                    bool(support),
                    support_note,
                    bool(carried_over),
                    bool(on_behalf),
                )
            )
    return found


def _with_reports(measure: MeasureState, reports: _Reports) -> MeasureState:
    """``measure`` (catalogue part unchanged) with the given latest reports."""
    return replace(
        measure,
        targets=tuple(
            replace(t, reports=_office_order(reports.by_target.get(t.id, []), measure.offices))
            for t in measure.targets
        ),
        indicator_notes=tuple(reports.notes.get(measure.id, [])),
        reported_in_round=frozenset(reports.in_round.get(measure.id, set())),
    )


async def refresh_measures(
    session: AsyncSession, snapshot: Snapshot, measure_ids: set[int]
) -> Snapshot:
    """``snapshot`` with the reports of these measures read again."""
    if not measure_ids:
        return snapshot
    reports = await _latest_reports(session, snapshot.round, measure_ids)
    return replace(
        snapshot,
        fields=tuple(
            replace(
                f,
                goals=tuple(
                    replace(
                        g,
                        measures=tuple(
                            _with_reports(m, reports) if m.id in measure_ids else m
                            for m in g.measures
                        ),
                    )
                    for g in f.goals
                ),
            )
            for f in snapshot.fields
        ),
    )


async def load_snapshot(session: AsyncSession, today: date) -> Snapshot:
    """The current state of every active measure, with each office's latest report.

    Plain column queries (no ORM objects): a few thousand measures load in a few dozen
    milliseconds, and nothing here reads more than one report per measure and office.
    """
    round_info = await current_round_info(session, today)
    fields = (
        await session.execute(
            select(FieldOfAction.id, FieldOfAction.numeral, FieldOfAction.title)
            .where(FieldOfAction.retired.is_(False))
            .order_by(FieldOfAction.position)
        )
    ).all()
    goals = (
        await session.execute(
            select(Goal.id, Goal.field_id, Goal.code, Goal.title)
            .where(Goal.retired.is_(False))
            .order_by(Goal.position)
        )
    ).all()
    measures = (
        await session.execute(
            select(Measure.id, Measure.goal_id, Measure.code, Measure.title, Measure.indicator)
            .where(Measure.retired.is_(False))
            .order_by(Measure.position)
        )
    ).all()
    horizons = (
        await session.execute(
            select(
                HorizonTarget.id,
                HorizonTarget.measure_id,
                HorizonTarget.terms,
                HorizonTarget.target,
            )
            .where(HorizonTarget.retired.is_(False))
            .order_by(HorizonTarget.position)
        )
    ).all()
    links = (
        await session.execute(
            select(measure_offices.c.measure_id, Office.name)
            .join(Office, Office.id == measure_offices.c.office_id)
            .order_by(measure_offices.c.position)
        )
    ).all()
    reports = await _latest_reports(session, round_info)
    by_target, notes, in_round = reports.by_target, reports.notes, reports.in_round
    offices_of: dict[int, list[str]] = defaultdict(list)
    for measure_id, office in links:
        offices_of[measure_id].append(office)
    targets_of: dict[int, list[TargetState]] = defaultdict(list)
    for target_id, measure_id, terms, target in horizons:
        ordered = _office_order(by_target.get(target_id, []), offices_of[measure_id])
        targets_of[measure_id].append(TargetState(target_id, terms, target, ordered))
    measures_of: dict[int, list[MeasureState]] = defaultdict(list)
    for measure_id, goal_id, code, title, indicator in measures:
        measures_of[goal_id].append(
            MeasureState(
                id=measure_id,
                code=code,
                title=title,
                indicator=indicator,
                offices=tuple(offices_of[measure_id]),
                targets=tuple(targets_of[measure_id]),
                indicator_notes=tuple(notes.get(measure_id, [])),
                reported_in_round=frozenset(in_round.get(measure_id, set())),
            )
        )
    goals_of: dict[int, list[GoalState]] = defaultdict(list)
    for goal_id, field_id, code, title in goals:
        goals_of[field_id].append(GoalState(code, title, tuple(measures_of[goal_id])))
    return Snapshot(
        fields=tuple(
            FieldState(numeral, title, tuple(goals_of[field_id]))
            for field_id, numeral, title in fields
        ),
        round=round_info,
    )


def _office_order(reports: Sequence[Answer], offices: Sequence[str]) -> tuple[Answer, ...]:
    rank = {name: n for n, name in enumerate(offices)}
    return tuple(sorted(reports, key=lambda r: rank.get(r.office, len(rank))))


class OfficePerson(NamedTuple):
    """An active contact of an office, as the coordinators' lists show them."""

    name: str
    absent_until: date | None  # set only while the absence lasts
    unreachable: bool = False  # blocked the bot: gets no message until they write again


async def contacts_by_office(
    session: AsyncSession, today: date
) -> dict[str, tuple[OfficePerson, ...]]:
    """The active contacts of each office, by name."""
    contacts = await session.scalars(
        select(Contact).where(Contact.active.is_(True)).options(selectinload(Contact.offices))
    )
    people: dict[str, list[OfficePerson]] = defaultdict(list)
    for contact in contacts:
        away = contact.absent_until
        person = OfficePerson(
            contact.display_name,
            away if away and away >= today else None,
            contact.unreachable_since is not None,
        )
        for office in contact.offices:
            people[office.name].append(person)
    return {office: tuple(sorted(found)) for office, found in people.items()}
