"""The claims of storage.claims, raced by two sessions on SQLite and on PostgreSQL.

Each race runs two sessions of the same engine, both inside their transactions at once, in
one of two interleavings:

* ``held``: the first session claims and keeps its transaction open; the second claims in
  the meantime, and the first commits only once the second is stuck waiting for it. So the
  second has decided on what it saw before the first committed, which is the dangerous
  order, every time. The second must be the one that waits: PostgreSQL makes it wait on
  the first's row or index entry, SQLite on its single writer (the busy timeout), so the
  first never waits for the second and the race cannot deadlock.
* ``at_once``: both begin, meet at a barrier and claim at the same moment (gather); the
  databases decide who is first.

Either way exactly one may win.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.claims import (
    SUMMARY_LEASE,
    UPDATES_KEPT,
    Alive,
    SummaryClaim,
    alive,
    claim_notice,
    claim_notices,
    claim_round_opening,
    claim_summary,
    claim_update,
    forget_old_updates,
    mark_summary_posted,
    record_summary_part,
    release_summary,
    renew_summary_lease,
)
from storage.migrate import upgrade
from storage.models import Contact, Notice, ProcessedUpdate, ReportingRound, Role, WeeklySummary
from storage.reporting import Cadence, close_round, open_round, running_round

T = TypeVar("T")
Sessions = async_sessionmaker[AsyncSession]
Claim = Callable[[AsyncSession], Awaitable[T]]
Race = Callable[[Sessions, Claim[T]], Awaitable[tuple[T, T]]]

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
DECEMBER = date(2026, 12, 1)
WEEK = (2026, 49)
CHAT = -1001000000001


# --- racing two sessions -----------------------------------------------------------------------


class Statements:
    """Watches one connection: since when its current statement runs (None: none runs)."""

    def __init__(self) -> None:
        self.running_since: float | None = None

    def before(self, *_: Any) -> None:
        self.running_since = time.monotonic()

    def after(self, *_: Any) -> None:
        self.running_since = None


async def in_transaction(sessions: Sessions, claim: Claim[T], watch: Statements) -> T:
    async with sessions() as session, session.begin():
        connection = (await session.connection()).sync_connection
        event.listen(connection, "before_cursor_execute", watch.before)
        event.listen(connection, "after_cursor_execute", watch.after)
        return await claim(session)


async def until_stuck(task: asyncio.Task[Any], watch: Statements, patience: float = 0.2) -> None:
    """Until ``task`` is done, or one of its statements has waited ``patience`` seconds."""
    deadline = time.monotonic() + 10
    while not task.done():
        since = watch.running_since
        if since is not None and time.monotonic() - since >= patience:
            return
        assert time.monotonic() < deadline, "the second claim neither finished nor waited"
        await asyncio.sleep(0.01)


async def held(sessions: Sessions, claim: Claim[T]) -> tuple[T, T]:
    """The second session claims while the first's claim is made but not yet committed."""
    watch = Statements()
    second: asyncio.Task[T] | None = None
    try:
        async with sessions() as first, first.begin():
            won = await claim(first)
            second = asyncio.create_task(in_transaction(sessions, claim, watch))
            await until_stuck(second, watch)
            waited = not second.done()
        lost = await second  # the first has committed: the second goes on
    finally:
        if second is not None and not second.done():
            await asyncio.wait([second])
    assert waited, "the second claim decided without waiting for the first transaction"
    return won, lost


async def at_once(sessions: Sessions, claim: Claim[T]) -> tuple[T, T]:
    """Both sessions begin a transaction, then claim at the same moment."""
    barrier = asyncio.Barrier(2)

    async def one() -> T:
        async with sessions() as session, session.begin():
            await session.execute(text("SELECT 1"))
            await barrier.wait()
            return await claim(session)

    first, second = await asyncio.gather(one(), one())
    return first, second


