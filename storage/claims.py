"""Claims: the rows that make a piece of work happen once, whoever gets there first.

Scheduled work (opening a round, a notice, the weekly summary) and handling a Telegram
update are each claimed in the database before they are done. A claim is written in the
caller's transaction and only counts once that transaction commits: commit it before
sending the message it stands for. Then a late tick, a restart, a second bot process or a
tick after days of downtime finds the claim and does nothing, and a crash between commit
and send loses that one message rather than sending it twice.

Every claim here is safe against a race of two sessions, on SQLite and on PostgreSQL: it
rests on a unique key written with ``INSERT … ON CONFLICT DO NOTHING``, on a compare-and-set
``UPDATE``, or on a row lock taken before a check. The loser of a race waits for the
winner's transaction (PostgreSQL's row and index locks, SQLite's single writer) and then
sees the winner's row; it never gets an error and never wins as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import CLIENT_NAME, insert_for, on_postgresql
from storage.models import Notice, ProcessedUpdate, ReportingRound, WeeklySummary
from storage.reporting import Cadence, due_date, running_round
from storage.scheduling import round_since

SUMMARY_LEASE = timedelta(minutes=10)


def _changed(result: Any) -> bool:
    """Whether an INSERT or UPDATE touched a row (``rowcount`` of a cursor result)."""
    return bool(getattr(result, "rowcount", 0))


# --- rounds ------------------------------------------------------------------------------------


async def claim_round_opening(
    session: AsyncSession, period_start: date, cadence: Cadence, now: datetime, today: date
) -> ReportingRound | None:
    """Open the round of the period that begins on ``period_start``; None if it has one.

    Guarantees at most one round per period from the scheduler: none is opened if a round
    opened on or after ``period_start`` (the scheduler's own, or one a coordinator opened by
    hand in the middle of the period), and of two sessions racing to open it exactly one
    inserts the row (the unique ``rounds.opens_on``, ``ON CONFLICT DO NOTHING``); the other
    waits for the winner's transaction and gets None. Nor is a round opened while an
    earlier one still runs (opened by hand late in the previous period, or extended): the
    scheduler never replaces a running round.
    """
    if await round_since(session, period_start) is not None:
        return None
    if await running_round(session, today) is not None:
        # a round opened by hand before the period began runs until its due date: it is
        # this period's round (the next period opens as usual)
        return None
    inserted = await session.execute(
        insert_for(session)(ReportingRound)
        .values(
            opens_on=period_start,
            due_on=due_date(period_start, cadence),
            created_at=now,
            opened_by_id=None,
        )
        .on_conflict_do_nothing(index_elements=["opens_on"])
    )
    if not _changed(inserted):
        return None
    return await session.scalar(
        select(ReportingRound).where(ReportingRound.opens_on == period_start)
    )


# --- notices -----------------------------------------------------------------------------------


async def claim_notice(
    session: AsyncSession, round_id: int, contact_id: int | None, kind: str, now: datetime
) -> bool:
    """Claim the notice ``kind`` of a round to a contact (None: to the coordination).

    True exactly once per (round, contact, kind): False if it was claimed before, by this or
    another process, and False for all but one of sessions claiming it at the same time.
    Contact notices rest on the unique key of ``notices``. That key cannot guard notices to
    the coordination (NULLs are distinct in unique keys), so for those the round's row is
    locked first (PostgreSQL's row lock, SQLite's write lock): a second claimer waits until
    the first commits and then finds its notice.
    """
    if contact_id is None:
        await session.execute(
            update(ReportingRound)
            .where(ReportingRound.id == round_id)
            .values(due_on=ReportingRound.due_on)
            .execution_options(synchronize_session=False)
        )
        existing = await session.scalar(
            select(Notice.id).where(
                Notice.round_id == round_id, Notice.contact_id.is_(None), Notice.kind == kind
            )
        )
        if existing is not None:
            return False
    result = await session.execute(
        insert_for(session)(Notice)
        .values(
            round_id=round_id,
            contact_id=contact_id,
            kind=kind,
            sent_at=now,
            claimed_by=_this_process(session),
        )
        .on_conflict_do_nothing(index_elements=["round_id", "contact_id", "kind"])
    )
    return _changed(result)


# rows per INSERT: well below SQLite's limit of 32,766 parameters (7 per row)
_CLAIMS_PER_STATEMENT = 500


async def claim_notices(
    session: AsyncSession,
    round_id: int,
    kind: str,
    messages: Mapping[int, tuple[int, str]],
    now: datetime,
) -> dict[int, int]:
    """Claim the notice ``kind`` of a round to many contacts at once, each with its message
    (contact id → chat id and body, as :func:`keep_notice_message` stores them).

    Returns the ids of the notices claimed here, by contact; a contact whose notice was
    claimed before, by this or another process, is left out. The same guarantee as
    :func:`claim_notice` (the unique key of ``notices``), in a few statements instead of
    two per contact: a round's opening for a thousand contacts holds SQLite's only write
    lock for milliseconds instead of seconds.
    """
    claimed: dict[int, int] = {}
    rows = [
        {
            "round_id": round_id,
            "contact_id": contact_id,
            "kind": kind,
            "sent_at": now,
            "claimed_by": _this_process(session),
            "chat_id": chat_id,
            "body": body,
        }
        for contact_id, (chat_id, body) in messages.items()
    ]
    for start in range(0, len(rows), _CLAIMS_PER_STATEMENT):
        inserted = await session.execute(
            insert_for(session)(Notice)
            .values(rows[start : start + _CLAIMS_PER_STATEMENT])
            .on_conflict_do_nothing(index_elements=["round_id", "contact_id", "kind"])
            .returning(Notice.contact_id, Notice.id)
        )
        for contact_id, notice_id in inserted:
            assert contact_id is not None
            claimed[contact_id] = notice_id
    return claimed


def _this_process(session: AsyncSession) -> Any:
    """The claiming process, as PostgreSQL knows it: the name its engine gives every
    connection (storage.database.create_engine); None on SQLite (one process only)."""
    return func.current_setting("application_name") if on_postgresql(session) else None


@dataclass(frozen=True)
class Alive:
    """What a process knows about who else may be working on a claim, so that the claim
    of a process that died is taken over at once instead of after its lease.

    ``names``: on PostgreSQL, the bot processes connected now (:func:`alive`); ``since``:
    with SQLite, where only one bot uses the file (storage.process_lock), when this
    process started: whoever claimed before is gone. Neither: only leases tell.
    """

    names: frozenset[str] | None = None
    since: datetime | None = None

    def gone(self, claimed_at: datetime, claimed_by: str | None) -> bool:
        """Whether the holder of a claim made at ``claimed_at`` by ``claimed_by`` is dead."""
        if self.since is not None and claimed_at < self.since:
            return True
        return self.names is not None and claimed_by is not None and claimed_by not in self.names


async def alive(session: AsyncSession, sole_since: datetime | None = None) -> Alive:
    """:class:`Alive` now: on PostgreSQL the names of the connected bot processes (a
    process killed or cut off loses its connections, and PostgreSQL ends their sessions
    as soon as it notices); and ``sole_since``, the start of this process if it is the
    only one (SQLite)."""
    if not on_postgresql(session):
        return Alive(since=sole_since)
    names = await session.scalars(
        select(func.distinct(text("application_name")))
        .select_from(text("pg_stat_activity"))
        .where(text("application_name LIKE :prefix").bindparams(prefix=f"{CLIENT_NAME} %"))
        .where(text("datname = current_database()"))  # the bot's, not others on the server
    )
    return Alive(names=frozenset(names), since=sole_since)


# A notice claimed but not delivered after this long is taken to be lost with the process
# that claimed it, and is sent by whoever finds it (see :func:`retake_notice`).
NOTICE_LEASE = timedelta(minutes=10)


async def keep_notice_message(
    session: AsyncSession,
    round_id: int,
    contact_id: int | None,
    kind: str,
    chat_id: int | None,
    body: str,
) -> int:
    """Store the message of a notice claimed in this transaction (or rewrite it before it
    is sent); its id. ``contact_id`` and ``chat_id`` None: the notice to the coordination,
    which goes to wherever it is reached when sent."""
    to_contact = (
        Notice.contact_id.is_(None) if contact_id is None else Notice.contact_id == contact_id
    )
    notice = await session.scalar(
        select(Notice).where(Notice.round_id == round_id, to_contact, Notice.kind == kind)
    )
    assert notice is not None, "claim the notice first"
    notice.chat_id, notice.body = chat_id, body
    await session.flush()
    return notice.id


async def mark_delivered(session: AsyncSession, notice_id: int, now: datetime) -> None:
    """The notice went out (or can never go out: the person blocked the bot)."""
    await session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.delivered_at.is_(None))
        .values(delivered_at=now)
        .execution_options(synchronize_session=False)
    )


async def undelivered_notices(
    session: AsyncSession, now: datetime, holders: Alive = Alive()
) -> list[Notice]:
    """Notices with a message and not delivered, whose claim is older than
    :data:`NOTICE_LEASE` or whose claimer is gone (see :class:`Alive`)."""
    lost = Notice.sent_at < now - NOTICE_LEASE
    if holders.since is not None:
        lost = or_(lost, Notice.sent_at < holders.since)
    if holders.names is not None:
        dead = and_(Notice.claimed_by.is_not(None), Notice.claimed_by.not_in(holders.names))
        lost = or_(lost, dead)
    return list(
        await session.scalars(
            select(Notice)
            .where(Notice.delivered_at.is_(None), Notice.body.is_not(None), lost)
            .order_by(Notice.id)
        )
    )


async def retake_notice(session: AsyncSession, notice: Notice, now: datetime) -> bool:
    """Claim an undelivered notice anew (compare-and-set on its claim time): True for
    exactly one of the processes trying."""
    result = await session.execute(
        update(Notice)
        .where(
            Notice.id == notice.id,
            Notice.sent_at == notice.sent_at,
            Notice.delivered_at.is_(None),
        )
        .values(sent_at=now, claimed_by=_this_process(session))
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


# --- Telegram updates --------------------------------------------------------------------------


# Telegram re-delivers an update only while it is not confirmed, at most for 24 hours, and
# after a week without updates it may start numbering anew at random. So a handled id is
# kept for two days: long enough to recognise every re-delivery, short enough that the
# table stays small and that an old id coming round again is handled as new.
UPDATES_KEPT = timedelta(days=2)


async def hold_chat(session: AsyncSession, chat_id: int) -> None:
    """Hold the chat until this transaction ends: another process handling an update of
    the same chat waits here until this one committed (PostgreSQL's transaction-level
    advisory lock, in the one-number key space, which nothing else of the bot uses).

    Advisory locks belong to the whole database, so the key is a 64-bit hash of the
    bot's schema and the chat id: bots in other schemas of the same database (the
    tests run side by side so) never wait for each other.

    Several bot processes behind one webhook may each get an update of the same person;
    so the person's updates are still handled one after another, each seeing what the
    one before stored. SQLite needs nothing: one process only (storage.process_lock),
    whose updates of one chat :class:`bot.update_order.ChatOrder` already keeps in line.
    """
    if on_postgresql(session):
        key = func.hashtextextended(func.concat(func.current_schema(), ":", chat_id), 0)
        await session.execute(select(func.pg_advisory_xact_lock(key)))


async def claim_update(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Claim a Telegram update for handling; False if it was handled before (a re-delivery).

    True exactly once per ``update_id`` within :data:`UPDATES_KEPT` (its primary key,
    ``ON CONFLICT``), also when two sessions claim it at the same time; an id handled
    longer ago is claimed anew.
    """
    statement = insert_for(session)(ProcessedUpdate).values(update_id=update_id, processed_at=now)
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["update_id"],
            set_={"processed_at": now},
            where=ProcessedUpdate.processed_at < now - UPDATES_KEPT,
        )
    )
    return _changed(result)


