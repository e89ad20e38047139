"""What the scheduler asks the database: rounds that are due, notices sent, summaries posted.

These are queries only. The claims that make each scheduled message happen once (round
openings, notices, the weekly summary's lease) are in :mod:`storage.claims`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Notice, Report, ReportingRound, WeeklySummary


async def noticed(
    session: AsyncSession, round_id: int, contact_id: int | None, since: datetime | None = None
) -> set[str]:
    """The kinds of notices already sent for this round and person (since ``since``)."""
    condition = (
        Notice.contact_id.is_(None) if contact_id is None else Notice.contact_id == contact_id
    )
    query = select(Notice.kind).where(Notice.round_id == round_id, condition)
    if since is not None:
        query = query.where(Notice.sent_at >= since)
    return set(await session.scalars(query))


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
    """The summary row of that week and chat (claimed, partly or fully posted), if any."""
    return await session.scalar(
        select(WeeklySummary).where(
            WeeklySummary.iso_year == year,
            WeeklySummary.iso_week == week,
            WeeklySummary.chat_id == chat_id,
        )
    )
