"""What the scheduler has done, so that it does everything once: notices and summaries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import insert_for
from storage.models import Notice, Report, ReportingRound, WeeklySummary

SUMMARY_LEASE = timedelta(minutes=10)


async def record_notice(
    session: AsyncSession, round_id: int, contact_id: int | None, kind: str, now: datetime
) -> bool:
    """Claim a notice; False if it was sent before (by this or another process)."""
    if contact_id is None:
        # NULLs are distinct in unique keys, so notices to the coordination check first
        existing = await session.scalar(
            select(Notice.id).where(
                Notice.round_id == round_id, Notice.contact_id.is_(None), Notice.kind == kind
            )
        )
        if existing is not None:
            return False
    result = await session.execute(
        insert_for(session)(Notice)
        .values(round_id=round_id, contact_id=contact_id, kind=kind, sent_at=now)
        .on_conflict_do_nothing()
    )
    return bool(getattr(result, "rowcount", 0))


async def noticed(session: AsyncSession, round_id: int, contact_id: int | None) -> set[str]:
    """The kinds of notices already sent for this round and person."""
    condition = (
        Notice.contact_id.is_(None) if contact_id is None else Notice.contact_id == contact_id
    )
    rows = await session.scalars(select(Notice.kind).where(Notice.round_id == round_id, condition))
    return set(rows)


async def last_due_round(session: AsyncSession, today: date) -> ReportingRound | None:
    """The most recent round whose due date has passed."""
    return await session.scalar(
        select(ReportingRound)
        .where(ReportingRound.due_on < today)
        .order_by(ReportingRound.due_on.desc())
        .limit(1)
    )


async def round_since(session: AsyncSession, start: date) -> ReportingRound | None:
    """A round that opened on or after ``start`` (the period's round exists)."""
    return await session.scalar(
        select(ReportingRound).where(ReportingRound.opens_on >= start).limit(1)
    )


async def reported_in_round(session: AsyncSession, round_id: int) -> set[tuple[int, int]]:
    """(measure, office) pairs with a submitted report in the round."""
    rows = await session.execute(
        select(Report.measure_id, Report.office_id)
        .where(Report.round_id == round_id, Report.submitted_at.is_not(None))
        .distinct()
    )
    return {(measure, office) for measure, office in rows}


# --- weekly summary ----------------------------------------------------------------------------


async def claim_summary(
    session: AsyncSession, year: int, week: int, chat_id: int, now: datetime
) -> WeeklySummary | None:
    """The week's summary row to post, or None if it was posted or another process posts it.

    A claim whose holder went quiet for longer than the lease (a crash mid-way) is taken
    over with a compare-and-set, so that two processes never post the same parts.
    """
    inserted = await session.execute(
        insert_for(session)(WeeklySummary)
        .values(iso_year=year, iso_week=week, chat_id=chat_id, claimed_at=now, parts_sent=0)
        .on_conflict_do_nothing()
    )
    row = await session.scalar(
        select(WeeklySummary).where(
            WeeklySummary.iso_year == year,
            WeeklySummary.iso_week == week,
            WeeklySummary.chat_id == chat_id,
        )
    )
    if row is None or row.posted_at is not None:
        return None
    if getattr(inserted, "rowcount", 0):
        return row  # claimed just now by us
    if now - row.claimed_at < SUMMARY_LEASE:
        return None
    taken = await session.execute(
        update(WeeklySummary)
        .where(WeeklySummary.id == row.id, WeeklySummary.claimed_at == row.claimed_at)
        .values(claimed_at=now)
    )
    if not getattr(taken, "rowcount", 0):
        return None
    await session.refresh(row)
    return row


async def previous_summary(
    session: AsyncSession, chat_id: int, year: int, week: int
) -> WeeklySummary | None:
    """The latest posted summary before the given week, for "what changed"."""
    return await session.scalar(
        select(WeeklySummary)
        .where(
            WeeklySummary.chat_id == chat_id,
            WeeklySummary.posted_at.is_not(None),
            (WeeklySummary.iso_year * 100 + WeeklySummary.iso_week) < year * 100 + week,
        )
        .order_by(WeeklySummary.iso_year.desc(), WeeklySummary.iso_week.desc())
        .limit(1)
    )


async def summary_of_week(
    session: AsyncSession, chat_id: int, year: int, week: int
) -> WeeklySummary | None:
    return await session.scalar(
        select(WeeklySummary).where(
            WeeklySummary.iso_year == year,
            WeeklySummary.iso_week == week,
            WeeklySummary.chat_id == chat_id,
        )
    )


async def release_summary(session: AsyncSession, summary_id: int) -> None:
    """Give up a claim after a failed part, so that the next attempt need not wait."""
    row = await session.get(WeeklySummary, summary_id)
    if row is not None and row.posted_at is None:
        row.claimed_at = row.claimed_at - SUMMARY_LEASE
