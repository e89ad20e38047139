"""storage.claims.hold_chat: one chat's transactions one after another across processes."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.claims import hold_chat
from storage.database import create_engine, session_factory

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_a_second_transaction_of_the_same_chat_waits_for_the_first(
    engine: AsyncEngine,
) -> None:
    sessions = session_factory(engine)
    chat, other = random.randrange(10**12, 10**13), random.randrange(10**13, 10**14)
    order: list[str] = []
    first_holds = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with sessions() as session, session.begin():
            await hold_chat(session, chat)
            first_holds.set()
            await release.wait()
            order.append("first done")

    async def second(key: int, name: str) -> None:
        await first_holds.wait()
        async with sessions() as session, session.begin():
            await hold_chat(session, key)
            order.append(name)

    holder = asyncio.create_task(first())
    same = asyncio.create_task(second(chat, "same chat"))
    await asyncio.wait_for(second(other, "other chat"), timeout=10)  # not held up
    await asyncio.sleep(0.3)
    assert order == ["other chat"]  # the same chat still waits
    release.set()
    await asyncio.wait_for(asyncio.gather(holder, same), timeout=10)
    assert order == ["other chat", "first done", "same chat"]


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_the_same_chat_of_a_bot_in_another_schema_does_not_wait(
    engine: AsyncEngine,
) -> None:
    """Advisory locks belong to the whole database: the key holds the schema too."""
    chat = random.randrange(10**12, 10**13)
    other_schema = create_engine(
        str(engine.url.render_as_string(hide_password=False)),
        connect_args={"server_settings": {"search_path": "public"}},
    )
    try:
        async with session_factory(engine)() as holder, holder.begin():
            await hold_chat(holder, chat)
            async with session_factory(other_schema)() as session, session.begin():
                await asyncio.wait_for(hold_chat(session, chat), timeout=5)  # not held up
    finally:
        await other_schema.dispose()
