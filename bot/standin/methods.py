"""The Bot API methods of the stand-in, one function each, registered in :data:`METHODS`.

To add a method write ``@method("someMethod")`` above a function
``(state: StandInState, p: Params) -> result`` (``async`` where it has to wait). Raise
:class:`~bot.standin.models.ApiError` (e.g. via ``bad_request``) for Telegram's errors
*before* changing any state, so that failed calls have no side effects.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .html import HtmlParseError, parse_html, strip_markdown_v2
from .models import ApiError, CallbackAnswer, MessageVersion, SentMessage, StoredFile, bad_request
from .params import Params, UploadedFile
from .state import DOWNLOAD_LIMIT, ChatState, StandInState, scope_key

__all__ = ["MAX_CAPTION_LENGTH", "MAX_MESSAGE_LENGTH", "METHODS", "Handler", "method"]

JSONDict = dict[str, Any]
Handler = Callable[[StandInState, Params], Any]

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
# Telegram's names of file types in "can't use file of type Document as Photo"
_FILE_TYPE_NAMES = {
    "photo": "Photo",
    "document": "Document",
    "voice": "VoiceNote",
    "sticker": "Sticker",
}
# Uploads without a type of their own (PTB sends bytes as application/octet-stream)
_DEFAULT_MIME_TYPES = {"photo": "image/jpeg", "voice": "audio/ogg"}

#: lower-case method name -> implementation
METHODS: dict[str, Handler] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under one or more Bot API method names (case-insensitive)."""

    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = handler
        return handler

    return register


# ------------------------------------------------------------------- helpers
def format_text(
    state: StandInState, text: str, parse_mode: str | None, entities: Any
) -> tuple[str, list[JSONDict]]:
    """Plain text and entities of ``text`` as Telegram would store it."""
    if parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            try:
                parsed = parse_html(text, strict=state.strict_html)
            except HtmlParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
            return parsed.plain, parsed.entities
        if mode in ("markdownv2", "markdown"):
            return strip_markdown_v2(text), []
        raise bad_request("unsupported parse_mode")
    if entities is not None:
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise bad_request("can't parse entities JSON object")
        return text, [dict(entity) for entity in entities]
    return text, []


def check_message_text(plain: str) -> None:
    if not plain.strip():
        raise bad_request("message text is empty")
    if len(plain) > MAX_MESSAGE_LENGTH:
        raise bad_request("message is too long")


