"""Failed invitation attempts: counted per Telegram user in a window, kept for a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage.migrate import downgrade, upgrade
from storage.models import InvitationAttempt, Role
from storage.people import (
    ATTEMPT_LIMIT,
    Redemption,
    attempts_exhausted,
    create_invitation,
    record_failed_attempt,
    redeem_invitation,
)
from storage.setup import init_database

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
GUESSER, OTHER = 4711, 4712


async def fail(
    sessions: async_sessionmaker[AsyncSession], user: int, when: datetime, times: int = 1
) -> list[bool]:
    """Record ``times`` failures, each in its own transaction; whether each says 'tell'."""
    told = []
    for _ in range(times):
        async with sessions() as session, session.begin():
            told.append(await record_failed_attempt(session, user, when))
    return told


async def exhausted(sessions: async_sessionmaker[AsyncSession], user: int, when: datetime) -> bool:
    async with sessions() as session:
        return await attempts_exhausted(session, user, when)


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, str, datetime]]:
    async with sessions() as session:
        result = await session.execute(
            select(
                InvitationAttempt.telegram_user_id,
                InvitationAttempt.kind,
                InvitationAttempt.attempted_at,
            ).order_by(InvitationAttempt.id)
        )
        return [(user, kind, at) for user, kind, at in result]


async def test_five_failures_within_an_hour_exhaust_the_attempts(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    assert ATTEMPT_LIMIT == 5
    assert await fail(sessions, GUESSER, NOW - timedelta(hours=2)) == [False]  # too old
    assert await fail(sessions, GUESSER, NOW - timedelta(minutes=50), 4) == [False] * 4
    assert await fail(sessions, OTHER, NOW, 4) == [False] * 4  # another person's count
    assert not await exhausted(sessions, GUESSER, NOW)
    # The fifth failure within the hour: the coordination is to be told, once.
    assert await fail(sessions, GUESSER, NOW) == [True]
    assert await exhausted(sessions, GUESSER, NOW)
    assert not await exhausted(sessions, OTHER, NOW)
    # The window slides: an hour after the early failures they no longer count.
    assert await exhausted(sessions, GUESSER, NOW + timedelta(minutes=9))
    assert not await exhausted(sessions, GUESSER, NOW + timedelta(minutes=10))
    # Exhausted again the same day: nobody is told twice.
    later = NOW + timedelta(hours=2)
    assert await fail(sessions, GUESSER, later, 5) == [False] * 5
    assert await exhausted(sessions, GUESSER, later)
    # The next day they are.
    assert await fail(sessions, GUESSER, NOW + timedelta(days=1), 5) == [False] * 4 + [True]


async def test_rows_older_than_a_day_are_deleted_when_writing(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    await fail(sessions, OTHER, NOW - timedelta(hours=23))
    await fail(sessions, GUESSER, NOW - timedelta(days=2), 5)  # and the notice's row
    assert len(await rows(sessions)) == 7
    await fail(sessions, OTHER, NOW)
    assert await rows(sessions) == [
        (OTHER, "failed", NOW - timedelta(hours=23)),
        (OTHER, "failed", NOW),
    ]


async def test_a_redeemed_invitation_clears_the_failures(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    await fail(sessions, GUESSER, NOW, 4)
    await fail(sessions, OTHER, NOW, 4)
    async with sessions() as session, session.begin():
        token = await create_invitation(
            session, role=Role.COORDINATOR, office=None, now=NOW, valid_for=timedelta(days=1)
        )
        result = await redeem_invitation(
            session, token, telegram_user_id=GUESSER, display_name="G", now=NOW
        )
        assert result.outcome is Redemption.ACCEPTED
    assert await fail(sessions, GUESSER, NOW, 4) == [False] * 4
    assert not await exhausted(sessions, GUESSER, NOW)
    async with sessions() as session:
        others = await session.scalar(
            select(func.count())
            .select_from(InvitationAttempt)
            .where(InvitationAttempt.telegram_user_id == OTHER)
        )
    assert others == 4


async def test_migration_adds_and_removes_the_table(engine: AsyncEngine) -> None:
    async def tables() -> set[str]:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))

    await upgrade(engine)
    assert "invitation_attempts" in await tables()
    await downgrade(engine, "0011")
    assert "invitation_attempts" not in await tables()
    assert "invitations" in await tables()
    await upgrade(engine)
    assert "invitation_attempts" in await tables()


async def test_every_migration_goes_down_and_up_again(engine: AsyncEngine) -> None:
    await upgrade(engine)
    await downgrade(engine, "base")
    assert await _names(engine) <= {"alembic_version"}
    await upgrade(engine)
    assert "invitation_attempts" in await _names(engine)


async def _names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
