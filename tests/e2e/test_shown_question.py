"""Typed text answers the question the person was shown, never one they have not seen."""

from __future__ import annotations

from bot.render import texts
from bot.telegram_request import ATTEMPTS
from tests.e2e.conftest import World
from tests.e2e.test_reporting import add_person, reports, tap

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


async def test_a_tap_repeated_after_a_lost_reply_shows_the_next_question(world: World) -> None:
    """The tap was stored, but the edit into the next question never reached Karl (the
    bot restarted, or Telegram lost it). He sees the same buttons and taps again: he
    must get the next question, not silence (which used to be taken as a double tap)."""
    karl = world.contact
    await world.open_round()
    await world.say(karl, "/bericht")
    await tap(world, karl, "IV.2.1")  # two targets
    first = world.last(karl)
    assert "(1/2)" in first.text
    data = first.data_of("🟢 im Plan")
    # The edit fails for good, and with it the rest of the reply.
    world.standin.fail_next(
        "editMessageText", error_code=502, description="Bad Gateway", times=ATTEMPTS
    )
    await world.settle(await world.standin.press_button(karl, "🟢 im Plan"))
    assert world.last(karl).message_id == first.message_id  # nothing new on Karl's screen

    again = await world.press(karl, "🟢 im Plan")
    assert again.message_id == first.message_id  # the question turned into the next one
    assert "(2/2)" in again.text, again.text
    assert "Stand: 🟢 im Plan\n\n" in again.text
    [draft] = await reports(world, "IV.2.1")
    assert [a.status for a in draft.answers].count(None) == 1  # the first target, once

    # A real double tap, once the next question is on screen, still changes nothing.
    before = len(world.standin.sent_messages(karl.id))
    edits = len(world.standin.calls_to("editMessageText"))
    await world.settle(
        await world.standin.press_callback_data(karl, data, message_id=first.message_id)
    )
    assert len(world.standin.sent_messages(karl.id)) == before
    assert len(world.standin.calls_to("editMessageText")) == edits


async def test_a_stale_button_without_a_draft_leads_on_to_what_is_due(world: World) -> None:
    """A question of a report already sent, tapped again: besides "not current", Fritzi
    hears where she stands (as /bericht says it), rather than meeting a dead end."""
    fritzi = await add_person(world, 801, "Fritzi Frau", "Frauenbüro")  # one measure
    await world.open_round()
    await world.say(fritzi, "/bericht")
    answer = await world.press(fritzi, "Der Reihe nach")
    data = answer.data_of("🟢 im Plan")
    while "Absenden" not in str(answer.buttons):
        if "🟢 im Plan" in str(answer.buttons):
            answer = await world.press(fritzi, "🟢 im Plan")
        else:
            answer = await world.say(fritzi, "Keine Zahlen.")
    await world.press(fritzi, "Absenden")

    await world.settle(await world.standin.press_callback_data(fritzi, data))
    *_, notice, where = world.standin.sent_messages(fritzi.id)
    assert notice.plain_text == texts.STALE_QUESTION
    assert "Alles berichtet, vielen Dank!" in (where.plain_text or ""), where.plain_text


async def test_text_typed_after_a_lost_edit_does_not_answer_the_next_question(
    world: World,
) -> None:
    """A tap turns the question's message into the next question. When that edit never
    arrives, Karl still sees the old question: what he types next is not taken for the
    question he has not seen."""
    karl = world.contact
    await world.open_round()
    await world.say(karl, "/bericht")
    await tap(world, karl, "IV.2.1")  # two targets
    world.standin.fail_next(
        "editMessageText", error_code=502, description="Bad Gateway", times=ATTEMPTS
    )
    await world.settle(await world.standin.press_button(karl, "🟢 im Plan"))
    answer = await world.say(karl, "Läuft.")
    assert world.standin.sent_messages(karl.id)[-2].plain_text == texts.NOT_STORED_UNSEEN
    assert "(2/2)" in answer.text  # the question he missed, asked now
    [draft] = await reports(world, "IV.2.1")
    by_target = sorted(draft.answers, key=lambda a: a.horizon_target_id)
    assert [a.note for a in by_target] == ["", None]  # nothing for 2/2
    await world.say(karl, "Läuft.")  # now it is on screen
    [draft] = await reports(world, "IV.2.1")
    by_target = sorted(draft.answers, key=lambda a: a.horizon_target_id)
    assert [a.note for a in by_target] == ["", "Läuft."]


async def test_a_tap_on_an_older_copy_of_an_answered_question_shows_the_next_one(
    world: World,
) -> None:
    """Karl's /bericht asked his question once more below; he answers it in the message
    above, then taps the same answer in the copy below. That copy shows the next question
    (it used to stay silent, taken for a double tap, for ever)."""
    karl = world.contact
    await world.open_round()
    await world.say(karl, "/bericht")
    await tap(world, karl, "IV.2.1")  # two targets
    above = await world.say(karl, "Läuft.")  # the note; the question again below it
    below = await world.say(karl, "/bericht")  # and once more
    assert below.message_id != above.message_id
    assert "(1/2)" in below.text
    old_tap = below.data_of("🟢 im Plan")
    await world.settle(
        await world.standin.press_button(karl, "🟢 im Plan", message_id=above.message_id)
    )
    assert "(2/2)" in above.text
    await world.settle(
        await world.standin.press_button(karl, "🟢 im Plan", message_id=below.message_id)
    )
    assert "(2/2)" in below.text  # the next question, in the copy he tapped
    [draft] = await reports(world, "IV.2.1")
    assert [a.status for a in draft.answers].count(None) == 1  # the first target, once

    # the same tap once more on the copy, which shows the next question now: nothing
    sent, edits = (
        len(world.standin.calls_to("sendMessage")),
        len(world.standin.calls_to("editMessageText")),
    )
    await world.settle(
        await world.standin.press_callback_data(karl, old_tap, message_id=below.message_id)
    )
    assert len(world.standin.calls_to("sendMessage")) == sent
    assert len(world.standin.calls_to("editMessageText")) == edits
