"""Receiving updates by webhook: Telegram posts them, with the secret token in a header,
to python-telegram-bot's webhook server behind a reverse proxy (here: the stand-in)."""

from __future__ import annotations

import json

import aiohttp
import pytest
from sqlalchemy import select

from bot.config.settings import load_settings
from bot.runtime import WEBHOOK_CONNECTIONS, webhook_for
from bot.standin.webhook import SECRET_HEADER
from storage import inbox
from storage.claims import claim_update
from storage.database import session_factory
from storage.models import GeneratedSecret, ReceivedUpdate
from tests.e2e.conftest import WEBHOOK_SECRET, World

pytestmark = pytest.mark.webhook


def local_url(world: World) -> str:
    assert world.webhook is not None
    return f"http://{world.webhook.listen}:{world.webhook.port}/{world.webhook.path}"


def hilfe_update(world: World, update_id: int) -> dict[str, object]:
    """A /hilfe of Karl as Telegram would post it."""
    karl = world.contact
    return {
        "update_id": update_id,
        "message": {
            "message_id": 9000 + update_id,
            "date": 1_790_000_000,
            "chat": {"id": karl.id, "type": "private", "first_name": karl.first_name},
            "from": {"id": karl.id, "is_bot": False, "first_name": karl.first_name},
            "text": "/hilfe",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def post(world: World, update: dict[str, object], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as client,
        client.post(local_url(world), data=json.dumps(update), headers=headers) as response,
    ):
        return response.status


async def test_the_bot_sets_its_webhook_and_answers_what_telegram_posts(world: World) -> None:
    [call] = world.standin.calls_to("setWebhook")
    assert call["url"] == "https://bot.example.org/telegram/hook"
    assert call["secret_token"] == WEBHOOK_SECRET
    assert int(call["max_connections"]) == WEBHOOK_CONNECTIONS
    assert world.standin.calls_to("getUpdates") == []  # no long polling beside it

    answer = await world.say(world.contact, "/hilfe")
    assert "/bericht" in answer.text
    deliveries = world.standin.webhook.deliveries
    assert deliveries
    assert {d.status for d in deliveries} == {200}


@pytest.mark.parametrize("secret", [None, "", "falsch", WEBHOOK_SECRET + "x"])
async def test_a_request_without_the_right_secret_token_is_refused(
    world: World, secret: str | None
) -> None:
    before = len(world.standin.sent_messages(world.contact.id))
    assert await post(world, hilfe_update(world, 777), secret) == 403
    # the right token for the same update: now it is handled
    assert await post(world, hilfe_update(world, 778), WEBHOOK_SECRET) == 200
    await world.settle(778)
    assert 777 not in world.handled.counts
    assert len(world.standin.sent_messages(world.contact.id)) == before + 1


async def test_an_update_is_in_the_inbox_before_telegram_gets_its_answer(world: World) -> None:
    """Telegram forgets an update once the webhook answered 200: it must be kept by then,
    so that a crash right after loses nothing (the inbox is replayed at the start)."""
    # An earlier update of Karl's chat, which another process has taken and not handled
    # yet: this one waits for it and is not handled (nor out of the inbox) meanwhile.
    async with world.sessions() as session, session.begin():
        await inbox.keep(session, [inbox.Received(778, world.contact.id, "{}")], world.clock())
    assert await post(world, hilfe_update(world, 779), WEBHOOK_SECRET) == 200
    async with world.sessions() as session:
        kept = await session.scalar(select(ReceivedUpdate).where(ReceivedUpdate.update_id == 779))
    assert kept is not None
    assert json.loads(kept.data)["message"]["text"] == "/hilfe"
    async with world.sessions() as session, session.begin():
        assert await claim_update(session, 778, world.clock())  # the other process's
        await inbox.drop(session, 778)
    await world.settle(779)
    async with world.sessions() as session:
        assert await session.get(ReceivedUpdate, 779) is None  # handled: out of the inbox


async def test_without_a_configured_secret_one_is_generated_once_and_shared(
    world: World,
) -> None:
    settings = load_settings(
        telegram_bot_token=world.settings.telegram_bot_token,
        database_url=world.settings.database_url,
        webhook_secret="",
    )
    engine = world.sessions.kw["bind"]
    first = await webhook_for(settings, engine, "https://bot.example.org/a")
    second = await webhook_for(settings, engine, "https://bot.example.org/a")
    assert first.secret == second.secret
    assert len(first.secret) >= 40
    async with session_factory(engine)() as session:
        stored = list(await session.scalars(select(GeneratedSecret.value)))
    assert stored == [first.secret]
    configured = load_settings(
        telegram_bot_token=world.settings.telegram_bot_token, webhook_secret="mein-geheimnis"
    )
    assert (await webhook_for(configured, engine, "https://x.example/b")).secret == "mein-geheimnis"