async def forget_old_updates(session: AsyncSession, now: datetime) -> None:
    """Drop the ids of updates handled longer ago than :data:`UPDATES_KEPT`."""
    await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - UPDATES_KEPT)
    )


# --- weekly summary ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryClaim:
    """A held claim on a week's summary in one chat.

    ``claimed_at`` is the value this holder wrote last into the row (its claim or latest
    renewal): every later step checks it is still there, so a holder whose lease was taken
    over cannot carry on.
    """

    id: int
    parts_sent: int  # the parts posted so far; posting continues with the next one
    claimed_at: datetime

    @property
    def lease_ends(self) -> datetime:
        return self.claimed_at + SUMMARY_LEASE


async def claim_summary(
    session: AsyncSession,
    year: int,
    week: int,
    chat_id: int,
    now: datetime,
    holders: Alive = Alive(),
) -> SummaryClaim | None:
    """Claim posting the summary of ISO ``week`` in ``chat_id``; None if that is not ours.

    None if it was posted, or if another holder's lease is live (claimed or renewed less
    than :data:`SUMMARY_LEASE` before ``now``) and that holder is not known to be gone
    (see :class:`Alive`). A claim whose holder went quiet for longer, or died (a crash
    mid-way), is taken over, with the parts already sent, by exactly one of the sessions
    trying: the first claim rests on the unique week and chat (``ON CONFLICT DO
    NOTHING``), a takeover on a compare-and-set of ``claimed_at``.
    """
    inserted = await session.execute(
        insert_for(session)(WeeklySummary)
        .values(
            iso_year=year,
            iso_week=week,
            chat_id=chat_id,
            claimed_at=now,
            parts_sent=0,
            claimed_by=_this_process(session),
        )
        .on_conflict_do_nothing(index_elements=["iso_year", "iso_week", "chat_id"])
    )
    row = await session.scalar(
        select(WeeklySummary)
        .where(
            WeeklySummary.iso_year == year,
            WeeklySummary.iso_week == week,
            WeeklySummary.chat_id == chat_id,
        )
        .execution_options(populate_existing=True)
    )
    if row is None or row.posted_at is not None:
        return None
    if _changed(inserted):
        return SummaryClaim(row.id, row.parts_sent, row.claimed_at)  # claimed just now by us
    if now - row.claimed_at < SUMMARY_LEASE and not holders.gone(row.claimed_at, row.claimed_by):
        return None
    taken = await _advance(session, SummaryClaim(row.id, row.parts_sent, row.claimed_at), now)
    if taken is None:
        return None
    return SummaryClaim(row.id, row.parts_sent, taken)


