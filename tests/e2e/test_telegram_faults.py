"""Telegram answers with server errors: the bot repeats the call, the person gets the reply."""

from __future__ import annotations

from bot import telegram_request
from tests.e2e.conftest import World


def sends_to(world: World, chat_id: int) -> list[object]:
    return [c for c in world.standin.calls_to("sendMessage") if c["chat_id"] == chat_id]


async def test_a_reply_lost_to_a_bad_gateway_arrives_without_the_person_acting(
    world: World,
) -> None:
    world.standin.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=2)
    answer = await world.say(world.contact, "/hilfe")
    assert "Das können Sie hier tun" in answer.text
    assert len(sends_to(world, world.contact.id)) == 3  # two refused, the third delivered
    assert len(world.standin.sent_messages(world.contact.id)) == 1  # shown once


async def test_an_edit_after_a_button_survives_a_server_error(world: World) -> None:
    await world.say(world.contact, "/abmelden")
    world.standin.fail_next("editMessageText", error_code=500, description="Internal Server Error")
    answer = await world.press(world.contact, "Nein, behalten")
    assert answer.text == "Ihr Konto bleibt bestehen."


async def test_the_attempts_are_bounded(world: World) -> None:
    world.standin.fail_next("sendMessage", error_code=503, times=10)
    await world.settle(await world.standin.send_text(world.contact, "/hilfe"))
    assert len(sends_to(world, world.contact.id)) == telegram_request.ATTEMPTS