async def behind_a_row_lock(sessions: Sessions, claim: Claim[T]) -> tuple[T, T]:
    """Both sessions read the summary's expired claim before either may write it.

    A third transaction locks the row (PostgreSQL: ``FOR UPDATE``, which reading and
    ``INSERT … ON CONFLICT DO NOTHING`` do not wait for), so each session gets as far as
    its compare-and-set ``UPDATE`` and waits there; then the lock is released. SQLite has
    no row locks: there, this is a plain concurrent race (its single writer serialises).
    """
    watches = (Statements(), Statements())
    async with sessions() as locker, locker.begin():
        await locker.execute(select(WeeklySummary.id).with_for_update())
        tasks = [asyncio.create_task(in_transaction(sessions, claim, w)) for w in watches]
        for task, watch in zip(tasks, watches, strict=True):
            await until_stuck(task, watch)
        both_wait = not any(task.done() for task in tasks)
        postgres = locker.get_bind().dialect.name == "postgresql"
    first, second = await asyncio.gather(*tasks)
    assert both_wait or not postgres, "a session wrote without waiting for the row lock"
    return first, second


races = pytest.mark.parametrize("race", [held, at_once], ids=["held", "at_once"])


def one_winner(results: tuple[Any, Any]) -> Any:
    """The result of the one session that won; fails unless exactly one did."""
    winners = [r for r in results if r is not None and r is not False]
    assert len(winners) == 1, results
    return winners[0]


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
async def db(engine: AsyncEngine, sessions: Sessions) -> Sessions:
    """The real schema (the migrations' unique keys), with one contact; no catalogue."""
    await upgrade(engine)
    async with sessions() as session, session.begin():
        session.add(Contact(telegram_user_id=601, display_name="Karl", role=Role.CONTACT))
    return sessions


async def count(sessions: Sessions, model: type[Any]) -> int:
    async with sessions() as session:
        return (await session.scalar(select(func.count()).select_from(model))) or 0


async def a_round(sessions: Sessions, opens_on: date = DECEMBER) -> int:
    async with sessions() as session, session.begin():
        round_, _ = await open_round(session, today=opens_on, cadence=Cadence.MONTHLY, now=NOW)
        return round_.id


async def karl(sessions: Sessions) -> int:
    async with sessions() as session:
        contact_id: int | None = await session.scalar(select(Contact.id))
        assert contact_id is not None
        return contact_id


# --- round opening -----------------------------------------------------------------------------


@races
async def test_a_round_opening_raced_by_two_sessions_opens_one_round(
    db: Sessions, race: Race[ReportingRound | None]
) -> None:
    async def claim(session: AsyncSession) -> ReportingRound | None:
        return await claim_round_opening(session, DECEMBER, Cadence.MONTHLY, NOW, DECEMBER)

    opened = one_winner(await race(db, claim))
    assert (opened.opens_on, opened.due_on) == (DECEMBER, date(2026, 12, 31))
    assert await count(db, ReportingRound) == 1


async def test_no_second_round_in_a_period(db: Sessions) -> None:
    async def claim(period_start: date, today: date | None = None) -> ReportingRound | None:
        async with db() as session, session.begin():
            return await claim_round_opening(
                session, period_start, Cadence.MONTHLY, NOW, today or period_start
            )

    await a_round(db, date(2026, 10, 20))  # opened by hand in October, due 19 November
    december = await claim(DECEMBER)
    assert december is not None
    assert await claim(DECEMBER) is None  # the scheduler's own round exists
    await a_round(db, date(2027, 1, 12))  # a coordinator opened January's in mid-month
    assert await claim(date(2027, 1, 1)) is None
    async with db() as session:
        rows = await session.scalars(select(ReportingRound.opens_on).order_by("opens_on"))
        assert list(rows) == [date(2026, 10, 20), DECEMBER, date(2027, 1, 12)]


# --- notices -----------------------------------------------------------------------------------


