"""Telegram answers with server errors: the bot repeats the call, the person gets the reply."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import telegram_request
from storage.models import Report, Status, TargetAnswer
from tests.e2e.conftest import World


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot waits 5 s for Telegram's answer; here half a second."""
    monkeypatch.setattr(telegram_request, "READ_TIMEOUT", 0.5)


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


async def test_a_send_whose_answer_is_lost_is_repeated(world: World) -> None:
    """Telegram delivered the message but the connection broke before its answer: the bot
    sends again (a message twice beats none), and the person did nothing."""
    world.standin.lose_answer("sendMessage", performed=True)
    answer = await world.say(world.contact, "/hilfe")
    assert "Das können Sie hier tun" in answer.text
    assert len(sends_to(world, world.contact.id)) == 2


async def test_a_connection_dropped_before_the_call_is_repeated(world: World) -> None:
    world.standin.lose_answer("sendMessage", performed=False)
    answer = await world.say(world.contact, "/hilfe")
    assert "Das können Sie hier tun" in answer.text
    assert len(world.standin.sent_messages(world.contact.id)) == 1  # shown once


async def test_an_answer_slower_than_the_timeout_is_repeated(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.standin.answer_late("sendMessage", telegram_request.READ_TIMEOUT + 0.5)
    answer = await world.say(world.contact, "/hilfe")
    assert "Das können Sie hier tun" in answer.text
    assert len(sends_to(world, world.contact.id)) == 2


async def test_faults_in_the_middle_of_a_report_leave_it_whole(world: World) -> None:
    """Each step of a report meets another fault of Telegram; the person never repeats a
    step and every answer is stored once."""
    await world.open_round()
    await world.say(world.contact, "/bericht")
    world.standin.lose_answer("editMessageText", performed=True)
    question = await world.press(world.contact, "III.2.1")
    assert "Wie ist der Stand?" in question.text
    world.standin.fail_next("sendMessage", error_code=502, description="Bad Gateway")
    world.standin.lose_answer("answerCallbackQuery", performed=False)
    await world.press(world.contact, "🟢 im Plan")
    world.standin.answer_late("sendMessage", telegram_request.READ_TIMEOUT + 0.5)
    await world.say(world.contact, "Keine Zahlen.")
    world.standin.lose_answer("sendMessage", performed=False)
    following = await world.press(world.contact, "Absenden")
    assert "Maßnahme III.4.1" in following.text  # the next measure, after the submission
    async with world.sessions() as session:
        submitted = select(Report.version, Report.indicator_note).where(
            Report.submitted_at.is_not(None)
        )
        reports = list(await session.execute(submitted))
        given = select(TargetAnswer.status).where(TargetAnswer.status.is_not(None))
        answers = list(await session.scalars(given))
    assert [tuple(row) for row in reports] == [(1, "Keine Zahlen.")]
    assert answers == [Status.ON_TRACK]