def validate_reply_markup(markup: Any) -> JSONDict | None:
    """Check a reply_markup object like Telegram does; return it (or None)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'can\'t parse inline keyboard button: Field "inline_keyboard" must be an '
                "Array of Arrays"
            )
        for row in rows:
            for button in row:
                _validate_inline_button(button)
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'can\'t parse reply keyboard markup: Field "keyboard" must be an Array of Arrays'
            )
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text:
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(key in button for key in _BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not data
            or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES
        ):
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not urlsplit(url).scheme or not urlsplit(url).netloc:
            raise bad_request("BUTTON_URL_INVALID")


def _inline_part(markup: JSONDict | None) -> Any:
    if markup is None:
        return None
    return markup.get("inline_keyboard") or None


def _reply_target(chat: ChatState, p: Params) -> int | None:
    allow = p.get_bool("allow_sending_without_reply")
    reply_parameters = p.get_json("reply_parameters")
    message_id: int | None
    if isinstance(reply_parameters, dict):
        raw_id = reply_parameters.get("message_id")
        message_id = int(raw_id) if raw_id is not None else None
        allow = bool(reply_parameters.get("allow_sending_without_reply", allow))
    else:
        message_id = p.get_int("reply_to_message_id")
    if message_id is None:
        return None
    sent = chat.bot_by_id.get(message_id)
    exists = (message_id in chat.incoming and message_id not in chat.deleted_incoming) or (
        sent is not None and not sent.deleted
    )
    if not exists:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return message_id


def _store_sent(state: StandInState, chat: ChatState, p: Params, **fields: Any) -> JSONDict:
    """Record a new message of the bot in ``chat``; ``fields`` are those of its kind."""
    sent = SentMessage(
        message_id=chat.allocate_message_id(),
        chat_id=chat.chat.id,
        date=state.now(),
        params=dict(p.values),
        **fields,
    )
    chat.bot_messages.append(sent)
    chat.bot_by_id[sent.message_id] = sent
    state.touch()
    return state.message_api(chat, sent.message_id)


def _editable_message(state: StandInState, p: Params) -> tuple[ChatState, SentMessage]:
    if "inline_message_id" in p:
        raise bad_request("MESSAGE_ID_INVALID")
    chat = state.writable_chat(p.chat_id())
    message_id = p.require_int("message_id")
    if message_id in chat.incoming and message_id not in chat.deleted_incoming:
        raise bad_request("message can't be edited")
    sent = chat.bot_by_id.get(message_id)
    if sent is None or sent.deleted:
        raise bad_request("message to edit not found")
    return chat, sent


def _apply_edit(
    state: StandInState,
    chat: ChatState,
    sent: SentMessage,
    *,
    text: str | None,
    plain: str | None,
    parse_mode: str | None,
    entities: list[JSONDict],
    markup: JSONDict | None,
    params: JSONDict,
) -> JSONDict:
    sent.edit_history.append(
        MessageVersion(
            text=sent.text,
            plain_text=sent.plain_text,
            parse_mode=sent.parse_mode,
            reply_markup=sent.reply_markup,
            edit_date=sent.edit_date,
        )
    )
    sent.text = text
    sent.plain_text = plain
    sent.parse_mode = parse_mode
    sent.entities = entities
    sent.reply_markup = markup
    sent.edit_date = state.now()
    sent.params = params
    state.touch()
    return state.message_api(chat, sent.message_id)


# ------------------------------------------------------------------ methods
@method("getMe")
def get_me(state: StandInState, p: Params) -> JSONDict:
    return state.bot_user_api(full=True)


@method("logOut", "close")
def log_out(state: StandInState, p: Params) -> bool:
    return True


@method("deleteWebhook")
def delete_webhook(state: StandInState, p: Params) -> bool:
    if p.get_bool("drop_pending_updates"):
        state.pending.clear()
        state.touch()
    state.webhook_url = ""
    state.webhook_secret = ""
    return True


@method("setWebhook")
def set_webhook(state: StandInState, p: Params) -> bool:
    url = p.get_str("url") or ""
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if p.get_bool("drop_pending_updates"):
        state.pending.clear()
    state.webhook_url = url
    state.webhook_secret = p.get_str("secret_token") or ""
    state.touch()
    return True


@method("getWebhookInfo")
def get_webhook_info(state: StandInState, p: Params) -> JSONDict:
    return {
        "url": state.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending),
    }


@method("getUpdates")
async def get_updates(state: StandInState, p: Params) -> list[JSONDict]:
    if state.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
            "to delete the webhook first",
        )
    offset = p.get_int("offset")
    limit = p.get_int("limit", 100) or 100
    timeout = max(0.0, p.get_float("timeout", 0.0))
    allowed = p.get_json("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed]
    state.poll_generation += 1
    generation = state.poll_generation
    state.signal.notify()  # an older long poll is terminated with 409, like Telegram does
    deadline = time.monotonic() + timeout
    while True:
        updates = state.take_updates(offset, limit)
        if updates or state.closing:
            return updates
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return []
        await state.signal.wait(remaining)
        if generation != state.poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )


@method("sendMessage")
def send_message(state: StandInState, p: Params) -> JSONDict:
    chat = state.writable_chat(p.chat_id())
    text = p.get_str("text") or ""
    parse_mode = p.get_str("parse_mode") or None
    plain, entities = format_text(state, text, parse_mode, p.get_json("entities"))
    check_message_text(plain)
    markup = validate_reply_markup(p.get_json("reply_markup"))
    reply_to = _reply_target(chat, p)
    return _store_sent(
        state, chat, p, kind="text", text=text, plain_text=plain, parse_mode=parse_mode,
        entities=entities, reply_markup=markup, reply_to_message_id=reply_to,
    )  # fmt: skip


@method("editMessageText")
def edit_message_text(state: StandInState, p: Params) -> JSONDict:
    chat, sent = _editable_message(state, p)
    if sent.kind != "text":
        raise bad_request("there is no text in the message to edit")
    text = p.get_str("text") or ""
    parse_mode = p.get_str("parse_mode") or None
    plain, entities = format_text(state, text, parse_mode, p.get_json("entities"))
    check_message_text(plain)
    markup = validate_reply_markup(p.get_json("reply_markup"))
    if (
        plain == sent.plain_text
        and entities == sent.entities
        and _inline_part(markup) == _inline_part(sent.reply_markup)
    ):
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(
        state,
        chat,
        sent,
        text=text,
        plain=plain,
        parse_mode=parse_mode,
        entities=entities,
        markup=markup,
        params=dict(p.values),
    )


@method("editMessageCaption")
def edit_message_caption(state: StandInState, p: Params) -> JSONDict:
    chat, sent = _editable_message(state, p)
    if sent.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    caption = p.get_str("caption") or ""
    parse_mode = p.get_str("parse_mode") or None
    plain, entities = format_text(state, caption, parse_mode, p.get_json("caption_entities"))
    if len(plain) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    markup = validate_reply_markup(p.get_json("reply_markup"))
    if (
        (plain or None) == sent.plain_text
        and entities == sent.entities
        and _inline_part(markup) == _inline_part(sent.reply_markup)
    ):
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(
        state,
        chat,
        sent,
        text=caption or None,
        plain=plain or None,
        parse_mode=parse_mode,
        entities=entities,
        markup=markup,
        params=dict(p.values),
    )


@method("editMessageReplyMarkup")
def edit_message_reply_markup(state: StandInState, p: Params) -> JSONDict:
    chat, sent = _editable_message(state, p)
    markup = validate_reply_markup(p.get_json("reply_markup"))
    if _inline_part(markup) == _inline_part(sent.reply_markup):
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(
        state,
        chat,
        sent,
        text=sent.text,
        plain=sent.plain_text,
        parse_mode=sent.parse_mode,
        entities=sent.entities,
        markup=markup,
        params=dict(p.values),
    )


@method("deleteMessage")
def delete_message(state: StandInState, p: Params) -> bool:
    chat = state.find_chat(p.chat_id())
    message_id = p.require_int("message_id")
    if message_id in chat.incoming and message_id not in chat.deleted_incoming:
        chat.deleted_incoming.add(message_id)
        state.touch()
        return True
    sent = chat.bot_by_id.get(message_id)
    if sent is None or sent.deleted:
        raise bad_request("message to delete not found")
    sent.deleted = True
    state.touch()
    return True


@method("answerCallbackQuery")
def answer_callback_query(state: StandInState, p: Params) -> bool:
    query_id = p.require_str("callback_query_id")
    query = state.callback_queries.get(query_id)
    if query is None or query.answered:
        raise bad_request(QUERY_TOO_OLD)
    query.answered = True
    state.callback_answers.append(
        CallbackAnswer(
            callback_query_id=query_id,
            text=p.get_str("text"),
            show_alert=p.get_bool("show_alert"),
            url=p.get_str("url"),
            data=query.data,
            user_id=query.user.id,
        )
    )
    state.touch()
    return True


def _send_media(state: StandInState, p: Params, kind: str) -> JSONDict:
    chat = state.writable_chat(p.chat_id())
    value = p.file(kind)
    if value is None or value == "":
        raise bad_request(f"there is no {kind} in the request")
    existing: StoredFile | None = None
    upload: tuple[str | None, bytes, str | None] | None = None
    if isinstance(value, UploadedFile):
        if not value.content:
            raise bad_request("file must be non-empty")
        mime = value.content_type or None
        upload = (value.filename, value.content, mime)
    else:
        existing = state.files.get(value)
        if existing is None:
            if not value.startswith(("http://", "https://")):
                raise bad_request("wrong file identifier/HTTP URL specified")
            name = urlsplit(value).path.rsplit("/", 1)[-1] or None
            upload = (name, b"", None)
        elif existing.kind is not None and existing.kind != kind:
            # Telegram refuses e.g. a photo's id in sendDocument; the stand-in wants the
            # method of the file's own kind for every kind (Telegram may be laxer for some)
            raise bad_request(
                f"can't use file of type {_FILE_TYPE_NAMES.get(existing.kind, existing.kind)} "
                f"as {_FILE_TYPE_NAMES[kind]}"
            )
    caption = p.get_str("caption") or ""
    parse_mode = p.get_str("parse_mode") or None
    plain, entities = format_text(state, caption, parse_mode, p.get_json("caption_entities"))
    if len(plain) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    markup = validate_reply_markup(p.get_json("reply_markup"))
    reply_to = _reply_target(chat, p)
    # --- no errors past this point: side effects
    if existing is None:
        assert upload is not None
        name, content, mime = upload
        if mime is None or mime == "application/octet-stream":
            mime = _DEFAULT_MIME_TYPES.get(kind, mime)
        stored = state.store_file(name, content, mime, kind=kind)
    else:
        stored = existing
    return _store_sent(
        state, chat, p, kind=kind, text=caption or None, plain_text=plain or None,
        parse_mode=parse_mode, entities=entities, reply_markup=markup,
        reply_to_message_id=reply_to, file=stored,
    )  # fmt: skip


@method("sendDocument")
def send_document(state: StandInState, p: Params) -> JSONDict:
    return _send_media(state, p, "document")


@method("sendPhoto")
def send_photo(state: StandInState, p: Params) -> JSONDict:
    return _send_media(state, p, "photo")


@method("sendVoice")
def send_voice(state: StandInState, p: Params) -> JSONDict:
    return _send_media(state, p, "voice")


@method("getFile")
def get_file(state: StandInState, p: Params) -> JSONDict:
    """The file's path for downloading; Telegram's error for files over 20 MiB."""
    stored = state.files.get(p.require_str("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


def _commands_key(state: StandInState, p: Params) -> tuple[Any, str]:
    key = scope_key(p.get_json("scope"))
    if key[1] is not None:
        state.find_chat(key[1])
    return key, p.get_str("language_code") or ""


@method("setMyCommands")
def set_my_commands(state: StandInState, p: Params) -> bool:
    commands = p.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    validated: list[JSONDict] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = command.get("command")
        description = command.get("description")
        if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        validated.append({"command": name, "description": description})
    key = _commands_key(state, p)
    if validated:
        state.commands[key] = validated
    else:
        state.commands.pop(key, None)
    state.touch()
    return True


@method("getMyCommands")
def get_my_commands(state: StandInState, p: Params) -> list[JSONDict]:
    return [dict(command) for command in state.commands.get(_commands_key(state, p), [])]


@method("deleteMyCommands")
def delete_my_commands(state: StandInState, p: Params) -> bool:
    state.commands.pop(_commands_key(state, p), None)
    state.touch()
    return True


@method("sendChatAction")
def send_chat_action(state: StandInState, p: Params) -> bool:
    chat = state.writable_chat(p.chat_id())
    action = p.require_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.chat_actions.append((chat.chat.id, action))
    state.touch()
    return True


@method("setChatMenuButton")
def set_chat_menu_button(state: StandInState, p: Params) -> bool:
    button = p.get_json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button JSON object")
    if "chat_id" in p:
        state.find_chat(p.chat_id()).menu_button = button
    else:
        state.default_menu_button = button if button["type"] != "default" else {"type": "commands"}
    state.touch()
    return True


@method("getChatMenuButton")
def get_chat_menu_button(state: StandInState, p: Params) -> JSONDict:
    if "chat_id" in p:
        button = state.find_chat(p.chat_id()).menu_button
        if button is not None and button.get("type") != "default":
            return dict(button)
    return dict(state.default_menu_button)


def _set_description(state: StandInState, p: Params, kind: str, limit: int) -> bool:
    text = p.get_str(kind) or ""
    if len(text) > limit:
        raise bad_request(f"{kind} is too long")
    key = (kind, p.get_str("language_code") or "")
    if text:
        state.descriptions[key] = text
    else:
        state.descriptions.pop(key, None)
    state.touch()
    return True


@method("setMyDescription")
def set_my_description(state: StandInState, p: Params) -> bool:
    return _set_description(state, p, "description", 512)


@method("setMyShortDescription")
def set_my_short_description(state: StandInState, p: Params) -> bool:
    return _set_description(state, p, "short_description", 120)


@method("getMyDescription")
def get_my_description(state: StandInState, p: Params) -> JSONDict:
    key = ("description", p.get_str("language_code") or "")
    return {"description": state.descriptions.get(key, "")}


@method("getMyShortDescription")
def get_my_short_description(state: StandInState, p: Params) -> JSONDict:
    key = ("short_description", p.get_str("language_code") or "")
    return {"short_description": state.descriptions.get(key, "")}


@method("getChat")
def get_chat(state: StandInState, p: Params) -> JSONDict:
    chat = state.find_chat(p.chat_id())
    return {
        **chat.chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
