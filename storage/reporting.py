"""Reporting rounds, the work list of a contact, drafts, answers and submitted versions."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
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
    Role,
    TargetAnswer,
    measure_offices,
)

REPORTS_REVISION = "reports"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_opening(day: date, cadence: Cadence) -> date:
    if cadence is Cadence.WEEKLY:
        return day + timedelta(days=7)
    return add_months(day, 1 if cadence is Cadence.MONTHLY else 3)


def due_date(opens_on: date, cadence: Cadence) -> date:
    """A round is due the day before the next one would open."""
    return next_opening(opens_on, cadence) - timedelta(days=1)


# --- rounds ------------------------------------------------------------------------------------


async def current_round(session: AsyncSession, today: date) -> ReportingRound | None:
    """The latest round that has opened by ``today``."""
    return await session.scalar(
        select(ReportingRound)
        .where(ReportingRound.opens_on <= today)
        .order_by(ReportingRound.opens_on.desc())
        .limit(1)
    )


async def open_round(
    session: AsyncSession,
    *,
    today: date,
    cadence: Cadence,
    now: datetime,
    opened_by: Contact | None = None,
) -> tuple[ReportingRound, bool]:
    """Open a round today; if one opened today already, return it (and False)."""
    existing = await session.scalar(select(ReportingRound).where(ReportingRound.opens_on == today))
    if existing is not None:
        return existing, False
    created = ReportingRound(
        opens_on=today,
        due_on=due_date(today, cadence),
        created_at=now,
        opened_by_id=opened_by.id if opened_by else None,
    )
    session.add(created)
    await session.flush()
    return created, True


async def running_round(session: AsyncSession, today: date) -> ReportingRound | None:
    """The current round if people report in it today (not closed, not past its due date)."""
    round_ = await current_round(session, today)
    return round_ if round_ is not None and round_.running(today) else None


def close_round(round_: ReportingRound, now: datetime, by: Contact | None) -> None:
    """Close a round early (or because the next one replaces it): nothing more is due in it."""
    if round_.closed_at is None:
        round_.closed_at, round_.closed_by_id = now, by.id if by else None


async def open_next_round(
    session: AsyncSession, *, today: date, cadence: Cadence, now: datetime, opened_by: Contact
) -> ReportingRound | None:
    """Open a round today in place of the running one, which is closed; None if a round
    opened today already (there is one round per day)."""
    running = await running_round(session, today)
    created, new = await open_round(
        session, today=today, cadence=cadence, now=now, opened_by=opened_by
    )
    if not new:
        return None
    if running is not None:
        close_round(running, now, opened_by)
    return created


@dataclass(frozen=True)
class RoundProgress:
    """How much of a round is reported: parts are (measure, office) pairs."""

    reported: int
    expected: int


async def round_progress(session: AsyncSession, round_id: int) -> RoundProgress:
    """Reported parts of the round against all parts the plan asks for (active measures
    and offices; a measure with five offices is five parts)."""
    expected = await session.scalar(
        select(func.count())
        .select_from(measure_offices)
        .join(Measure, Measure.id == measure_offices.c.measure_id)
        .join(Office, Office.id == measure_offices.c.office_id)
        .where(Measure.retired.is_(False), Office.retired.is_(False))
    )
    done = await submitted_items(session, round_id)
    return RoundProgress(len(done), expected or 0)


# --- work list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """One measure to report on for one office."""

    measure: Measure
    office: Office

    @property
    def key(self) -> tuple[int, int]:
        return self.measure.id, self.office.id

    @property
    def targets(self) -> list[HorizonTarget]:
        return [h for h in self.measure.horizons if not h.retired]


async def work_items(session: AsyncSession, contact: Contact) -> list[WorkItem]:
    """The active measures of the contact's offices, in plan order, one per office."""
    return await office_items(session, [o.id for o in contact.offices if not o.retired])


async def work_items_of(
    session: AsyncSession, contacts: Sequence[Contact]
) -> dict[int, list[WorkItem]]:
    """:func:`work_items` of many contacts at once (by contact id), with one query: a
    round's opening for a thousand contacts should not make a thousand."""
    offices = {c.id: {o.id for o in c.offices if not o.retired} for c in contacts}
    items = await office_items(session, sorted(set().union(*offices.values())))
    return {
        contact_id: [item for item in items if item.office.id in own]
        for contact_id, own in offices.items()
    }


