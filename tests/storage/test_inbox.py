"""The inbox of received updates: kept once, read in order, dropped when handled or too old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage import inbox
from storage.claims import UPDATES_KEPT, claim_update
from storage.setup import init_database

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
KARL, GROUP = 601, -1001000000001


def got(update_id: int, data: str, chat_id: int | None = None) -> inbox.Received:
    return inbox.Received(update_id, chat_id, data)


async def test_kept_in_order_once_and_dropped(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        await inbox.keep(session, [got(12, '{"update_id": 12}'), got(11, '{"update_id": 11}')], NOW)
        await inbox.keep(session, [got(11, '{"update_id": 11, "again": true}')], NOW)  # re-sent
        await inbox.keep(session, [], NOW)
    async with sessions() as session:
        assert await inbox.pending(session) == ['{"update_id": 11}', '{"update_id": 12}']
    async with sessions() as session, session.begin():
        await inbox.drop(session, 11)
        await inbox.keep(session, [got(13, '{"update_id": 13}')], NOW + timedelta(hours=1))
    async with sessions() as session, session.begin():
        await inbox.forget_old(session, NOW + UPDATES_KEPT + timedelta(minutes=1))
    async with sessions() as session:
        assert await inbox.pending(session) == ['{"update_id": 13}']


def test_the_chat_of_an_update_as_telegram_sends_it() -> None:
    private = {"id": KARL, "type": "private"}
    group = {"id": GROUP, "type": "supergroup"}
    message = {"message_id": 5, "chat": private, "text": "hallo"}
    assert inbox.chat_of({"update_id": 1, "message": message}) == KARL
    assert inbox.chat_of({"update_id": 2, "edited_message": {**message, "chat": group}}) == GROUP
    press = {"id": "7", "from": {"id": KARL}, "message": message, "data": "x"}
    assert inbox.chat_of({"update_id": 3, "callback_query": press}) == KARL
    member = {"chat": group, "from": {"id": KARL}, "date": 0}
    assert inbox.chat_of({"update_id": 4, "my_chat_member": member}) == GROUP
    inline = {"id": "8", "from": {"id": KARL}, "inline_message_id": "abc", "data": "x"}
    assert inbox.chat_of({"update_id": 5, "callback_query": inline}) is None
    assert inbox.chat_of({"update_id": 6}) is None


async def test_earlier_updates_of_a_chat_waiting(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    """An earlier update of the same chat, received and not handled, is waiting; one
    handled (claimed) or of another chat is not; nor is a later one."""
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        kept = [got(10, "{}", KARL), got(11, "{}", GROUP), got(12, "{}", KARL), got(13, "{}")]
        await inbox.keep(session, kept, NOW)
        assert await claim_update(session, 10, NOW)
    since = NOW - timedelta(seconds=1)
    async with sessions() as session:
        assert not await inbox.earlier_waiting(session, KARL, 12, since)  # 10 handled
        assert await inbox.earlier_waiting(session, KARL, 14, since)  # 12 not yet
        assert not await inbox.earlier_waiting(session, GROUP, 11, since)  # itself
        assert await inbox.earlier_waiting(session, GROUP, 12, since)
        assert not await inbox.earlier_waiting(session, KARL + 1, 99, since)
        # received before ``since`` and still not handled: stuck, not waited for
        assert not await inbox.earlier_waiting(session, KARL, 14, NOW + timedelta(seconds=1))
