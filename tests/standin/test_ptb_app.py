"""The stand-in driven by the real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.standin import BotApiStandIn, FakeUser

from .conftest import TOKEN, Harness, build_app


def anna(standin: BotApiStandIn) -> FakeUser:
    return standin.user(4242, "Anna", "Schmidt", username="anna_mz")


async def test_get_me_reports_configured_bot(harness: Harness) -> None:
    bot = harness.app.bot
    assert bot.username == "mainz_monitoring_bot"
    assert bot.first_name == "Integrationsmonitoring"
    assert bot.id == 7000000001
    assert bot.can_join_groups is True
    assert harness.standin.calls[0].method == "getMe"
    await harness.standin.wait_until(lambda: len(harness.standin.calls) >= 3, timeout=2)
    assert [c.method for c in harness.standin.calls[:3]] == ["getMe", "deleteWebhook", "getUpdates"]


async def test_start_command_gets_reply_with_keyboard(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    update_id = await standin.send_text(user, "/start abc")

    [message] = await standin.wait_for_messages(user.id, 1, timeout=2)

    assert message.plain_text == "Hallo Anna! Payload: abc"
    assert message.text == "Hallo <b>Anna</b>! Payload: abc"
    assert message.parse_mode == "HTML"
    assert message.entities == [{"type": "bold", "offset": 6, "length": 4}]
    assert message.buttons == [["Ja", "Nein"]]
    assert message.button_data == [["yes", "no"]]
    assert message.chat_id == user.id
    assert harness.seen_update_ids == [update_id]
    assert harness.seen_commands == [("/start abc", 0, 6)]
    assert standin.last_message(user) is message


async def test_text_message_is_echoed_with_escaped_html(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_text(user, "a < b & c")
    await standin.until_idle(timeout=2)

    message = standin.last_message(user.id)
    assert message.plain_text == "Echo: a < b & c"
    assert message.text == "Echo: <code>a &lt; b &amp; c</code>"
    assert message.entities == [{"type": "code", "offset": 6, "length": 9}]


async def test_message_ids_increase_per_chat(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_text(user, "eins")
    await standin.send_text(user, "zwei")
    replies = await standin.wait_for_messages(user, 2, timeout=2)
    # user message 1, 2 then bot replies 3, 4 (ids are shared by everybody in the chat)
    assert [m.message_id for m in replies] == [3, 4]
    assert [m.plain_text for m in replies] == ["Echo: eins", "Echo: zwei"]


async def test_press_button_by_label_answers_and_edits(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_text(user, "/start")
    [message] = await standin.wait_for_messages(user, timeout=2)

    await standin.press_button(user, "Nein")
    await standin.until_idle(timeout=2)

    [answer] = standin.callback_answers
    assert answer.text == "Gewählt: no"
    assert answer.show_alert is False
    assert answer.data == "no"
    assert answer.user_id == user.id
    assert message.edited
    assert message.plain_text == "Du hast Nein gewählt."
    assert message.entities == [{"type": "italic", "offset": 8, "length": 4}]
    assert message.reply_markup is None  # editMessageText without markup drops the keyboard
    assert message.edit_history[0].plain_text == "Hallo Anna! Payload: -"
    assert len(standin.sent_messages(user)) == 1

    with pytest.raises(AssertionError, match="no inline button labelled 'Ja'"):
        await standin.press_button(user, "Ja")


async def test_press_unknown_label_lists_available_buttons(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_text(user, "/start")
    await standin.wait_for_messages(user, timeout=2)
    with pytest.raises(AssertionError, match=r"\['Ja', 'Nein'\]"):
        await standin.press_button(user, "Vielleicht")


async def test_forged_callback_data_is_delivered(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_text(user, "/start")
    [message] = await standin.wait_for_messages(user, timeout=2)

    await standin.press_callback_data(user, "evil-data")
    await standin.until_idle(timeout=2)

    [answer] = standin.callback_answers
    assert (answer.text, answer.show_alert, answer.data) == (
        "Unbekannte Auswahl",
        True,
        "evil-data",
    )
    assert not message.edited


async def test_answering_a_query_twice_is_rejected(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_text(user, "/start")
    await standin.wait_for_messages(user, timeout=2)
    await standin.press_button(user, "Ja")
    await standin.until_idle(timeout=2)
    query_id = standin.callback_answers[0].callback_query_id

    with pytest.raises(BadRequest, match="Query is too old"):
        await harness.app.bot.answer_callback_query(query_id, text="nochmal")
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await harness.app.bot.answer_callback_query("12345")
    assert len(standin.callback_answers) == 1


async def test_group_command_carries_bot_command_entity(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    group = standin.group(-1001234, "Team Mainz")

    await standin.send_text(user, "/status@mainz_monitoring_bot bitte", chat=group)
    [message] = await standin.wait_for_messages(group.id, timeout=2)

    assert message.plain_text == "Status OK"
    assert message.chat_id == group.id
    assert harness.seen_commands == [("/status@mainz_monitoring_bot bitte", 0, 28)]

    # a command for another bot is ignored by PTB's CommandHandler
    await standin.send_text(user, "/status@other_bot", chat=group)
    await standin.until_idle(timeout=2)
    assert len(standin.sent_messages(group)) == 1
    assert standin.sent_messages(user) == []


async def test_too_long_message_is_bad_request_in_the_bot(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_text(user, "/long")
    await standin.until_idle(timeout=2)

    [error] = harness.errors
    assert isinstance(error, BadRequest)
    assert error.message == "Message is too long"
    assert standin.sent_messages(user) == []

    bot = harness.app.bot
    ok = await bot.send_message(user.id, "y" * 4096)
    assert len(ok.text or "") == 4096
    # counted after entity parsing: tags and escapes do not count
    html_ok = await bot.send_message(user.id, "<b>" + "&lt;" * 4096 + "</b>", parse_mode="HTML")
    assert html_ok.text == "<" * 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(user.id, "<b>" + "&lt;" * 4097 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(user.id, "  <b> </b>\n", parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_rejected(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_text(user, "/bigbutton")
    await standin.until_idle(timeout=2)

    [error] = harness.errors
    assert isinstance(error, BadRequest)
    assert "button_data_invalid" in error.message.lower()
    assert standin.sent_messages(user) == []

    bot = harness.app.bot

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=data)]])

    await bot.send_message(user.id, "64 Bytes", reply_markup=keyboard("a" * 64))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(user.id, "66 Bytes", reply_markup=keyboard("ä" * 33))
    assert [m.plain_text for m in standin.sent_messages(user)] == ["64 Bytes"]


async def test_invalid_html_is_rejected(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_text(user, "/badhtml")
    await standin.until_idle(timeout=2)

    [error] = harness.errors
    assert isinstance(error, BadRequest)
    assert error.message.startswith("Can't parse entities")
    assert standin.sent_messages(user) == []

    bot = harness.app.bot
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "p"'):
        await bot.send_message(user.id, "<p>Absatz</p>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(user.id, "<b><i>x</b></i>", parse_mode=ParseMode.HTML)
    assert standin.sent_messages(user) == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_retry_after_surfaces_as_retry_after(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    standin.open_chat(user)
    standin.fail_next("sendMessage", retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await harness.app.bot.send_message(user.id, "Hallo")
    assert caught.value.retry_after in (7, dt.timedelta(seconds=7))
    assert standin.sent_messages(user) == []  # a failed call has no side effects

    message = await harness.app.bot.send_message(user.id, "Hallo")
    assert message.message_id == 1
    assert [m.plain_text for m in standin.sent_messages(user)] == ["Hallo"]
    assert len(standin.calls_to("sendMessage")) == 2


async def test_server_error_surfaces_as_network_error(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    standin.open_chat(user)
    standin.fail_next("sendMessage", error_code=500, times=2)
    bot = harness.app.bot

    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(user.id, "Hallo")
    await bot.send_message(user.id, "Hallo")
    assert [m.message_id for m in standin.sent_messages(user)] == [1]


async def test_redelivered_update_reaches_the_bot_twice(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    first = await standin.send_text(user, "hallo")
    await standin.until_idle(timeout=2)

    standin.redeliver(first)
    await standin.until_idle(timeout=2)
    assert harness.seen_update_ids == [first, first]

    second = await standin.send_text(user, "danach")
    await standin.until_idle(timeout=2)
    assert second > first
    assert harness.seen_update_ids == [first, first, second]
    assert [m.plain_text for m in standin.sent_messages(user)] == [
        "Echo: hallo",
        "Echo: hallo",
        "Echo: danach",
    ]


async def test_blocked_user_and_unknown_chat(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    bot = harness.app.bot
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(user.id, "Hallo?")  # Anna never wrote to the bot

    await standin.send_text(user, "hi")
    await standin.until_idle(timeout=2)
    standin.block(user)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "Erinnerung")

    await standin.send_text(user, "wieder da")  # writing to the bot unblocks it
    await standin.until_idle(timeout=2)
    assert [m.plain_text for m in standin.sent_messages(user)] == ["Echo: hi", "Echo: wieder da"]


async def test_send_document_and_photo_store_uploaded_bytes(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    standin.open_chat(user)
    bot = harness.app.bot
    content = "Kommune;Stand\nMainz;grün\n".encode()

    message = await bot.send_document(
        user.id,
        document=content,
        filename="bericht.csv",
        caption="<b>Bericht</b> Mai",
        parse_mode=ParseMode.HTML,
    )

    recorded = standin.last_message(user)
    assert recorded.kind == "document"
    assert recorded.filename == "bericht.csv"
    assert recorded.file_bytes == content
    assert recorded.caption == "<b>Bericht</b> Mai"
    assert recorded.plain_text == "Bericht Mai"
    assert message.document is not None
    assert message.document.file_name == "bericht.csv"
    assert message.document.file_size == len(content)
    assert message.caption == "Bericht Mai"

    telegram_file = await bot.get_file(message.document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == content

    photo = await bot.send_photo(user.id, photo=b"\x89PNG fake", filename="chart.png")
    assert photo.photo
    recorded_photo = standin.last_message(user)
    assert (recorded_photo.kind, recorded_photo.file_bytes) == ("photo", b"\x89PNG fake")
    assert recorded_photo.filename == "chart.png"


async def test_set_my_commands_is_stored_per_scope(harness: Harness) -> None:
    standin = harness.standin
    bot = harness.app.bot
    group = standin.group(-100777, "Steuerungsgruppe")

    await bot.set_my_commands(
        [BotCommand("start", "Starten"), BotCommand("status", "Stand")],
        scope=BotCommandScopeAllPrivateChats(),
    )
    await bot.set_my_commands(
        [BotCommand("status", "Stand der Gruppe")],
        scope=BotCommandScopeChat(group.id),
        language_code="de",
    )

    assert standin.commands("all_private_chats") == [("start", "Starten"), ("status", "Stand")]
    assert standin.commands("chat", chat_id=group.id, language_code="de") == [
        ("status", "Stand der Gruppe")
    ]
    assert standin.commands() == []
    assert standin.commands("chat", chat_id=group.id) == []
    assert standin.calls_to("setMyCommands")[0]["scope"] == {"type": "all_private_chats"}

    fetched = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert [(c.command, c.description) for c in fetched] == [
        ("start", "Starten"),
        ("status", "Stand"),
    ]
    await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert standin.commands("all_private_chats") == []

    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "Groß geschrieben")])
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.set_my_commands([BotCommand("x", "y")], scope=BotCommandScopeChat(-555))


async def test_edit_and_delete_errors(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    standin.open_chat(user)
    bot = harness.app.bot
    sent = await bot.send_message(user.id, "Frage?")

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Frage?", chat_id=user.id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=999)

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=markup)
    recorded = standin.last_message(user)
    assert recorded.buttons == [["OK"]]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=markup)

    assert await bot.delete_message(user.id, sent.message_id) is True
    assert recorded.deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("neu", chat_id=user.id, message_id=sent.message_id)
    assert recorded.edit_history[0].reply_markup is None


async def test_non_text_messages_reach_the_bot(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_sticker(user)
    await standin.send_voice(user)
    await standin.send_photo(user)
    await standin.send_document(user, filename="liste.xlsx", content=b"PK")
    location = await standin.send_location(user, latitude=50.0, longitude=8.27)
    replies = await standin.wait_for_messages(user, 5, timeout=2)
    assert [m.plain_text for m in replies] == ["Bitte schick mir Text."] * 5
    assert standin.update(location)["message"]["location"] == {"latitude": 50.0, "longitude": 8.27}


async def test_channel_posts_reach_the_bot(harness: Harness) -> None:
    standin = harness.standin
    channel = standin.channel(-1002000000001, "Amtsblatt")
    update_id = await standin.send_channel_post(channel, "Neuigkeiten")
    [reply] = await standin.wait_for_messages(channel, 1, timeout=2)
    assert reply.plain_text == "Echo: Neuigkeiten"
    post = standin.update(update_id)["channel_post"]
    assert "from" not in post
    assert post["sender_chat"] == post["chat"] == {
        "id": -1002000000001, "type": "channel", "title": "Amtsblatt"
    }  # fmt: skip
    with pytest.raises(ValueError, match="no channel"):
        await standin.send_channel_post(standin.group(-1002000000002, "Gruppe"), "x")


async def test_wait_for_messages_fails_clearly(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    await standin.send_text(user, "eins")
    await standin.wait_for_messages(user, timeout=2)
    with pytest.raises(AssertionError, match="expected 1 new message"):
        await standin.wait_for_messages(user, timeout=0.2)


async def test_delay_keeps_until_idle_waiting(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    standin.delay("sendMessage", 0.3)
    started = time.monotonic()
    await standin.send_text(user, "langsam")
    await standin.until_idle(timeout=3)
    assert time.monotonic() - started >= 0.3
    assert standin.last_message(user).plain_text == "Echo: langsam"


async def test_chat_action_menu_button_and_get_chat(harness: Harness) -> None:
    standin = harness.standin
    user = anna(standin)
    standin.open_chat(user)
    bot = harness.app.bot
    assert await bot.send_chat_action(user.id, "typing")
    assert standin.chat_actions == [(user.id, "typing")]
    assert await bot.set_chat_menu_button()
    assert await bot.set_my_description("Sammelt Sachstände ein.", language_code="de")
    assert (await bot.get_my_description("de")).description == "Sammelt Sachstände ein."
    assert (await bot.get_my_description()).description == ""
    chat = await bot.get_chat(user.id)
    assert (chat.id, chat.type, chat.first_name, chat.username) == (
        user.id,
        "private",
        "Anna",
        "anna_mz",
    )


async def test_unknown_token_is_invalid_token(standin: BotApiStandIn) -> None:
    app = build_app(standin, token="123456:wrong-token")
    try:
        with pytest.raises(InvalidToken):
            await app.initialize()
    finally:
        await app.bot.shutdown()
    assert standin.calls == []


async def test_long_poll_returns_promptly_and_stop_releases_it(standin: BotApiStandIn) -> None:
    user = anna(standin)
    async with Bot(TOKEN, base_url=standin.base_url) as bot:
        waiting = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        assert not waiting.done()

        started = time.monotonic()
        update_id = await standin.send_text(user, "Hallo Bot")
        updates = await asyncio.wait_for(waiting, 2)
        assert time.monotonic() - started < 0.5
        assert [u.update_id for u in updates] == [update_id]
        assert updates[0].message is not None
        assert updates[0].message.text == "Hallo Bot"

        waiting = asyncio.create_task(bot.get_updates(offset=update_id + 1, timeout=10))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await standin.stop()
        assert await asyncio.wait_for(waiting, 2) == ()
        assert time.monotonic() - started < 1.5
