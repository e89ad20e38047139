"""Decoding of Bot API request parameters.

PTB 22 sends every parameter as a string (``application/x-www-form-urlencoded`` or
``multipart/form-data``): strings as they are, everything else JSON-encoded
(``telegram.request.RequestParameter.json_value``). Files are multipart parts with a
filename, either under the parameter's own name or under an ``attach://<name>``
reference. A JSON body carries typed values directly. :func:`normalize` turns both into
typed values using a table of the Bot API's parameter names; :class:`Params` then gives
typed, validated access for the method implementations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .models import ApiError, bad_request

__all__ = ["Params", "UploadedFile", "normalize"]

JSONDict = dict[str, Any]

_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "reply_to_message_id",
        "message_thread_id",
        "user_id",
        "cache_time",
        "duration",
        "width",
        "height",
        "max_connections",
        "direct_messages_topic_id",
    }
)
_FLOAT_PARAMS = frozenset({"timeout"})
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "has_spoiler",
        "allow_paid_broadcast",
        "show_caption_above_media",
        "revoke_messages",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "scope",
        "commands",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
        "media",
        "message_ids",
        "suggested_post_parameters",
    }
)
_CHAT_ID_PARAMS = frozenset({"chat_id", "from_chat_id"})
_INT_RE = re.compile(r"-?\d+")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field_name: str
    filename: str | None
    content: bytes
    content_type: str | None

    def __repr__(self) -> str:
        return (
            f"UploadedFile(field_name={self.field_name!r}, filename={self.filename!r}, "
            f"size={len(self.content)}, content_type={self.content_type!r})"
        )


def _json_error(name: str) -> ApiError:
    if name == "reply_markup":
        return bad_request("can't parse reply keyboard markup JSON object")
    if name in ("entities", "caption_entities"):
        return bad_request("can't parse entities JSON object")
    return bad_request(f"can't parse {name} JSON object")


def _coerce(name: str, value: Any) -> Any:
    """Coerce one raw value according to the parameter table."""
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            if name == "allowed_updates":  # tolerate a bare comma-separated list
                return [part.strip() for part in value.split(",") if part.strip()]
            raise _json_error(name) from None
    if name in _INT_PARAMS or name in _CHAT_ID_PARAMS:
        stripped = value.strip()
        if _INT_RE.fullmatch(stripped):
            return int(stripped)
        if name in _CHAT_ID_PARAMS:
            return stripped  # "@channelusername"
        raise bad_request(f"invalid {name} specified")
    if name in _FLOAT_PARAMS:
        try:
            number = float(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None
        return int(number) if number.is_integer() else number
    if name in _BOOL_PARAMS:
        return _parse_bool(name, value)
    return value


def _parse_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0", ""):
        return False
    raise bad_request(f"invalid {name} specified")


def normalize(raw: Mapping[str, Any], files: Mapping[str, UploadedFile]) -> JSONDict:
    """Typed parameters; uploaded files replace their field or ``attach://`` reference."""
    params: JSONDict = {}
    for name, value in raw.items():
        coerced = _coerce(name, value)
        if isinstance(coerced, str) and coerced.startswith("attach://"):
            attached = files.get(coerced.removeprefix("attach://"))
            if attached is not None:
                coerced = attached
        params[name] = coerced
    for name, uploaded in files.items():
        if name not in params and not any(
            value == f"attach://{name}" for value in raw.values() if isinstance(value, str)
        ):
            params[name] = uploaded
    return params


class Params:
    """Typed access to the parameters of one request; raises Telegram-like 400 errors."""

    def __init__(self, values: JSONDict) -> None:
        self.values = values

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, UploadedFile):
            raise bad_request(f"{name} must be a string")
        if isinstance(value, str):
            return value
        return json.dumps(value) if isinstance(value, dict | list) else str(value)

    def require_str(self, name: str) -> str:
        value = self.get_str(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
            return int(value.strip())
        raise bad_request(f"invalid {name} specified")

    def require_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def get_float(self, name: str, default: float) -> float:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return _parse_bool(name, value)
        return bool(value)

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _json_error(name) from None
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if _INT_RE.fullmatch(text):
            return int(text)
        return text

    def file(self, name: str) -> UploadedFile | str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, UploadedFile | str):
            return value
        raise bad_request(f"wrong {name} specified")
