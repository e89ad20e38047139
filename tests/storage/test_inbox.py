"""The inbox of received updates: kept once, read in order, dropped when handled or too old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage import inbox
from storage.claims import UPDATES_KEPT
from storage.setup import init_database

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


async def test_kept_in_order_once_and_dropped(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        await inbox.keep(session, [(12, '{"update_id": 12}'), (11, '{"update_id": 11}')], NOW)
        await inbox.keep(session, [(11, '{"update_id": 11, "again": true}')], NOW)  # re-sent
        await inbox.keep(session, [], NOW)
    async with sessions() as session:
        assert await inbox.pending(session) == ['{"update_id": 11}', '{"update_id": 12}']
    async with sessions() as session, session.begin():
        await inbox.drop(session, 11)
        await inbox.keep(session, [(13, '{"update_id": 13}')], NOW + timedelta(hours=1))
    async with sessions() as session, session.begin():
        await inbox.forget_old(session, NOW + UPDATES_KEPT + timedelta(minutes=1))
    async with sessions() as session:
        assert await inbox.pending(session) == ['{"update_id": 13}']
