"""``BotApiStandIn``: the public face of the stand-in, including the test API.

Tests act as people (``send_text``, ``press_button`` ...), which queues updates for the
bot's ``getUpdates``; they read what the bot did (``sent_messages``, ``calls`` ...) and
wait for it without blind sleeps (``wait_for_messages``, ``until_idle``).
"""

from __future__ import annotations

import asyncio
import copy
import re
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from .html import utf16_len
from .models import (
    Call,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    SentMessage,
    StoredFile,
)
from .server import ApiServer, Fault, default_fault
from .state import CallbackQueryState, ChatState, StandInState
from .webhook import WebhookDelivery

__all__ = [
    "DEFAULT_BOT_USERNAME",
    "DEFAULT_TOKEN",
    "PHOTO_SIZES",
    "BotApiStandIn",
    "ChatRef",
]

JSONDict = dict[str, Any]
ChatRef = int | FakeChat | FakeUser
"""A chat given as id, as :class:`FakeChat` or as a person (their private chat)."""

DEFAULT_TOKEN = "7000000001:AAStandInTokenForTests-0123456789abcdef"
DEFAULT_BOT_USERNAME = "mainz_monitoring_bot"
DEFAULT_BOT_FIRST_NAME = "Integrationsmonitoring"
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
# The sizes of a photo a person sends, smallest first, as Telegram lists them.
PHOTO_SIZES = ((90, 68), (320, 240), (800, 600))
_JPEG_START = b"\xff\xd8\xff\xe0"