async def office_items(session: AsyncSession, office_ids: Sequence[int]) -> list[WorkItem]:
    """The active measures of these offices, in plan order, one per office."""
    if not office_ids:
        return []
    rows = await session.execute(
        select(Measure, Office)
        .join(measure_offices, measure_offices.c.measure_id == Measure.id)
        .join(Office, Office.id == measure_offices.c.office_id)
        .join(Goal, Goal.id == Measure.goal_id)
        .join(FieldOfAction, FieldOfAction.id == Goal.field_id)
        .where(Office.id.in_(office_ids), Measure.retired.is_(False))
        .order_by(FieldOfAction.position, Goal.position, Measure.position, Office.position)
        .options(selectinload(Measure.horizons))
    )
    return [WorkItem(measure, office) for measure, office in rows]


async def item_for(
    session: AsyncSession, contact: Contact, measure_id: int, office_id: int
) -> WorkItem | None:
    """The work item if the contact may (still) report on it: for their offices, or, for a
    coordinator, for any office (entered on its behalf)."""
    if contact.role is Role.COORDINATOR:
        items = await office_items(session, [office_id])
    else:
        items = await work_items(session, contact)
    for item in items:
        if item.key == (measure_id, office_id):
            return item
    return None


async def open_office_items(session: AsyncSession, office_id: int, round_id: int) -> list[WorkItem]:
    """The office's work items nobody has submitted in the round yet, in plan order."""
    done = await submitted_items(session, round_id)
    return [item for item in await office_items(session, [office_id]) if item.key not in done]


async def open_items(session: AsyncSession, contact: Contact, round_id: int) -> list[WorkItem]:
    """The contact's work items that nobody has submitted in the round yet, in plan order."""
    done = await submitted_items(session, round_id)
    return [item for item in await work_items(session, contact) if item.key not in done]


async def latest_submitted(
    session: AsyncSession, round_id: int, measure_id: int, office_id: int
) -> Report | None:
    return await session.scalar(
        select(Report)
        .where(
            Report.round_id == round_id,
            Report.measure_id == measure_id,
            Report.office_id == office_id,
            Report.submitted_at.is_not(None),
        )
        .order_by(Report.version.desc())
        .limit(1)
        .options(selectinload(Report.answers))
    )


async def submitted_items(session: AsyncSession, round_id: int) -> dict[tuple[int, int], datetime]:
    """(measure, office) → time of the latest submission in the round."""
    rows = await session.execute(
        select(Report.measure_id, Report.office_id, func.max(Report.submitted_at))
        .where(Report.round_id == round_id, Report.submitted_at.is_not(None))
        .group_by(Report.measure_id, Report.office_id)
    )
    return {(measure, office): when for measure, office, when in rows if when is not None}


# --- drafts ------------------------------------------------------------------------------------


def _draft_query(round_id: int, contact_id: int) -> Select[Report]:
    return (
        select(Report)
        .where(
            Report.round_id == round_id,
            Report.author_id == contact_id,
            Report.submitted_at.is_(None),
        )
        .options(selectinload(Report.answers))
    )


async def current_draft(session: AsyncSession, round_id: int, contact_id: int) -> Report | None:
    """The draft the contact worked on last in this round."""
    return await session.scalar(
        _draft_query(round_id, contact_id)
        .order_by(Report.updated_at.desc(), Report.id.desc())
        .limit(1)
    )


async def draft_by_id(session: AsyncSession, report_id: int) -> Report | None:
    return await session.scalar(
        select(Report).where(Report.id == report_id).options(selectinload(Report.answers))
    )