@races
@pytest.mark.parametrize("to", ["contact", "coordination"])
async def test_a_notice_raced_by_two_sessions_is_claimed_once(
    db: Sessions, race: Race[bool], to: str
) -> None:
    round_id = await a_round(db)
    contact_id = await karl(db) if to == "contact" else None

    async def claim(session: AsyncSession) -> bool:
        return await claim_notice(session, round_id, contact_id, "tag3", NOW)

    one_winner(await race(db, claim))
    assert await count(db, Notice) == 1
    other = await karl(db) if contact_id is None else None  # the coordination, or Karl
    async with db() as session, session.begin():
        assert not await claim_notice(session, round_id, contact_id, "tag3", NOW)  # later: no
        assert await claim_notice(session, round_id, contact_id, "tag7", NOW)  # another kind
        assert await claim_notice(session, round_id, other, "tag3", NOW)  # another recipient


async def more_contacts(sessions: Sessions, number: int) -> list[int]:
    async with sessions() as session, session.begin():
        added = [
            Contact(telegram_user_id=700 + n, display_name=f"Person {n}", role=Role.CONTACT)
            for n in range(number)
        ]
        session.add_all(added)
        await session.flush()
        return [contact.id for contact in added]


@races
async def test_notices_to_many_raced_by_two_sessions_are_claimed_once_each(
    db: Sessions, race: Race[dict[int, int]]
) -> None:
    round_id = await a_round(db)
    people = [await karl(db), *await more_contacts(db, 2)]
    messages = {contact_id: (contact_id + 1000, f"an {contact_id}") for contact_id in people}

    async def claim(session: AsyncSession) -> dict[int, int]:
        return await claim_notices(session, round_id, "tag3", messages, NOW)

    first, second = await race(db, claim)
    won = one_winner((first or None, second or None))  # the loser claimed none: {}
    assert set(won) == set(people)
    async with db() as session:
        kept = (await session.scalars(select(Notice).order_by(Notice.contact_id))).all()
    assert [(n.id, n.contact_id, n.chat_id, n.body) for n in kept] == [
        (won[c], c, c + 1000, f"an {c}") for c in sorted(people)
    ]


async def test_notices_to_many_leave_out_those_claimed_before(db: Sessions) -> None:
    """One by one or many at once, the same key: a notice claimed either way is not
    claimed again; and more contacts than one statement takes are all claimed."""
    round_id = await a_round(db)
    people = [await karl(db), *await more_contacts(db, 1200)]
    async with db() as session, session.begin():
        assert await claim_notice(session, round_id, people[5], "tag3", NOW)
        first = await claim_notices(
            session, round_id, "tag3", {p: (p, "") for p in people[:700]}, NOW
        )
    assert set(first) == set(people[:700]) - {people[5]}
    async with db() as session, session.begin():
        rest = await claim_notices(session, round_id, "tag3", {p: (p, "") for p in people}, NOW)
        assert not await claim_notice(session, round_id, people[-1], "tag3", NOW)
        other_kind = await claim_notices(session, round_id, "tag7", {people[5]: (1, "")}, NOW)
    assert set(rest) == set(people[700:])
    assert set(other_kind) == {people[5]}
    assert await count(db, Notice) == len(people) + 1


# --- Telegram updates --------------------------------------------------------------------------


@races
async def test_an_update_raced_by_two_sessions_is_handled_once(
    db: Sessions, race: Race[bool]
) -> None:
    async def claim(session: AsyncSession) -> bool:
        return await claim_update(session, 4711, NOW)

    one_winner(await race(db, claim))
    async with db() as session, session.begin():
        assert not await claim_update(session, 4711, NOW)
        assert await claim_update(session, 4712, NOW)
    assert await count(db, ProcessedUpdate) == 2


# --- weekly summary ----------------------------------------------------------------------------


async def summary_claim(db: Sessions, now: datetime) -> SummaryClaim | None:
    async with db() as session, session.begin():
        return await claim_summary(session, *WEEK, CHAT, now)


async def summary_row(db: Sessions) -> WeeklySummary:
    async with db() as session:
        row: WeeklySummary | None = await session.scalar(select(WeeklySummary))
        assert row is not None
        return row


async def claimed(db: Sessions, now: datetime) -> SummaryClaim:
    claim = await summary_claim(db, now)
    assert claim is not None
    return claim


