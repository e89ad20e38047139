"""The cached snapshot is reused while nothing changed and rebuilt after any change."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage.models import Office, Role, Status
from storage.people import add_contact, contact_by_telegram_id
from storage.reporting import Cadence, current_round, open_round, start_draft, submit, work_items
from storage.setup import init_database
from storage.status import SnapshotCache, load_snapshot

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


async def submit_status(sessions: async_sessionmaker[AsyncSession], status: Status) -> None:
    """Contact 5 submits V.2.1 (Sozialplanung's only measure) with ``status``."""
    async with sessions() as session, session.begin():
        person = await contact_by_telegram_id(session, 5)
        current = await current_round(session, TODAY)
        assert person is not None
        assert current is not None
        [item] = await work_items(session, person)
        draft = await start_draft(session, current, item, person, NOW)
        draft.answers[0].status = status
        await submit(session, draft, NOW)


async def test_cache_follows_submissions_rounds_and_catalogue(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    cache = SnapshotCache()
    async with sessions() as session:
        first = await cache.get(session, TODAY)
        assert await cache.get(session, TODAY) is first  # nothing changed: reused
    assert first.round is None

    async with sessions() as session, session.begin():
        await open_round(session, today=TODAY, cadence=Cadence.MONTHLY, now=NOW)
        office = await session.scalar(select(Office).where(Office.name == "Sozialplanung"))
        await add_contact(
            session,
            telegram_user_id=5,
            display_name="S",
            role=Role.CONTACT,
            offices=[office] if office else [],
            now=NOW,
        )
    async with sessions() as session:
        with_round = await cache.get(session, TODAY)
    assert with_round is not first
    assert with_round.round is not None

    await submit_status(sessions, Status.AT_RISK)
    async with sessions() as session:
        reported = await cache.get(session, TODAY)
        assert reported == await load_snapshot(session, TODAY)  # refreshed = rebuilt from scratch
    measure = reported.find_measure("V.2.1")
    assert measure is not None
    assert measure.overall is Status.AT_RISK
    untouched = reported.find_measure("V.1.1")
    assert untouched is with_round.find_measure("V.1.1")  # only the changed measure was reloaded

    await submit_status(sessions, Status.ACHIEVED)  # a correction in the same round
    async with sessions() as session:
        corrected = await cache.get(session, TODAY)
        assert corrected == await load_snapshot(session, TODAY)
    assert corrected.find_measure("V.2.1").overall is Status.ACHIEVED  # type: ignore[union-attr]

    revised = mainz.model_copy(update={"name": "Neuer Name"})
    await init_database(engine, revised)
    async with sessions() as session:
        assert await cache.get(session, TODAY) is not corrected