async def renew_summary_lease(
    session: AsyncSession, claim: SummaryClaim, now: datetime
) -> SummaryClaim | None:
    """Extend the lease to :data:`SUMMARY_LEASE` after ``now``; None if the claim was lost.

    Pass the current time (the clock), not the moment the work began: the lease then lasts
    while the holder is making progress. It never moves backwards.
    """
    held = await _advance(session, claim, now)
    return None if held is None else SummaryClaim(claim.id, claim.parts_sent, held)


async def record_summary_part(
    session: AsyncSession, claim: SummaryClaim, parts_sent: int, now: datetime
) -> SummaryClaim | None:
    """Record that the first ``parts_sent`` parts went out, and renew the lease.

    Whoever claims the summary after this (a retry, or a takeover after a crash) starts
    with the next part, so no part is posted twice. None, with nothing recorded, if the
    claim was lost to another holder: stop posting then.
    """
    held = await _advance(session, claim, now, parts_sent=parts_sent)
    return None if held is None else SummaryClaim(claim.id, parts_sent, held)


async def release_summary(session: AsyncSession, claim: SummaryClaim) -> None:
    """Give up the claim after a failed part, so that the next attempt need not wait.

    The lease is made to look expired; the parts sent stay recorded. Nothing happens if the
    claim was lost already or the summary was posted.
    """
    await session.execute(
        update(WeeklySummary)
        .where(
            WeeklySummary.id == claim.id,
            WeeklySummary.claimed_at == claim.claimed_at,
            WeeklySummary.posted_at.is_(None),
        )
        .values(claimed_at=claim.claimed_at - SUMMARY_LEASE)
        .execution_options(synchronize_session=False)
    )


async def mark_summary_posted(
    session: AsyncSession, claim: SummaryClaim, baseline: str, now: datetime
) -> bool:
    """Mark the summary posted, with the state it reported; False if the claim was lost.

    After this no claim of that week and chat succeeds again.
    """
    held = await _advance(session, claim, now, posted_at=now, baseline=baseline)
    return held is not None


async def _advance(
    session: AsyncSession, claim: SummaryClaim, now: datetime, **values: Any
) -> datetime | None:
    """Compare-and-set: write ``values`` and a new ``claimed_at`` if the claim is still held.

    Returns the new ``claimed_at`` (never earlier than the old one), or None if another
    holder took the claim over or the summary was posted.
    """
    held = max(now, claim.claimed_at)
    result = await session.execute(
        update(WeeklySummary)
        .where(
            WeeklySummary.id == claim.id,
            WeeklySummary.claimed_at == claim.claimed_at,
            WeeklySummary.posted_at.is_(None),
        )
        .values(claimed_at=held, claimed_by=_this_process(session), **values)
        .execution_options(synchronize_session=False)
    )
    return held if _changed(result) else None
