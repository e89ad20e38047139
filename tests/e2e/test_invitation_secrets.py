"""Invitation tokens are secrets: never in a log record, never stored in the database."""

from __future__ import annotations

import logging
import re
import secrets

import pytest
from sqlalchemy import MetaData, select

from tests.e2e.conftest import World

LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")


def debug_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    """Capture DEBUG records of every logger, whatever level an earlier test left it at."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def leaks(record: logging.LogRecord, token: str) -> bool:
    """Whether ``token`` shows anywhere a handler could write it."""
    parts = [str(record.msg), record.getMessage(), repr(record.args)]
    parts += [record.exc_text or "", record.stack_info or ""]
    return any(token in part for part in parts)


async def invite(world: World, office: str) -> str:
    await world.say(world.coordinator, "/einladen")
    answer = await world.press(world.coordinator, office)
    match = LINK.search(answer.text)
    assert match is not None, answer.text
    return match.group(1)


async def test_no_invitation_token_in_any_log_record(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    debug_everywhere(caplog)
    token = await invite(world, "Frauenbüro")  # the bot sends the link: logged at DEBUG
    newcomer = world.standin.user(811, "Nora", "Neu")
    welcome = await world.say(newcomer, f"/start {token}")
    assert welcome.text.startswith("Willkommen, Nora Neu!")
    wrong = secrets.token_urlsafe(24)
    refused = await world.say(world.stranger, f"/start {wrong}")
    assert refused.text.startswith("Dieser Einladungslink ist ungültig")
    await world.standin.until_idle()

    # No record holds a token, in its message, arguments or traceback ...
    for secret in (token, wrong):
        assert [r.getMessage() for r in caplog.records if leaks(r, secret)] == []
        assert secret not in caplog.text
    # ... although the updates and requests carrying them were logged (python-telegram-bot
    # does so at DEBUG), with the token replaced.
    messages = [record.getMessage() for record in caplog.records]
    assert any("getUpdates" in m and "/start [Einladung]" in m for m in messages)
    assert any("editMessageText" in m and "?start=[Einladung]" in m for m in messages)


async def test_only_the_hash_of_a_token_is_stored(world: World) -> None:
    """After inviting and redeeming, no column of any table holds the token."""
    token = await invite(world, "Frauenbüro")
    await world.say(world.standin.user(812, "Nora", "Neu"), f"/start {token}")
    await world.say(world.stranger, f"/start {token}")  # a second, refused use

    found: list[str] = []
    async with world.sessions() as session:
        connection = await session.connection()
        tables = MetaData()
        await connection.run_sync(lambda sync: tables.reflect(sync))
        assert "invitations" in tables.tables
        for table in tables.sorted_tables:
            for row in await session.execute(select(table)):
                found += [
                    f"{table.name}.{column}"
                    for column, value in row._mapping.items()
                    if value is not None and token in str(value)
                ]
    assert found == []