@races
async def test_the_first_claim_of_a_summary_raced_by_two_sessions(
    db: Sessions, race: Race[SummaryClaim | None]
) -> None:
    async def claim(session: AsyncSession) -> SummaryClaim | None:
        return await claim_summary(session, *WEEK, CHAT, NOW)

    won = one_winner(await race(db, claim))
    assert (won.parts_sent, won.claimed_at) == (0, NOW)
    assert await count(db, WeeklySummary) == 1


async def test_the_claim_of_a_holder_known_to_be_dead_is_taken_over_at_once(
    db: Sessions,
) -> None:
    """Within the lease, a claim is taken over only when its holder is known to be gone:
    it claimed before this (sole, SQLite) process started, or, on PostgreSQL, it has no
    connection any more."""
    first = await claimed(db, NOW)
    later = NOW + timedelta(minutes=1)
    async with db() as session, session.begin():
        assert await claim_summary(session, *WEEK, CHAT, later, Alive(since=NOW)) is None
        now_connected = await alive(session)
    async with db() as session, session.begin():
        assert await claim_summary(session, *WEEK, CHAT, later, now_connected) is None
    if now_connected.names is not None:  # PostgreSQL: the holder's name is recorded
        holder = (await summary_row(db)).claimed_by
        assert holder is not None
        assert holder in now_connected.names
        async with db() as session, session.begin():
            dead = Alive(names=now_connected.names - {holder})
            taken = await claim_summary(session, *WEEK, CHAT, later, dead)
        assert taken is not None
        assert taken.claimed_at == later
        later += timedelta(minutes=1)
    async with db() as session, session.begin():
        restarted = Alive(since=later - timedelta(seconds=1))  # started after the claim
        taken = await claim_summary(session, *WEEK, CHAT, later, restarted)
    assert taken is not None
    assert taken.parts_sent == first.parts_sent
    assert await summary_claim(db, later) is None  # now held by the new one


async def test_a_live_lease_is_refused(db: Sessions) -> None:
    await claimed(db, NOW)
    for later in (timedelta(0), timedelta(minutes=5), SUMMARY_LEASE - timedelta(seconds=1)):
        assert await summary_claim(db, NOW + later) is None, later
    assert (await summary_row(db)).claimed_at == NOW  # the refused claims changed nothing
    assert await summary_claim(db, NOW + SUMMARY_LEASE) is not None  # expired: taken over


@pytest.mark.parametrize(
    "race", [held, at_once, behind_a_row_lock], ids=["held", "at_once", "behind_a_row_lock"]
)
async def test_an_expired_lease_is_taken_over_by_one_of_two_sessions(
    db: Sessions, race: Race[SummaryClaim | None]
) -> None:
    crashed = await claimed(db, NOW)
    async with db() as session, session.begin():
        crashed_on = await record_summary_part(session, crashed, 1, NOW + timedelta(minutes=1))
    assert crashed_on is not None  # then the holder crashed, its lease ran out
    later = NOW + timedelta(minutes=12)

    async def claim(session: AsyncSession) -> SummaryClaim | None:
        return await claim_summary(session, *WEEK, CHAT, later)

    taken = one_winner(await race(db, claim))
    assert (taken.parts_sent, taken.claimed_at) == (1, later)  # goes on with the second part
    # the old holder, back to life, can carry on with nothing
    async with db() as session, session.begin():
        assert await record_summary_part(session, crashed_on, 2, later) is None
        assert await renew_summary_lease(session, crashed_on, later) is None
        assert not await mark_summary_posted(session, crashed_on, "{}", later)
        await release_summary(session, crashed_on)
    row = await summary_row(db)
    assert (row.parts_sent, row.claimed_at, row.posted_at) == (1, later, None)


async def test_renewal_moves_the_lease_forward(db: Sessions) -> None:
    claim = await claimed(db, NOW)
    async with db() as session, session.begin():
        renewed = await renew_summary_lease(session, claim, NOW + timedelta(minutes=8))
    assert renewed is not None
    assert renewed.lease_ends == NOW + timedelta(minutes=8) + SUMMARY_LEASE
    assert (await summary_row(db)).claimed_at == NOW + timedelta(minutes=8)
    # past the first lease, within the renewed one: still refused
    assert await summary_claim(db, NOW + timedelta(minutes=12)) is None
    async with db() as session, session.begin():
        recorded = await record_summary_part(session, renewed, 1, NOW + timedelta(minutes=15))
    assert recorded is not None  # recording a part renews as well
    assert await summary_claim(db, NOW + timedelta(minutes=24)) is None
    assert await summary_claim(db, NOW + timedelta(minutes=25)) is not None


