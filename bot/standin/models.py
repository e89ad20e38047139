"""Plain data types of the stand-in: people, chats, recorded messages and calls."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = [
    "ApiError",
    "Call",
    "CallbackAnswer",
    "FakeChat",
    "FakeUser",
    "MessageVersion",
    "SentMessage",
    "StoredFile",
]

JSONDict = dict[str, Any]
_UNSAFE_IN_PATH = re.compile(r"[^A-Za-z0-9._-]")


class ApiError(Exception):
    """An error answer of the Bot API (``ok: false``)."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def to_api(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    """``400 Bad Request: <description>``."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class FakeUser:
    """A person that talks to the bot."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "de"
    is_bot: bool = False

    def to_api(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        return data

    def private_chat(self) -> FakeChat:
        """The private chat between this person and the bot (chat id == user id)."""
        return FakeChat(
            id=self.id,
            type="private",
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
        )


@dataclass(frozen=True)
class FakeChat:
    """A chat: private (id == user id, positive) or group/supergroup (negative id)."""

    id: int
    type: str = "group"
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None

    def to_api(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class StoredFile:
    """A file known to the stand-in (uploaded by the bot or sent by a person).

    ``kind`` is what Telegram knows it as ("photo", "document", "voice", "sticker"; None:
    any); sending it again takes the method of that kind. ``declared_size`` pretends a
    size without holding the bytes (a file over the 20 MB download limit in a test).
    """

    file_id: str
    file_unique_id: str
    filename: str | None
    content: bytes = field(repr=False)
    mime_type: str | None = None
    kind: str | None = None
    declared_size: int | None = None

    @property
    def size(self) -> int:
        """The size Telegram reports: the pretended one, else that of the content."""
        return self.declared_size if self.declared_size is not None else len(self.content)

    @property
    def file_path(self) -> str:
        # Telegram's paths are its own ("documents/file_12.pdf"): whatever a person's file
        # name holds (a lone surrogate, "../", "?", "#"), the path is one plain URL segment.
        name = _UNSAFE_IN_PATH.sub("_", self.filename or "").lstrip(".") or "file"
        return f"files/{self.file_unique_id}/{name}"


@dataclass(frozen=True)
class MessageVersion:
    """An earlier state of an edited message."""

    text: str | None
    plain_text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None
    edit_date: int | None


@dataclass
class SentMessage:
    """A message sent by the bot, as recorded by the stand-in.

    ``text``/``plain_text`` hold the caption for documents, photos and voice notes, and
    ``file`` what was sent (uploaded, or an existing file sent again by its id). The object
    is live: later edits and deletions of the message are visible on it.
    """

    message_id: int
    chat_id: int
    date: int
    kind: str  # "text", "document", "photo" or "voice"
    text: str | None
    plain_text: str | None
    parse_mode: str | None
    entities: list[JSONDict] = field(default_factory=list)
    reply_markup: JSONDict | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    edit_history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    file: StoredFile | None = None
    params: JSONDict = field(default_factory=dict, repr=False)

    @property
    def edited(self) -> bool:
        return bool(self.edit_history)

    @property
    def caption(self) -> str | None:
        return self.text if self.kind != "text" else None

    @property
    def filename(self) -> str | None:
        return self.file.filename if self.file else None

    @property
    def file_bytes(self) -> bytes | None:
        return self.file.content if self.file else None

    @property
    def inline_keyboard(self) -> list[list[JSONDict]]:
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [list(row) for row in rows]

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the inline keyboard, row by row."""
        return [[str(button.get("text", "")) for button in row] for row in self.inline_keyboard]

    @property
    def button_data(self) -> list[list[str | None]]:
        """``callback_data`` of the inline keyboard, row by row (None for URL buttons etc.)."""
        return [[button.get("callback_data") for button in row] for row in self.inline_keyboard]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """Labels of a (non-inline) reply keyboard, if the message set one."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return []
        return [
            [button if isinstance(button, str) else str(button.get("text", "")) for button in row]
            for row in self.reply_markup["keyboard"]
        ]


class Call(NamedTuple):
    """One request the bot made: method name as sent and decoded parameters."""

    method: str
    params: JSONDict


@dataclass(frozen=True)
class CallbackAnswer:
    """An ``answerCallbackQuery`` call for a query the stand-in created."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    data: str | None
    user_id: int
