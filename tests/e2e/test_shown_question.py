"""Typed text answers the question the person was shown, never one they have not seen."""

from __future__ import annotations

from bot.telegram_request import ATTEMPTS
from tests.e2e.conftest import World
from tests.e2e.test_reporting import reports, tap

SUPPORT_NOTE = "Bitte Termin mit dem Dezernat."


async def test_text_retyped_after_a_lost_reply_does_not_answer_the_next_question(
    world: World,
) -> None:
    karl = world.contact
    await world.open_round()
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    await world.say(karl, "Entwurf liegt beim Dezernat.")
    await tap(world, karl, "🟡 verzögert")
    await tap(world, karl, "Personal")
    await tap(world, karl, "Fertig")
    await tap(world, karl, "Ja")  # now: what kind of support?

    # The note is stored, but Telegram loses the next question (the review): Karl sees
    # no reply and types his note again.
    world.standin.fail_next(
        "sendMessage", error_code=502, description="Bad Gateway", times=ATTEMPTS
    )  # also the bot's repeated attempts
    await world.settle(await world.standin.send_text(karl, SUPPORT_NOTE))
    again = await world.say(karl, SUPPORT_NOTE)

    # Not taken as the figures asked on the review he never saw; the review comes now.
    assert again.text.startswith("III.2.1 · Ihre Angaben")
    notice = world.standin.sent_messages(karl.id)[-2].plain_text or ""
    assert notice.startswith("Diese Nachricht habe ich nicht gespeichert")
    [draft] = await reports(world, "III.2.1")
    assert draft.indicator_note is None
    assert [a.support_note for a in draft.answers] == [SUPPORT_NOTE]

    # Once shown, the review takes typed figures as usual.
    await world.say(karl, "3 Termine")
    [draft] = await reports(world, "III.2.1")
    assert draft.indicator_note == "3 Termine"
