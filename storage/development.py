"""How the status per field of action developed over the reporting rounds.

For each of the newest rounds with a submitted report, and each active field of action:
the answers of each office's last submitted version in that round, counted by status,
and (as ``None``) the horizon targets and responsible offices of the field's active
measures that got no answer in that round. That is what
:func:`bot.render.chart.history_counts` counts for one measure, summed per field.

Four queries whatever the size of the plan; the counting is done by the database
(GROUP BY round, field, status), so the cost grows with the number of rounds asked for,
not with the whole history.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from datetime import date
from typing import NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    exists,
    func,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    FieldOfAction,
    Goal,
    HorizonTarget,
    Measure,
    Report,
    ReportingRound,
    Status,
    TargetAnswer,
    measure_offices,
)

_STATUSES = {status.value: status for status in Status}


class RoundStatus(NamedTuple):
    """One round's answers per field of action (``None``: no answer in that round)."""

    opens_on: date
    fields: tuple[tuple[str, Counter[Status | None]], ...]  # (field numeral, counts), plan order


# The measures of active goals of active fields (with Measure, Goal and FieldOfAction joined).
_ACTIVE_MEASURES: tuple[ColumnElement[bool], ...] = (
    Measure.retired.is_(False),
    Goal.retired.is_(False),
    FieldOfAction.retired.is_(False),
)


async def status_by_round(
    session: AsyncSession, rounds: int = 24, measure_ids: Collection[int] | None = None
) -> list[RoundStatus]:
    """The newest ``rounds`` rounds with a submitted report, oldest first (see the module);
    only of the measures ``measure_ids`` where given (what a contact may see)."""
    if rounds <= 0:
        return []
    active = _ACTIVE_MEASURES
    if measure_ids is not None:
        active = (*active, Measure.id.in_(list(measure_ids)))
    submitted = Report.submitted_at.is_not(None)
    newest = (
        await session.execute(
            select(ReportingRound.id, ReportingRound.opens_on)
            .where(exists().where(Report.round_id == ReportingRound.id, submitted))
            .order_by(ReportingRound.opens_on.desc())
            .limit(rounds)
        )
    ).all()
    if not newest:
        return []
    round_ids = [round_id for round_id, _opens_on in newest]

    fields = (
        await session.execute(
            select(FieldOfAction.id, FieldOfAction.numeral)
            .where(FieldOfAction.retired.is_(False))
            .order_by(FieldOfAction.position, FieldOfAction.id)
        )
    ).all()

    # What a round could hold per field: active target × responsible office of active measures.
    expected: dict[int, int] = dict(
        (
            await session.execute(
                select(Goal.field_id, func.count())
                .select_from(HorizonTarget)
                .join(Measure, Measure.id == HorizonTarget.measure_id)
                .join(Goal, Goal.id == Measure.goal_id)
                .join(FieldOfAction, FieldOfAction.id == Goal.field_id)
                .join(measure_offices, measure_offices.c.measure_id == Measure.id)
                .where(HorizonTarget.retired.is_(False), *active)
                .group_by(Goal.field_id)
            )
        ).all()
    )

    # Each office's last submitted version per round and measure: no later one exists. An
    # anti-join (PostgreSQL misjudges a join with the highest versions and loops per row);
    # the rounds are named on both sides so that neither reads the rest of the history.
    later = aliased(Report)
    superseded = exists().where(
        later.round_id.in_(round_ids),
        later.round_id == Report.round_id,
        later.measure_id == Report.measure_id,
        later.office_id == Report.office_id,
        later.version > Report.version,
        later.submitted_at.is_not(None),
    )
    # An answer fills one of the expected pairs if its target is active and its office is
    # (still) responsible; answers beyond those are counted too, as history_counts does.
    fills = case(
        (and_(HorizonTarget.retired.is_(False), measure_offices.c.office_id.is_not(None)), 1),
        else_=0,
    )
    counted = await session.execute(
        select(
            Report.round_id,
            Goal.field_id,
            type_coerce(TargetAnswer.status, String),
            func.count(),
            type_coerce(func.sum(fills), Integer),
        )
        .select_from(Report)
        .join(TargetAnswer, TargetAnswer.report_id == Report.id)
        .join(HorizonTarget, HorizonTarget.id == TargetAnswer.horizon_target_id)
        .join(Measure, Measure.id == Report.measure_id)
        .join(Goal, Goal.id == Measure.goal_id)
        .join(FieldOfAction, FieldOfAction.id == Goal.field_id)
        .outerjoin(
            measure_offices,
            and_(
                measure_offices.c.measure_id == Report.measure_id,
                measure_offices.c.office_id == Report.office_id,
            ),
        )
        .where(submitted, Report.round_id.in_(round_ids), ~superseded, *active)
        .group_by(Report.round_id, Goal.field_id, TargetAnswer.status)
    )
    found: dict[tuple[int, int], Counter[Status | None]] = defaultdict(Counter)
    filled: Counter[tuple[int, int]] = Counter()
    for round_id, field_id, status, count, filling in counted:
        found[round_id, field_id][_STATUSES.get(status) if status else None] += count
        filled[round_id, field_id] += filling or 0

    result = []
    for round_id, opens_on in reversed(newest):
        per_field = []
        for field_id, numeral in fields:
            counts = Counter(found.get((round_id, field_id), Counter()))
            missing = expected.get(field_id, 0) - filled[round_id, field_id]
            if missing > 0:
                counts[None] += missing
            per_field.append((numeral, counts))
        result.append(RoundStatus(opens_on, tuple(per_field)))
    return result