async def start_draft(
    session: AsyncSession, round_: ReportingRound, item: WorkItem, contact: Contact, now: datetime
) -> Report:
    """The contact's draft for this item, created if needed.

    A new draft after a submission starts as a copy of the submitted version, so a
    correction only changes what the person redoes.
    """
    existing = await session.scalar(
        _draft_query(round_.id, contact.id).where(
            Report.measure_id == item.measure.id, Report.office_id == item.office.id
        )
    )
    if existing is not None:
        existing.updated_at = now
        return existing
    base = await latest_submitted(session, round_.id, item.measure.id, item.office.id)
    previous = {a.horizon_target_id: a for a in base.answers} if base else {}
    draft = Report(
        round_id=round_.id,
        measure_id=item.measure.id,
        office_id=item.office.id,
        author_id=contact.id,
        on_behalf=item.office.id not in {o.id for o in contact.offices},
        indicator_note=base.indicator_note if base else None,
        created_at=now,
        updated_at=now,
    )
    for target in item.targets:
        old = previous.get(target.id)
        draft.answers.append(
            TargetAnswer(
                horizon_target_id=target.id,
                status=old.status if old else None,
                carried_over=old.carried_over if old else False,
                note=old.note if old else None,
                obstacles=old.obstacles if old else None,
                obstacle_note=old.obstacle_note if old else None,
                support_requested=old.support_requested if old else None,
                support_note=old.support_note if old else None,
                answered_at=now,
            )
        )
    session.add(draft)
    await session.flush()
    return draft


@dataclass(frozen=True)
class PreviousReport:
    """What an office reported on a measure in an earlier round (nothing: empty)."""

    answers: dict[int, TargetAnswer]  # by horizon target
    opens_on: date | None = None  # the opening day of its round
    indicator_note: str | None = None


async def previous_answers(
    session: AsyncSession, *, office_id: int, measure_id: int, before: date
) -> PreviousReport:
    """The latest submitted report of this office on this measure from earlier rounds."""
    report = await session.scalar(
        select(Report)
        .join(ReportingRound, ReportingRound.id == Report.round_id)
        .where(
            Report.office_id == office_id,
            Report.measure_id == measure_id,
            Report.submitted_at.is_not(None),
            ReportingRound.opens_on < before,
        )
        .order_by(ReportingRound.opens_on.desc(), Report.version.desc())
        .limit(1)
        .options(selectinload(Report.answers))
    )
    if report is None:
        return PreviousReport({})
    round_ = await session.get(ReportingRound, report.round_id)
    return PreviousReport(
        {a.horizon_target_id: a for a in report.answers},
        round_.opens_on if round_ else None,
        report.indicator_note,
    )


async def submit(session: AsyncSession, draft: Report, now: datetime) -> int:
    """Give the draft the next version number and submit it; it is never changed again.

    Submissions take their turns: the revision of the reports is counted up first, which
    makes a second submission wait until the first is committed (PostgreSQL's row lock,
    SQLite's single writer); only then are the versions so far read. Two colleagues
    submitting the same measure at the same moment get versions 1 and 2.
    """
    revision = (
        await session.execute(
            update(Revision)
            .where(Revision.name == REPORTS_REVISION)
            .values(value=Revision.value + 1)
            .returning(Revision.value)
        )
    ).scalar_one()
    highest = await session.scalar(
        select(func.max(Report.version)).where(
            Report.round_id == draft.round_id,
            Report.measure_id == draft.measure_id,
            Report.office_id == draft.office_id,
        )
    )
    draft.version = (highest or 0) + 1
    draft.submitted_at = now
    draft.updated_at = now
    latest = await session.get(LatestReport, (draft.measure_id, draft.office_id))
    if latest is None:
        session.add(
            LatestReport(
                measure_id=draft.measure_id,
                office_id=draft.office_id,
                report_id=draft.id,
                round_id=draft.round_id,
                submitted_at=now,
                revision=revision,
            )
        )
    elif await _opens_on(session, draft.round_id) >= await _opens_on(session, latest.round_id):
        latest.report_id, latest.round_id, latest.submitted_at = draft.id, draft.round_id, now
        latest.revision = revision
    await session.flush()
    return draft.version


async def _opens_on(session: AsyncSession, round_id: int) -> date:
    opens_on = await session.scalar(
        select(ReportingRound.opens_on).where(ReportingRound.id == round_id)
    )
    assert opens_on is not None
    return opens_on


async def remember_question_message(session: AsyncSession, report_id: int, message_id: int) -> None:
    """Note the message that asks a draft's current question (see Report.question_message_id)."""
    await session.execute(
        update(Report)
        .where(Report.id == report_id, Report.submitted_at.is_(None))
        .values(question_message_id=message_id)
    )
