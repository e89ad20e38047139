"""What reaches the person, whatever Telegram makes of a text: edits that are too long or
fail, lone surrogates in what people send, and messages they edit afterwards.

Each test drives the real bot through the Bot API stand-in.
"""

from __future__ import annotations

from bot.render import texts
from bot.standin import SentMessage
from conversations.framework import Reply, deliver
from conversations.payloads import SignOffKept
from tests.e2e.conftest import COORDINATION_CHAT, World
from tests.e2e.test_reporting import open_round, reports, tap

NOT_FOUND = "Bad Request: message to edit not found"
NOT_MODIFIED = "Bad Request: message is not modified: specified new message content is the same"
REVIEW_BUTTONS = ["Absenden", "Ändern", "Später"]
WORDS = ("Alpha", "Bravo", "Charlie")  # two notes and the numbers, each word its own


def note(word: str) -> str:
    """A note of (almost) 2,000 characters, the most a free text may have."""
    return " ".join([word] * (2001 // (len(word) + 1)))


def plain(messages: list[SentMessage]) -> list[str]:
    return [m.plain_text or "" for m in messages]


def words(parts: list[str]) -> list[str]:
    return " ".join(parts).split()


async def review_with_three_long_texts(world: World) -> None:
    """III.4.1 (two horizons) at its review, with two notes and the numbers typed, each of
    2,000 characters: a review of about 6,200 characters."""
    karl = world.contact
    await open_round(world)
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.4.1")
    for word in WORDS[:2]:
        await world.say(karl, note(word))
        await tap(world, karl, "🟢 im Plan")
    await world.say(karl, note(WORDS[2]))


# --- 1. edits are checked like sends --------------------------------------------------------


async def test_a_review_too_long_for_an_edit_arrives_in_parts(world: World) -> None:
    karl = world.contact
    await review_with_three_long_texts(world)
    menu = await tap(world, karl, "Ändern")
    assert menu.text == texts.CHANGE_CHOOSE
    before = len(world.standin.sent_messages(karl.id))
    await tap(world, karl, "Zurück zur Übersicht")  # the review, edited into the menu

    new = world.standin.sent_messages(karl.id)[before:]
    parts = [menu.message, *new]
    assert texts.ERROR not in plain(parts)
    assert len(new) >= 1
    assert all(len(m.plain_text or "") <= 4096 for m in parts)
    assert plain(parts)[0].startswith("III.4.1 · Ihre Angaben")
    shown = words(plain(parts))
    for word in WORDS:
        assert shown.count(word) == len(note(word).split())  # nothing lost, nothing twice
    # the buttons under the last part only, and the draft knows that message
    assert [m.buttons for m in parts[:-1]] == [[] for _ in parts[:-1]]
    assert REVIEW_BUTTONS in parts[-1].buttons
    [draft] = await reports(world, "III.4.1")
    assert draft.question_message_id == parts[-1].message_id
    # and the dialogue goes on from there
    await tap(world, karl, "Absenden")
    [draft] = await reports(world, "III.4.1")
    assert draft.submitted_at is not None


async def test_an_edit_of_a_message_that_is_gone_is_sent_anew(world: World) -> None:
    karl = world.contact
    await world.say(karl, "/abmelden")
    world.standin.fail_next("editMessageText", error_code=400, description=NOT_FOUND)
    answer = await world.press(karl, "Nein, behalten")
    assert answer.text == texts.SIGN_OFF_KEPT
    assert texts.ERROR not in plain(world.standin.sent_messages(karl.id))
    assert world.standin.sent_messages(COORDINATION_CHAT) == []  # no error notice


async def test_a_question_sent_anew_carries_its_buttons_and_is_remembered(world: World) -> None:
    karl = world.contact
    await open_round(world)
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.4.1")
    await tap(world, karl, "🟢 im Plan")
    await tap(world, karl, "🟢 im Plan")
    await tap(world, karl, "Ändern")
    world.standin.fail_next("editMessageText", error_code=400, description=NOT_FOUND)
    question = await tap(world, karl, "Kurzfristig: Stand")
    assert "Wie ist der Stand?" in question.text
    assert ["✅ erreicht", "🟢 im Plan"] in question.buttons
    [draft] = await reports(world, "III.4.1")
    assert draft.question_message_id == question.message_id
    # a note typed now collapses exactly that message
    await world.say(karl, "Ein Kurs mehr")
    assert question.text == "III.4.1 · Kurzfristig, Getan: Ein Kurs mehr"


async def test_an_edit_that_changes_nothing_sends_nothing(world: World) -> None:
    karl = world.contact
    await world.say(karl, "/abmelden")
    before = len(world.standin.sent_messages(karl.id))
    world.standin.fail_next("editMessageText", error_code=400, description=NOT_MODIFIED)
    await world.press(karl, "Nein, behalten")
    assert len(world.standin.sent_messages(karl.id)) == before
    assert world.standin.sent_messages(COORDINATION_CHAT) == []


async def test_an_earlier_message_edited_into_a_long_text_keeps_its_buttons_below(
    world: World,
) -> None:
    """A notice edited to a text over the limit (e.g. a request for support updated):
    the first part replaces it, the rest follows, and the buttons are under the last."""
    bot, svc = world.app.bot, world.app.bot_data["services"]
    ids: list[int] = []

    async def remember(chat_id: int, message_id: int) -> None:
        ids.append(message_id)

    buttons = [[("Knopf", SignOffKept())]]
    assert await deliver(bot, svc, Reply("Kurz", buttons, chat_id=COORDINATION_CHAT))
    [first] = world.standin.sent_messages(COORDINATION_CHAT)
    long_text = "\n".join(f"Zeile {n}: " + "x" * 90 for n in range(60))  # about 6,000
    edit = Reply(
        long_text, buttons, chat_id=COORDINATION_CHAT, edit_message_id=first.message_id,
        on_sent=remember,
    )  # fmt: skip
    assert await deliver(bot, svc, edit)
    messages = world.standin.sent_messages(COORDINATION_CHAT)
    assert len(messages) == 2
    assert [m.buttons for m in messages] == [[], [["Knopf"]]]
    assert ids == [messages[-1].message_id]
    assert "\n".join(plain(messages)) == long_text

    # a notice that is gone stays gone (logged), and says so
    world.standin.fail_next("editMessageText", error_code=400, description=NOT_FOUND)
    gone = Reply("Neu", chat_id=COORDINATION_CHAT, edit_message_id=first.message_id)
    assert not await deliver(bot, svc, gone)
    assert len(world.standin.sent_messages(COORDINATION_CHAT)) == 2


# --- 3. lone surrogates ---------------------------------------------------------------------


async def test_a_note_with_a_lone_surrogate_is_stored_and_the_dialogue_goes_on(
    world: World,
) -> None:
    karl = world.contact
    await open_round(world)
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.4.1")
    again = await world.say(karl, "Zwei Kurse \ud800gestartet 😀")
    assert texts.ERROR not in plain(world.standin.sent_messages(karl.id))
    assert "Ihre Notiz: Zwei Kurse \ufffdgestartet 😀" in again.text
    await tap(world, karl, "🟢 im Plan")
    [draft] = await reports(world, "III.4.1")
    first = min(draft.answers, key=lambda a: a.horizon_target_id)
    assert first.note == "Zwei Kurse \ufffdgestartet 😀"
    # a file name and a caption with one are taken as well
    await world.settle(
        await world.standin.send_document(
            karl, filename="Liste\udc00.pdf", content=b"%PDF-1.4\n", caption="Seite\ud801 1"
        )
    )
    assert world.standin.sent_messages(karl.id)[-2].plain_text == (
        "III.4.1 · 📎 Beleg gespeichert: Liste\ufffd.pdf"
    )
    assert texts.ERROR not in plain(world.standin.sent_messages(karl.id))


async def test_an_outgoing_text_with_a_lone_surrogate_is_sent(world: World) -> None:
    bot, svc = world.app.bot, world.app.bot_data["services"]
    assert await deliver(bot, svc, Reply("Notiz: a\ud800b 😀", chat_id=world.contact.id))
    assert world.last(world.contact).text == "Notiz: a\ufffdb 😀"


# --- 4. edited messages -----------------------------------------------------------------------


def message_id_of(world: World, update_id: int) -> int:
    return int(world.standin.update(update_id)["message"]["message_id"])


async def test_an_edited_note_is_not_taken_and_the_person_is_told(world: World) -> None:
    karl = world.contact
    await open_round(world)
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.4.1")
    sent = await world.standin.send_text(karl, "Zwei Kurse gestartet")
    await world.settle(sent)
    answer = await world.edit(karl, message_id_of(world, sent), "Drei Kurse gestartet")
    assert answer.text == texts.EDITED_MESSAGE
    await tap(world, karl, "🟢 im Plan")
    [draft] = await reports(world, "III.4.1")
    first = min(draft.answers, key=lambda a: a.horizon_target_id)
    assert first.note == "Zwei Kurse gestartet"
    # an edit while the next question is open is no answer to it either
    answer = await world.edit(karl, message_id_of(world, sent), "Vier Kurse")
    assert answer.text == texts.EDITED_MESSAGE
    [draft] = await reports(world, "III.4.1")
    assert sorted(a.note or "" for a in draft.answers) == ["", "Zwei Kurse gestartet"]


async def test_an_edited_command_is_not_run(world: World) -> None:
    karl = world.contact
    sent = await world.standin.send_text(karl, "/hilfe")
    await world.settle(sent)
    answer = await world.edit(karl, message_id_of(world, sent), "/abmelden")
    assert answer.text == texts.EDITED_MESSAGE
    assert answer.buttons == []
    assert await world.contact_row(karl.id) is not None


async def test_an_edit_in_the_group_is_ignored(world: World) -> None:
    clara = world.coordinator
    sent = await world.standin.send_text(clara, "/hilfe", world.group)
    await world.settle(sent)
    before = len(world.standin.calls_to("sendMessage"))
    update_id = await world.standin.edit_text(
        clara, message_id_of(world, sent), "/zusammenfassung", world.group
    )
    await world.settle(update_id)
    assert world.standin.calls_to("sendMessage")[before:] == []
