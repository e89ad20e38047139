"""Unexpected errors, Telegram's rate limits, and the token kept out of every log line."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from bot.render import texts
from tests.e2e.conftest import TOKEN, World

CANT_PARSE = 'Bad Request: can\'t parse entities: unsupported start tag "x" at byte offset 5'


async def break_invitations(world: World) -> None:
    async with world.sessions() as session, session.begin():
        await session.execute(text("ALTER TABLE invitations RENAME TO invitations_gone"))


async def test_unexpected_error_apologises_and_notifies_once_per_hour(world: World) -> None:
    await break_invitations(world)
    answer = await world.say(world.stranger, "/start abcdefgh")
    assert answer.text == (
        "Entschuldigung, da ist etwas schiefgelaufen. Bitte versuchen Sie es in einigen Minuten "
        "noch einmal."
    )
    assert "Traceback" not in answer.text
    notices = await world.standin.wait_for_messages(world.group.id)
    assert "Unerwarteter Fehler im Bot" in (notices[0].plain_text or "")
    # The missing table, in the words of SQLite or of PostgreSQL.
    assert any(
        kind in (notices[0].plain_text or "") for kind in ("OperationalError", "ProgrammingError")
    )

    await world.say(world.stranger, "/start abcdefgh")  # same kind, same hour: no notice
    await world.standin.until_idle(quiet=0.3)
    assert world.standin.sent_messages(world.group.id) == notices

    world.clock.advance(hours=1, seconds=1)
    await world.say(world.stranger, "/start abcdefgh")
    assert len(await world.standin.wait_for_messages(world.group.id)) == 1


async def test_rejected_reply_is_a_bug_apologised_for_and_reported(world: World) -> None:
    # Telegram rejects the bot's reply (400); python-telegram-bot raises BadRequest, which
    # derives from NetworkError but is no problem of the connection: a bug of the bot.
    world.standin.fail_next("sendMessage", error_code=400, description=CANT_PARSE)
    answer = await world.say(world.contact, "/hilfe")
    assert answer.text == texts.ERROR
    assert [m.plain_text for m in world.standin.sent_messages(world.contact.id)] == [texts.ERROR]
    [notice] = await world.standin.wait_for_messages(world.group.id)
    assert "Unerwarteter Fehler im Bot" in (notice.plain_text or "")
    assert "BadRequest" in (notice.plain_text or "")
    assert "parse entities" in (notice.plain_text or "")


async def test_rejected_edit_after_a_button_is_apologised_for(world: World) -> None:
    confirm = await world.say(world.contact, "/abmelden")
    world.standin.fail_next("editMessageText", error_code=400, description=CANT_PARSE)
    answer = await world.press(world.contact, "Nein, behalten")
    # The button was answered before the edit failed; the apology comes all the same.
    assert answer.text == texts.ERROR
    assert confirm.text != "Ihr Konto bleibt bestehen."
    [notice] = await world.standin.wait_for_messages(world.group.id)
    assert "BadRequest" in (notice.plain_text or "")


async def test_retry_after_is_waited_out(world: World) -> None:
    world.standin.fail_next("sendMessage", error_code=429, retry_after=1)
    answer = await world.say(world.contact, "/hilfe")
    assert "Das können Sie hier tun" in answer.text
    attempts = [
        c for c in world.standin.calls_to("sendMessage") if c["chat_id"] == world.contact.id
    ]
    assert len(attempts) == 2


async def test_token_never_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram", "apscheduler"):
        caplog.set_level(logging.DEBUG, logger=name)
    await world.say(world.contact, "/hilfe")
    await break_invitations(world)
    await world.say(world.stranger, "/start abcdefgh")  # an error with a traceback
    await world.standin.until_idle()
    assert any("getUpdates" in r.getMessage() for r in caplog.records)  # httpx did log URLs
    assert any(r.exc_text for r in caplog.records)
    secret = TOKEN.split(":")[1]
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in (record.exc_text or "")
