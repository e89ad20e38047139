"""The Telegram world of the stand-in: chats, messages, updates. No HTTP in here."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import (
    ApiError,
    Call,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    SentMessage,
    StoredFile,
    bad_request,
)

__all__ = [
    "DOWNLOAD_LIMIT",
    "CallbackQueryState",
    "ChatState",
    "PendingUpdate",
    "Signal",
    "StandInState",
]

JSONDict = dict[str, Any]

# Telegram gives bots files up to 20 MiB through getFile (telegram-bot-api, Client.h:
# MAX_DOWNLOAD_FILE_SIZE = 20 << 20); a bigger one is "Bad Request: file is too big".
DOWNLOAD_LIMIT = 20 << 20
# How Telegram's file ids begin, by kind (cosmetic; nothing parses them).
_FILE_ID_PREFIXES = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
}


class Signal:
    """Wakes every waiter whenever something changed (an ``asyncio.Event`` per round)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait for the next :meth:`notify`; False if ``timeout`` passed first."""
        if timeout <= 0:
            return False
        event = self._event
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True


@dataclass
class ChatState:
    chat: FakeChat
    known: bool
    next_message_id: int = 1
    bot_messages: list[SentMessage] = field(default_factory=list)
    bot_by_id: dict[int, SentMessage] = field(default_factory=dict)
    incoming: dict[int, JSONDict] = field(default_factory=dict)
    deleted_incoming: set[int] = field(default_factory=set)
    read_marker: int = 0
    menu_button: JSONDict | None = None

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class PendingUpdate:
    update_id: int
    payload: JSONDict
    delivered: bool = False
    redelivery: bool = False


@dataclass
class CallbackQueryState:
    id: str
    user: FakeUser
    chat_id: int
    message_id: int
    data: str | None
    answered: bool = False


CommandScopeKey = tuple[str, int | str | None, int | None]


def scope_key(scope: Any) -> CommandScopeKey:
    """Key of a ``BotCommandScope`` dict (or None for the default scope)."""
    if scope is None:
        return ("default", None, None)
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    scope_type = scope["type"]
    if scope_type in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        return (scope_type, None, None)
    if scope_type in ("chat", "chat_administrators", "chat_member"):
        chat_id = scope.get("chat_id")
        if chat_id is None:
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        user_id: int | None = None
        if scope_type == "chat_member":
            raw_user = scope.get("user_id")
            if raw_user is None:
                raise bad_request("user_id is empty")
            user_id = int(raw_user)
        return (scope_type, chat_id, user_id)
    raise bad_request(f"unsupported bot command scope type {scope_type!r}")


class StandInState:
    """Everything the stand-in knows; methods here never wait and never do HTTP."""

    def __init__(
        self,
        *,
        token: str,
        bot_username: str,
        bot_first_name: str,
        strict_html: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.strict_html = strict_html
        self.clock = clock
        bot_id_part = token.split(":", 1)[0]
        self.bot_id = int(bot_id_part) if bot_id_part.isdigit() else 7_000_000_001
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.blocked: set[int] = set()
        self.pending: list[PendingUpdate] = []
        self.all_updates: dict[int, JSONDict] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[CommandScopeKey, str], list[JSONDict]] = {}
        self.default_menu_button: JSONDict = {"type": "commands"}
        # (kind, language_code) -> text, kind "description" or "short_description"
        self.descriptions: dict[tuple[str, str], str] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.files: dict[str, StoredFile] = {}
        self.calls: list[Call] = []
        self.webhook_url = ""
        self.webhook_secret = ""
        self.allowed_updates: list[str] | None = None
        self.signal = Signal()
        self.closing = False
        self.poll_generation = 0
        self.internal_errors: list[str] = []
        # activity bookkeeping for until_idle()
        self.in_flight = 0
        self.last_activity = 0.0

    # ----------------------------------------------------------------- basics
    def now(self) -> int:
        return int(self.clock())

    def touch(self) -> None:
        """Record activity and wake waiters."""
        self.last_activity = time.monotonic()
        self.signal.notify()

    def bot_user_api(self, *, full: bool = False) -> JSONDict:
        data: JSONDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }
        if full:
            data.update(
                {
                    "can_join_groups": True,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                    "can_connect_to_business": False,
                    "has_main_web_app": False,
                }
            )
        return data

    # ------------------------------------------------------------ people/chats
    def add_user(self, user: FakeUser) -> FakeUser:
        self.users[user.id] = user
        return user

    def add_chat(self, chat: FakeChat, *, known: bool) -> ChatState:
        state = self.chats.get(chat.id)
        if state is None:
            state = ChatState(chat=chat, known=known)
            self.chats[chat.id] = state
        else:
            state.chat = chat
            state.known = state.known or known
        return state

    def chat_state(self, chat_id: int) -> ChatState:
        """The chat for reading (tests); AssertionError if the stand-in never saw it."""
        state = self.chats.get(chat_id)
        if state is None:
            raise AssertionError(
                f"chat {chat_id} is unknown to the stand-in; known chats: {sorted(self.chats)}"
            )
        return state

    def find_chat(self, chat_id: int | str) -> ChatState:
        """The chat a bot request addresses, with Telegram's errors."""
        state: ChatState | None = None
        if isinstance(chat_id, int):
            state = self.chats.get(chat_id)
        else:
            username = chat_id.removeprefix("@").lower()
            for candidate in self.chats.values():
                if (candidate.chat.username or "").lower() == username:
                    state = candidate
                    break
        if state is None or not state.known:
            raise bad_request("chat not found")
        return state

    def writable_chat(self, chat_id: int | str) -> ChatState:
        """Like :meth:`find_chat`, but also refuses chats that blocked/kicked the bot."""
        state = self.find_chat(chat_id)
        if state.chat.id in self.blocked:
            if state.chat.type == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        return state

    # ---------------------------------------------------------------- updates
    def skip_update_id(self) -> int:
        """Use up the next update id without an update this bot will fetch."""
        return next(self._update_ids)

    def enqueue_update(self, key: str, payload: JSONDict) -> int:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, key: payload}
        self.all_updates[update_id] = update
        self.pending.append(PendingUpdate(update_id=update_id, payload=update))
        self.touch()
        return update_id

    def redeliver(self, update_id: int) -> None:
        update = self.all_updates.get(update_id)
        if update is None:
            raise KeyError(f"no update with id {update_id} was ever queued")
        for pending in self.pending:
            if pending.update_id == update_id:
                pending.delivered = False
                pending.redelivery = True
                break
        else:
            self.pending.append(PendingUpdate(update_id=update_id, payload=update, redelivery=True))
        self.touch()

    def confirm(self, offset: int | None) -> None:
        if offset is None or offset <= 0:
            return
        self.pending = [
            update for update in self.pending if update.update_id >= offset or update.redelivery
        ]

    def take_updates(self, offset: int | None, limit: int) -> list[JSONDict]:
        """Confirm updates below ``offset`` and hand out the unconfirmed ones."""
        self.confirm(offset)
        redelivered = [update for update in self.pending if update.redelivery]
        regular = sorted(
            (update for update in self.pending if not update.redelivery),
            key=lambda update: update.update_id,
        )
        batch = (redelivered + regular)[: max(1, min(limit, 100))]
        for update in batch:
            update.delivered = True
            update.redelivery = False
        if batch:
            self.touch()
        return [update.payload for update in batch]

    def undelivered_count(self) -> int:
        return sum(1 for update in self.pending if not update.delivered)

    # ---------------------------------------------------------------- files
    def store_file(
        self,
        filename: str | None,
        content: bytes,
        mime_type: str | None,
        *,
        kind: str | None = None,
        size: int | None = None,
    ) -> StoredFile:
        """Keep a file; ``size`` pretends a size other than that of ``content``."""
        number = next(self._file_ids)
        prefix = _FILE_ID_PREFIXES.get(kind or "", _FILE_ID_PREFIXES["document"])
        stored = StoredFile(
            file_id=f"{prefix}{number:08d}standin",
            file_unique_id=f"AgAD{number:08d}",
            filename=filename,
            content=content,
            mime_type=mime_type,
            kind=kind,
            declared_size=size,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        for stored in self.files.values():
            if stored.file_path == file_path:
                return stored
        return None

    # ----------------------------------------------------------- serialising
    def message_api(self, chat: ChatState, message_id: int, *, nested: bool = False) -> JSONDict:
        """The Bot API ``Message`` dict of any message in ``chat``."""
        if message_id in chat.incoming:
            return dict(chat.incoming[message_id])
        sent = chat.bot_by_id[message_id]
        data: JSONDict = {
            "message_id": sent.message_id,
            "from": self.bot_user_api(),
            "chat": chat.chat.to_api(),
            "date": sent.date,
        }
        text_key, entities_key = ("text", "entities")
        if sent.kind != "text":
            text_key, entities_key = ("caption", "caption_entities")
        if sent.plain_text:
            data[text_key] = sent.plain_text
            if sent.entities:
                data[entities_key] = [dict(entity) for entity in sent.entities]
        if sent.file is not None:
            file_info: JSONDict = {
                "file_id": sent.file.file_id,
                "file_unique_id": sent.file.file_unique_id,
                "file_size": sent.file.size,
            }
            if sent.kind == "document":
                if sent.file.filename:
                    file_info["file_name"] = sent.file.filename
                if sent.file.mime_type:
                    file_info["mime_type"] = sent.file.mime_type
                data["document"] = file_info
            elif sent.kind == "voice":
                duration = sent.params.get("duration")
                file_info["duration"] = duration if isinstance(duration, int) else 1
                file_info["mime_type"] = sent.file.mime_type or "audio/ogg"
                data["voice"] = file_info
            else:
                data["photo"] = [{**file_info, "width": 800, "height": 600}]
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            data["reply_markup"] = {"inline_keyboard": sent.reply_markup["inline_keyboard"]}
        if sent.edit_date is not None:
            data["edit_date"] = sent.edit_date
        if (
            not nested
            and sent.reply_to_message_id is not None
            and (
                sent.reply_to_message_id in chat.incoming
                or sent.reply_to_message_id in chat.bot_by_id
            )
        ):
            data["reply_to_message"] = self.message_api(chat, sent.reply_to_message_id, nested=True)
        return data

    def new_callback_query_id(self) -> str:
        return str(4_000_000_000_000_000 + next(self._callback_ids))