def _text_content(text: str) -> JSONDict:
    """The fields of a text message a person writes; a command gets its entity."""
    content: JSONDict = {"text": text}
    match = _COMMAND_RE.match(text)
    if match is not None:
        content["entities"] = [
            {"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}
        ]
    return content


def _chat_id(chat: ChatRef) -> int:
    if isinstance(chat, FakeUser | FakeChat):
        return chat.id
    return int(chat)


class BotApiStandIn:
    """A local stand-in for the Telegram Bot API, served by aiohttp in the running loop.

    Use ``async with BotApiStandIn() as standin:`` (or ``await start()``/``await stop()``)
    and pass :attr:`base_url` and :attr:`base_file_url` to PTB's ``ApplicationBuilder``.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = DEFAULT_BOT_FIRST_NAME,
        host: str = "127.0.0.1",
        port: int = 0,
        strict_html: bool = True,
        quiet_period: float = 0.08,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = StandInState(
            token=token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            strict_html=strict_html,
            clock=clock,
        )
        self.server = ApiServer(self.state, host=host, port=port)
        self.webhook = WebhookDelivery(self.state)
        self.host = host
        self.quiet_period = quiet_period

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        await self.server.start()

    async def stop(self) -> None:
        await self.webhook.stop()
        await self.server.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self.server.port is None:
            raise RuntimeError("stand-in not started")
        return self.server.port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: ``http://127.0.0.1:<port>/bot``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def bot_username(self) -> str:
        return self.state.bot_username

    @property
    def bot_id(self) -> int:
        return self.state.bot_id

    # ---------------------------------------------------------- people/chats
    def user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        *,
        language_code: str | None = "de",
    ) -> FakeUser:
        """A person. Their private chat becomes known to the bot once they write."""
        return self.state.add_user(
            FakeUser(
                id=user_id,
                first_name=first_name,
                last_name=last_name,
                username=username,
                language_code=language_code,
            )
        )

    def group(self, chat_id: int, title: str, *, type: str = "group") -> FakeChat:
        """A group the bot is a member of (``chat_id`` negative)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = FakeChat(id=chat_id, type=type, title=title)
        self.state.add_chat(chat, known=True)
        return chat

    def channel(self, chat_id: int, title: str) -> FakeChat:
        """A channel the bot is an administrator of (``chat_id`` negative)."""
        return self.group(chat_id, title, type="channel")

    def open_chat(self, user: FakeUser) -> None:
        """Make the private chat known without an update (as if the person wrote earlier)."""
        self.state.add_user(user)
        self.state.add_chat(user.private_chat(), known=True)

    def block(self, chat_id: ChatRef) -> None:
        """The person blocks the bot (403 on sending); for a group: the bot was kicked."""
        self.state.blocked.add(_chat_id(chat_id))

    def unblock(self, chat_id: ChatRef) -> None:
        self.state.blocked.discard(_chat_id(chat_id))

    def _incoming(self, user: FakeUser, chat: FakeChat | None, content: JSONDict) -> int:
        state = self.state
        state.add_user(user)
        target = chat if chat is not None else user.private_chat()
        if target.type == "private":
            state.blocked.discard(target.id)  # writing to a bot unblocks it
        chat_state = state.add_chat(target, known=True)
        message_id = chat_state.allocate_message_id()
        message: JSONDict = {
            "message_id": message_id,
            "from": user.to_api(),
            "chat": target.to_api(),
            "date": state.now(),
            **content,
        }
        chat_state.incoming[message_id] = message
        return state.enqueue_update("message", message)

    def _fake_file_id(self, kind: str) -> tuple[str, str]:
        stored = self.state.store_file(f"{kind}.bin", b"stand-in " + kind.encode(), None, kind=kind)
        return stored.file_id, stored.file_unique_id

    async def send_text(
        self,
        user: FakeUser,
        text: str,
        chat: FakeChat | None = None,
        *,
        reply_to: int | None = None,
    ) -> int:
        """The person writes ``text``; returns the update_id. Commands get an entity."""
        content = _text_content(text)
        if reply_to is not None:
            chat_state = self.state.chat_state(chat.id if chat else user.id)
            content["reply_to_message"] = self.state.message_api(chat_state, reply_to, nested=True)
        update_id = self._incoming(user, chat, content)
        await asyncio.sleep(0)
        return update_id

    async def edit_text(
        self, user: FakeUser, message_id: int, text: str, chat: FakeChat | None = None
    ) -> int:
        """The person edits their text message ``message_id`` to ``text``; returns the
        update_id of the ``edited_message`` update (same message id, with ``edit_date``)."""
        chat_state = self._target_chat(user, chat)
        original = chat_state.incoming.get(message_id)
        if (
            original is None
            or message_id in chat_state.deleted_incoming
            or original["from"]["id"] != user.id
            or "text" not in original
        ):
            raise AssertionError(
                f"no text message {message_id} of user {user.id} in chat {chat_state.chat.id}"
            )
        kept = {key: value for key, value in original.items() if key not in ("text", "entities")}
        message: JSONDict = {**kept, **_text_content(text), "edit_date": self.state.now()}
        chat_state.incoming[message_id] = message
        update_id = self.state.enqueue_update("edited_message", message)
        await asyncio.sleep(0)
        return update_id

    async def send_photo(
        self,
        user: FakeUser,
        chat: FakeChat | None = None,
        *,
        caption: str | None = None,
        content: bytes | None = None,
    ) -> int:
        """The person sends a photo; returns the update_id.

        Like Telegram the message lists the photo in several sizes, smallest first; each
        is a file of its own that the bot can fetch (getFile + base_file_url), the largest
        with ``content``. :meth:`update` shows the ids.
        """
        largest = content if content is not None else _JPEG_START + b" stand-in photo"
        sizes = []
        for width, height in PHOTO_SIZES:
            last = (width, height) == PHOTO_SIZES[-1]
            data = largest if last else _JPEG_START + f" stand-in {width}x{height}".encode()
            stored = self.state.store_file(
                f"photo_{width}x{height}.jpg", data, "image/jpeg", kind="photo"
            )
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.size,
                    "width": width,
                    "height": height,
                }
            )
        message: JSONDict = {"photo": sizes}
        if caption is not None:
            message["caption"] = caption
        update_id = self._incoming(user, chat, message)
        await asyncio.sleep(0)
        return update_id

    async def send_sticker(
        self, user: FakeUser, chat: FakeChat | None = None, *, emoji: str = "👍"
    ) -> int:
        file_id, unique_id = self._fake_file_id("sticker")
        content: JSONDict = {
            "sticker": {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
            }
        }
        update_id = self._incoming(user, chat, content)
        await asyncio.sleep(0)
        return update_id

    async def send_voice(
        self,
        user: FakeUser,
        chat: FakeChat | None = None,
        *,
        duration: int = 3,
        content: bytes = b"OggS stand-in voice",
        file_size: int | None = None,
        caption: str | None = None,
    ) -> int:
        """The person sends a voice note; the bot can fetch it (getFile + base_file_url).

        ``file_size`` pretends another size than that of ``content``, e.g. one over the
        20 MB that getFile allows.
        """
        stored = self.state.store_file(
            "voice.ogg", content, "audio/ogg", kind="voice", size=file_size
        )
        message: JSONDict = {
            "voice": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "duration": duration,
                "mime_type": "audio/ogg",
                "file_size": stored.size,
            }
        }
        if caption is not None:
            message["caption"] = caption
        update_id = self._incoming(user, chat, message)
        await asyncio.sleep(0)
        return update_id

    async def send_document(
        self,
        user: FakeUser,
        chat: FakeChat | None = None,
        *,
        filename: str | None = "dokument.pdf",
        content: bytes = b"%PDF-1.4 stand-in\n",
        mime_type: str | None = "application/pdf",
        caption: str | None = None,
        file_size: int | None = None,
    ) -> int:
        """The person sends a file; the bot can fetch it via getFile + base_file_url.

        ``file_size`` pretends another size than that of ``content``: over 20 MB, getFile
        answers "Bad Request: file is too big" as Telegram does, without 20 MB in memory.
        ``filename`` or ``mime_type`` None leave the field out (as some apps do).
        """
        stored = self.state.store_file(
            filename, content, mime_type, kind="document", size=file_size
        )
        document: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }
        if filename is not None:
            document["file_name"] = filename
        if mime_type is not None:
            document["mime_type"] = mime_type
        message: JSONDict = {"document": document}
        if caption is not None:
            message["caption"] = caption
        update_id = self._incoming(user, chat, message)
        await asyncio.sleep(0)
        return update_id

    async def send_location(
        self,
        user: FakeUser,
        chat: FakeChat | None = None,
        *,
        latitude: float = 49.9929,
        longitude: float = 8.2473,
    ) -> int:
        """The person shares a location (a message without text); returns the update_id."""
        content: JSONDict = {"location": {"latitude": latitude, "longitude": longitude}}
        update_id = self._incoming(user, chat, content)
        await asyncio.sleep(0)
        return update_id

    async def send_channel_post(self, chat: FakeChat, text: str) -> int:
        """A post in the channel ``chat`` (see :meth:`channel`): a ``channel_post`` update,
        sent by the channel itself (``sender_chat``), without a person in ``from``."""
        if chat.type != "channel":
            raise ValueError(f"chat {chat.id} is no channel")
        chat_state = self.state.add_chat(chat, known=True)
        message: JSONDict = {
            "message_id": chat_state.allocate_message_id(),
            "sender_chat": chat.to_api(),
            "chat": chat.to_api(),
            "date": self.state.now(),
            **_text_content(text),
        }
        chat_state.incoming[message["message_id"]] = message
        update_id = self.state.enqueue_update("channel_post", message)
        await asyncio.sleep(0)
        return update_id

    def _target_chat(self, user: FakeUser, chat: ChatRef | None) -> ChatState:
        return self.state.chat_state(user.id if chat is None else _chat_id(chat))

    async def press_button(
        self,
        user: FakeUser,
        label: str,
        *,
        chat: ChatRef | None = None,
        message_id: int | None = None,
    ) -> int:
        """Press the inline button ``label`` on the latest bot message offering it."""
        chat_state = self._target_chat(user, chat)
        if message_id is not None:
            sent = chat_state.bot_by_id.get(message_id)
            if sent is None or sent.deleted:
                raise AssertionError(
                    f"no (undeleted) bot message {message_id} in chat {chat_state.chat.id}"
                )
            candidates = [sent]
        else:
            candidates = [m for m in reversed(chat_state.bot_messages) if not m.deleted]
        for sent in candidates:
            for row in sent.inline_keyboard:
                for button in row:
                    if button.get("text") != label:
                        continue
                    data = button.get("callback_data")
                    if not isinstance(data, str):
                        kinds = sorted(key for key in button if key != "text")
                        raise AssertionError(
                            f"button {label!r} of message {sent.message_id} has no "
                            f"callback_data ({', '.join(kinds)})"
                        )
                    return await self._queue_callback(user, chat_state, sent, data)
        available = [
            f"message {m.message_id}: {m.buttons}" for m in candidates if m.inline_keyboard
        ][:5]
        raise AssertionError(
            f"no inline button labelled {label!r} in chat {chat_state.chat.id}; available "
            f"(newest first): {available or 'none'}"
        )

    async def press_callback_data(
        self,
        user: FakeUser,
        data: str,
        *,
        chat: ChatRef | None = None,
        message_id: int | None = None,
    ) -> int:
        """Send a callback query with arbitrary (possibly forged) ``data``."""
        chat_state = self._target_chat(user, chat)
        if message_id is None:
            live = [m for m in chat_state.bot_messages if not m.deleted]
            if not live:
                raise AssertionError(f"no bot message in chat {chat_state.chat.id} to press on")
            sent = live[-1]
        else:
            found = chat_state.bot_by_id.get(message_id)
            if found is None:
                raise AssertionError(f"no bot message {message_id} in chat {chat_state.chat.id}")
            sent = found
        return await self._queue_callback(user, chat_state, sent, data)

    async def _queue_callback(
        self, user: FakeUser, chat_state: ChatState, sent: SentMessage, data: str
    ) -> int:
        state = self.state
        state.add_user(user)
        query_id = state.new_callback_query_id()
        state.callback_queries[query_id] = CallbackQueryState(
            id=query_id,
            user=user,
            chat_id=chat_state.chat.id,
            message_id=sent.message_id,
            data=data,
        )
        payload: JSONDict = {
            "id": query_id,
            "from": user.to_api(),
            "message": state.message_api(chat_state, sent.message_id),
            "chat_instance": str(8_000_000_000_000_000_000 + abs(chat_state.chat.id)),
            "data": data,
        }
        update_id = state.enqueue_update("callback_query", payload)
        await asyncio.sleep(0)
        return update_id

    # ------------------------------------------------------ fault injection
    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` fail (without side effects)."""
        self.server.add_fault(method, default_fault(error_code, description, retry_after), times)

    def delay(self, method: str, seconds: float) -> None:
        """Answer ``method`` only after ``seconds`` (0 removes the delay)."""
        if seconds <= 0:
            self.server.delays.pop(method.lower(), None)
        else:
            self.server.delays[method.lower()] = seconds

    def lose_answer(self, method: str, *, performed: bool = True, times: int = 1) -> None:
        """Cut the connection of the next ``times`` calls of ``method`` without an answer;
        ``performed``: the call was carried out first (only its answer is lost)."""
        self.server.add(method, Fault(error=None, remaining=times, drop=True, perform=performed))

    def answer_late(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Carry out the next ``times`` calls of ``method`` but answer ``seconds`` late."""
        self.server.add(method, Fault(error=None, remaining=times, seconds=seconds))

    def skip_update_id(self) -> int:
        """The id of an update Telegram sent elsewhere (to another process of the bot):
        used up here, never delivered."""
        return self.state.skip_update_id()

    def redeliver(self, update_id: int) -> None:
        """Deliver an already delivered update again (same update_id)."""
        self.state.redeliver(update_id)

    # ------------------------------------------------------------- reading
    def sent_messages(self, chat_id: ChatRef) -> list[SentMessage]:
        """All messages the bot sent to the chat, oldest first (deleted ones included)."""
        chat = self.state.chats.get(_chat_id(chat_id))
        return list(chat.bot_messages) if chat else []

    def last_message(self, chat_id: ChatRef) -> SentMessage:
        """The bot's most recent message in the chat; AssertionError if there is none."""
        messages = self.sent_messages(chat_id)
        if not messages:
            raise AssertionError(f"the bot sent nothing to chat {_chat_id(chat_id)}")
        return messages[-1]

    def mark_read(self, chat_id: ChatRef) -> None:
        """Move the read marker of :meth:`wait_for_messages` to the end of the chat."""
        chat = self.state.chats.get(_chat_id(chat_id))
        if chat is not None:
            chat.read_marker = len(chat.bot_messages)

    @property
    def calls(self) -> list[Call]:
        """Every request as (method, params), in order (live list)."""
        return self.state.calls

    def calls_to(self, method: str) -> list[JSONDict]:
        """Parameters of every call of ``method`` (case-insensitive)."""
        wanted = method.lower()
        return [call.params for call in self.state.calls if call.method.lower() == wanted]

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return self.state.callback_answers

    @property
    def chat_actions(self) -> list[tuple[int, str]]:
        return self.state.chat_actions

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of bugs in the stand-in itself (answered with 500)."""
        return self.state.internal_errors

    @property
    def pending_update_count(self) -> int:
        return len(self.state.pending)

    def commands(
        self,
        scope_type: str = "default",
        chat_id: int | str | None = None,
        user_id: int | None = None,
        language_code: str = "",
    ) -> list[tuple[str, str]]:
        """Commands set via setMyCommands for exactly that scope and language."""
        key = ((scope_type, chat_id, user_id), language_code)
        return [
            (command["command"], command["description"])
            for command in self.state.commands.get(key, [])
        ]

    def menu_button(self, chat_id: int | None = None) -> JSONDict | None:
        if chat_id is None:
            return dict(self.state.default_menu_button)
        chat = self.state.chats.get(chat_id)
        return dict(chat.menu_button) if chat and chat.menu_button else None

    def file(self, file_id: str) -> StoredFile | None:
        """A file by its id: sent by a person or by the bot (``SentMessage.file`` too)."""
        return self.state.files.get(file_id)

    def update(self, update_id: int) -> JSONDict:
        """The update queued for ``update_id`` as the bot receives it (a deep copy).

        E.g. the ids of a photo's sizes: ``update(u)["message"]["photo"][-1]["file_id"]``.
        """
        update = self.state.all_updates.get(update_id)
        if update is None:
            raise KeyError(f"no update with id {update_id} was ever queued")
        return copy.deepcopy(update)

    # ------------------------------------------------------------- waiting
    async def wait_for_messages(
        self,
        chat_id: ChatRef,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented test API
    ) -> list[SentMessage]:
        """Wait for ``count`` messages sent since the last wait/:meth:`mark_read`.

        Returns all new messages (at least ``count``) and moves the read marker.
        """
        wanted = _chat_id(chat_id)
        deadline = time.monotonic() + timeout
        while True:
            chat = self.state.chats.get(wanted)
            new = chat.bot_messages[chat.read_marker :] if chat else []
            if chat is not None and len(new) >= count:
                chat.read_marker = len(chat.bot_messages)
                return list(new)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"expected {count} new message(s) from the bot in chat {wanted} within "
                    f"{timeout}s, got {len(new)}: {[m.plain_text for m in new]}"
                    + self._error_hint()
                )
            await self.state.signal.wait(remaining)

    async def until_idle(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented test API
        quiet: float | None = None,
    ) -> None:
        """Wait until every queued update was fetched and no request ran for ``quiet`` s."""
        quiet_period = self.quiet_period if quiet is None else quiet
        state = self.state
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            undelivered = state.undelivered_count()
            busy = undelivered > 0 or state.in_flight > 0
            idle_for = now - state.last_activity
            if not busy and idle_for >= quiet_period:
                return
            if now >= deadline:
                raise AssertionError(
                    f"stand-in not idle after {timeout}s: {undelivered} update(s) not fetched "
                    f"by the bot, {state.in_flight} request(s) in flight" + self._error_hint()
                )
            wait = deadline - now if busy else quiet_period - idle_for
            await state.signal.wait(min(wait, deadline - now))

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented test API
        what: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` holds, re-checking whenever the stand-in changes."""
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{what} not reached within {timeout}s" + self._error_hint())
            await self.state.signal.wait(remaining)

    def _error_hint(self) -> str:
        if self.state.internal_errors:
            return f"; stand-in internal errors: {self.state.internal_errors}"
        return ""