async def test_parts_sent_are_recorded_and_a_resumed_summary_goes_on_after_them(
    db: Sessions,
) -> None:
    claim = await claimed(db, NOW)
    async with db() as session, session.begin():
        first = await record_summary_part(session, claim, 1, NOW)
        assert first is not None
        second = await record_summary_part(session, first, 2, NOW + timedelta(minutes=1))
        assert second is not None
    assert (await summary_row(db)).parts_sent == 2
    async with db() as session, session.begin():
        await release_summary(session, second)  # the third part failed
    resumed = await claimed(db, NOW + timedelta(minutes=2))  # no need to wait for the lease
    assert resumed.parts_sent == 2
    async with db() as session, session.begin():
        third = await record_summary_part(session, resumed, 3, NOW + timedelta(minutes=2))
        assert third is not None
        assert await mark_summary_posted(session, third, '{"counts": {}}', NOW)
    row = await summary_row(db)
    assert (row.parts_sent, row.posted_at, row.baseline) == (3, NOW, '{"counts": {}}')
    assert await summary_claim(db, NOW + timedelta(days=1)) is None  # posted: never again


async def test_a_running_round_is_never_replaced_by_the_scheduler(db: Sessions) -> None:
    """A round opened by hand late in November runs until 19 December: no December round
    on the 1st (it would have replaced the due date people were given), nor later in the
    month after it ends; January's opens as usual."""

    async def claim(period_start: date, today: date) -> ReportingRound | None:
        async with db() as session, session.begin():
            return await claim_round_opening(session, period_start, Cadence.MONTHLY, NOW, today)

    manual = await a_round(db, date(2026, 11, 20))
    assert await claim(DECEMBER, DECEMBER) is None
    assert await claim(DECEMBER, date(2026, 12, 19)) is None  # its due date: still running
    january = await claim(date(2027, 1, 1), date(2027, 1, 4))
    assert january is not None
    assert await count(db, ReportingRound) == 2
    async with db() as session, session.begin():
        round_ = await session.get(ReportingRound, manual)
        assert round_ is not None
        assert not round_.running(date(2027, 1, 4))


async def test_a_closed_round_lets_the_period_open(db: Sessions) -> None:
    manual = await a_round(db, date(2026, 11, 20))
    async with db() as session, session.begin():
        round_ = await session.get(ReportingRound, manual)
        assert round_ is not None
        close_round(round_, NOW, None)
    async with db() as session, session.begin():
        assert await running_round(session, DECEMBER) is None
        opened = await claim_round_opening(session, DECEMBER, Cadence.MONTHLY, NOW, DECEMBER)
    assert opened is not None


async def test_handled_updates_are_kept_for_two_days_then_an_id_is_new_again(
    db: Sessions,
) -> None:
    later = NOW + UPDATES_KEPT - timedelta(minutes=1)
    async with db() as session, session.begin():
        assert await claim_update(session, 4711, NOW)
        assert await claim_update(session, 4712, later)
    async with db() as session, session.begin():
        assert not await claim_update(session, 4711, later)  # re-delivered within the window
    # After a week without updates Telegram may reuse ids: an old one is handled as new.
    much_later = NOW + UPDATES_KEPT + timedelta(minutes=1)
    async with db() as session, session.begin():
        assert await claim_update(session, 4711, much_later)
        assert not await claim_update(session, 4711, much_later)  # and then claimed again
    # The schedule forgets what is older than the window; the rest stays.
    async with db() as session, session.begin():
        await forget_old_updates(session, much_later + UPDATES_KEPT - timedelta(minutes=1))
    async with db() as session:
        kept = set(await session.scalars(select(ProcessedUpdate.update_id)))
    assert kept == {4711}
