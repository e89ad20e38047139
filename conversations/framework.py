"""How a handler is wired: one place for access rules, transactions and sending replies.

Every handler of the bot is an ``async def handler(request) -> replies`` registered on a
:class:`Router`. The router's wrapper does what every handler needs and none should
repeat: it ignores chats the bot must not talk in, loads the person from the database,
checks their role (again on every button press), runs the handler in one transaction,
commits, and only then sends the replies. So nothing that matters is sent before it is
stored, and no handler holds a transaction open while talking to Telegram.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import (
    CallbackQuery,
    Chat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ExtBot,
    MessageHandler,
    filters,
)

from bot.config.settings import Settings
from bot.render import texts
from bot.render.formatting import split_text
from conversations.access import Audience, Place, Rule, decide, place_of
from conversations.commands import BY_NAME
from conversations.payloads import Payload, decode
from storage.claims import (
    claim_notices,
    claim_update,
    hold_chat,
    keep_notice_message,
    mark_delivered,
)
from storage.inbox import drop as drop_received
from storage.inbox import earlier_waiting
from storage.models import Contact, Role
from storage.people import active_contacts, contact_by_telegram_id, mark_unreachable
from storage.reporting import remember_question_message
from storage.status import SnapshotCache

log = logging.getLogger(__name__)

# Several processes: an earlier update of a chat may have reached another process, which
# has not yet taken the chat (storage.claims.hold_chat). The later one waits for it, looking
# every ORDER_POLL seconds, at most ORDER_PATIENCE seconds; one received more than
# ORDER_WINDOW ago and still not handled is stuck (its process died), not waited for.
ORDER_POLL = 0.05
ORDER_PATIENCE = 5.0
ORDER_WINDOW = timedelta(seconds=60)
Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
# The bot as handlers and the schedule talk to Telegram: python-telegram-bot's ExtBot, which
# passes ``rate_limit_args`` (the call's priority) on to the rate limiter
TelegramBot = ExtBot[Any]


# How urgent a call to Telegram is, as ``rate_limit_args`` (see bot.rate_limit): replies
# to a person's action go ahead of the notices of a broadcast (a round opening, reminders).
PERSON = 0
BULK = 1


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """What handlers need besides the update; stored once in ``application.bot_data``."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime] = utcnow
    snapshots: SnapshotCache = field(default_factory=SnapshotCache)
    started_at: datetime | None = None  # when this bot process started (by ``clock``)
    # updates taken out of the inbox in their handler's transaction (see _in_transaction):
    # bot.runtime's drop after the handlers skips them
    out_of_inbox: set[int] = field(default_factory=set)


def services(context: Context) -> Services:
    return cast(Services, context.bot_data["services"])


def stranger_text(settings: Settings) -> str:
    """What a person without access is told: the configured office and contact line."""
    return texts.stranger(settings.coordination_office, settings.contact_line)


# --- requests and replies --------------------------------------------------------------------

Buttons = Sequence[Sequence[tuple[str, Payload]]]  # rows of (label, what the button carries)


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply: a picture shown inline, a document, or a voice note.

    Either its bytes (``data``, ``filename``) or a Telegram ``file_id`` of a file Telegram
    already has (evidence sent again), which needs no upload.
    """

    data: bytes = b""
    filename: str = "datei"
    photo: bool = False
    voice: bool = False
    file_id: str | None = None


@dataclass(frozen=True)
class Reply:
    """A message to send.

    With ``edit`` it replaces the message whose button was pressed; with ``chat_id`` it goes
    to another chat (a notification), where a failure is logged and does not stop the rest.
    """

    text: str
    buttons: Buttons = ()
    edit: bool = False
    chat_id: int | None = None
    attachment: Attachment | None = None  # then ``text`` is its caption (max. 1024 characters)
    # edit this earlier message of the same chat instead (a question collapsed into one
    # line after a typed answer); if it is gone, nothing is sent (see ``_edit``)
    edit_message_id: int | None = None
    # this message asks the current question of this draft: remember its id (see
    # ``Report.question_message_id``)
    asks_for: int | None = None
    # ask for an answer to this message (Telegram's reply field opens), not buttons
    force_reply: bool = False
    # called with (chat id, message id) once the message is sent (or edited), e.g. to
    # remember where a notice went; for a text sent in parts, the last part's (the buttons')
    on_sent: Callable[[int, int], Awaitable[None]] | None = None
    # the scheduled notice (storage.models.Notice) this message is: marked delivered once
    # sent, so that a notice lost with its process is sent later (see keep_notice)
    notice_id: int | None = None


@dataclass
class Request:
    update: Update
    context: Context
    session: AsyncSession
    services: Services
    contact: Contact | None  # None for strangers; may be inactive only for EVERYONE handlers
    place: Place
    now: datetime
    args: tuple[str, ...] = field(default=())
    # work to do once the transaction is committed and before the replies are sent (e.g.
    # downloading a file), so that no transaction is held open while Telegram is asked
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def user_id(self) -> int:
        user = self.update.effective_user
        assert user is not None  # the wrapper drops updates without a user
        return user.id

    @property
    def display_name(self) -> str:
        user = self.update.effective_user
        assert user is not None
        return user.full_name or user.username or str(user.id)

    @property
    def today(self) -> date:
        """Today's date in the configured time zone."""
        return self.now.astimezone(self.services.settings.zone).date()

    @property
    def text(self) -> str | None:
        message = self.update.effective_message
        return message.text if message is not None else None

    @property
    def active_contact(self) -> Contact | None:
        return self.contact if self.contact is not None and self.contact.active else None


Replies = Sequence[Reply] | Reply | None
Handler = Callable[[Request], Awaitable[Replies]]
P = TypeVar("P", bound=Payload)
ButtonHandler = Callable[[Request, P], Awaitable[Replies]]


def _as_list(replies: Replies) -> list[Reply]:
    if replies is None:
        return []
    return [replies] if isinstance(replies, Reply) else list(replies)


# --- text hygiene ------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """``text`` without lone surrogates and NUL characters, each replaced by U+FFFD; emoji
    stay as they are.

    Telegram clients send a lone surrogate in odd cases (half an emoji) and the JSON
    decoder accepts it, but it is no Unicode: the database and HTTP cannot encode it.
    PostgreSQL stores no NUL character in a text ("invalid byte sequence for encoding").
    """
    text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # a surrogate pair spelt as two code points is joined, a lone one replaced
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _cleaned(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def clean_update(update: Update) -> Update:
    """The update as handlers see it: every text in it (a message, a caption, a file name,
    a name) passed through :func:`clean_text`."""
    data = update.to_dict()
    cleaned = _cleaned(data)
    if cleaned == data:
        return update
    assert isinstance(cleaned, dict)
    return Update.de_json(cleaned, update.get_bot())


def _outgoing(reply: Reply) -> Reply:
    """``reply`` with its text, button labels and file name passed through :func:`clean_text`
    (a text built from a person's words must not crash the sending either)."""
    buttons = [[(clean_text(label), data) for label, data in row] for row in reply.buttons]
    attachment = reply.attachment
    if attachment is not None:
        attachment = replace(attachment, filename=clean_text(attachment.filename))
    return replace(reply, text=clean_text(reply.text), buttons=buttons, attachment=attachment)


async def _handle(
    update: Update, context: Context, handler: Handler, rule: Rule, args: tuple[str, ...]
) -> list[Reply]:
    """Run ``handler`` in one transaction, then its after-commit work; the replies to send.

    This is the one place where incoming texts are cleaned (:func:`clean_update`): no
    handler sees a lone surrogate.
    """
    update = clean_update(update)
    args = tuple(clean_text(arg) for arg in args)
    after: list[Callable[[], Awaitable[None]]] = []
    replies = await _transaction(update, context, handler, rule, args, after)
    for work in after:
        await work()
    return replies


async def _transaction(
    update: Update,
    context: Context,
    handler: Handler,
    rule: Rule,
    args: tuple[str, ...],
    after: list[Callable[[], Awaitable[None]]],
) -> list[Reply]:
    svc = services(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or user.is_bot:
        return []
    place = place_of(chat, svc.settings.coordination_chat_id)
    if place is Place.OTHER:
        # Logged so an operator can find the id to put into COORDINATION_CHAT_ID.
        log.info(
            "Nachricht aus Chat %s (%s) ignoriert: nicht die Koordinationsgruppe",
            chat.id,
            chat.title,
        )
        return []
    waited = 0.0
    while True:
        async with svc.sessions() as session, session.begin():
            await hold_chat(session, chat.id)
            since = svc.clock() - ORDER_WINDOW
            if waited >= ORDER_PATIENCE or not await earlier_waiting(
                session, chat.id, update.update_id, since
            ):
                arrived = _Arrived(update, context, svc, place, args, after)
                claimed, replies = await _in_transaction(session, arrived, handler, rule)
                break
        # Out of the transaction, so the chat is free for the process that has the earlier
        # update; this one looks again in a moment.
        if not waited:
            log.info("Update %s wartet auf ein früheres aus Chat %s", update.update_id, chat.id)
        await asyncio.sleep(ORDER_POLL)
        waited += ORDER_POLL
    if claimed:  # committed: claimed and out of the inbox together
        svc.out_of_inbox.add(update.update_id)
    return replies


@dataclass(frozen=True)
class _Arrived:
    """An update to be handled, with what came with it."""

    update: Update
    context: Context
    svc: Services
    place: Place
    args: tuple[str, ...]
    after: list[Callable[[], Awaitable[None]]]


async def _in_transaction(
    session: AsyncSession, arrived: _Arrived, handler: Handler, rule: Rule
) -> tuple[bool, list[Reply]]:
    """The update's work in the transaction that holds its chat: claimed once (False if it
    was handled before), out of the inbox, and handled (:func:`_handled_here`)."""
    update = arrived.update
    if not await claim_update(session, update.update_id, arrived.svc.clock()):
        log.info(
            "Update %s wurde schon verarbeitet; doppelt zugestellt, ignoriert", update.update_id
        )
        return False, []
    # Out of the inbox in the same transaction: one transaction per update less than a
    # drop of its own after the handlers (a rollback keeps it in the inbox, as before).
    await drop_received(session, update.update_id)
    return True, await _handled_here(session, arrived, handler, rule)


async def _handled_here(
    session: AsyncSession, arrived: _Arrived, handler: Handler, rule: Rule
) -> list[Reply]:
    """A claimed update: edits of messages noted, the access rule applied, the handler run."""
    update, svc, place = arrived.update, arrived.svc, arrived.place
    user = update.effective_user
    assert user is not None
    if update.edited_message is not None:
        # An edit is no new answer and no command to run (python-telegram-bot's
        # handlers match edits too): only a note where the person wrote privately.
        return [Reply(texts.EDITED_MESSAGE)] if place is Place.PRIVATE else []
    contact = await contact_by_telegram_id(session, user.id, include_inactive=True)
    if contact is not None and contact.unreachable_since is not None:
        contact.unreachable_since = None  # they wrote: reachable again
    decision = decide(rule, contact, place, stranger=stranger_text(svc.settings))
    if not decision.allowed:
        return [] if decision.refusal is None else [Reply(decision.refusal)]
    request = Request(
        update, arrived.context, session, svc, contact, place, svc.clock(), arrived.args,
        arrived.after,
    )  # fmt: skip
    return _as_list(await handler(request))


def keyboard(buttons: Buttons) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data.encode()) for label, data in row]
            for row in buttons
        ]
    )


async def send_replies(update: Update, context: Context, replies: list[Reply]) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    query = update.callback_query
    bot = context.bot
    for reply in map(_outgoing, replies):
        if reply.notice_id is not None:
            continue
        markup: InlineKeyboardMarkup | ForceReply | None = keyboard(reply.buttons)
        if reply.force_reply:
            markup = ForceReply(input_field_placeholder=texts.REPLY_PLACEHOLDER)
        if reply.chat_id is not None:
            await deliver(bot, services(context), reply)
            continue
        if reply.attachment is not None:
            assert not isinstance(markup, ForceReply)
            await _send_file(chat, reply.attachment, reply.text, markup)
            continue
        message_id: int | None
        if reply.edit_message_id is not None:
            assert not isinstance(markup, ForceReply)  # an edit cannot ask for a reply
            message_id = await _edit(bot, chat.id, reply.edit_message_id, reply.text, markup)
        elif reply.edit and query is not None and query.message is not None:
            assert not isinstance(markup, ForceReply)
            # the reply to the person's tap: it must arrive, if need be as a new message
            message_id = await _edit(
                bot, chat.id, query.message.message_id, reply.text, markup, resend=True
            )
        else:
            message_id = await _send(bot, chat.id, _parts(reply.text), markup)
        if message_id is None:
            continue
        if reply.asks_for is not None:
            await _remember_question(context, reply.asks_for, message_id)
        if reply.on_sent is not None:
            await reply.on_sent(chat.id, message_id)
    # the notices of a broadcast (e.g. a round opened by hand) last: the person who caused
    # it has their answer first; then they go out side by side
    notices = [reply for reply in replies if reply.notice_id is not None]
    await deliver_all(bot, services(context), notices)


def _parts(text: str) -> list[str]:
    """``text`` as messages within Telegram's limit; a blank text stays one (Telegram refuses
    it, as it always did)."""
    return split_text(text) or [text]


async def _send(
    bot: TelegramBot,
    chat_id: int,
    parts: Sequence[str],
    markup: InlineKeyboardMarkup | ForceReply | None,
    priority: int = PERSON,
) -> int:
    """Send ``parts`` as messages in order, the buttons under the last; the last one's id."""
    message_id = 0
    for number, part in enumerate(parts, start=1):
        sent = await bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if number == len(parts) else None,
            rate_limit_args=priority,
        )
        message_id = sent.message_id
    return message_id


async def _edit(
    bot: TelegramBot,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    *,
    resend: bool = False,
    priority: int = PERSON,
) -> int | None:
    """Edit a message into ``text`` as a send would: what is over Telegram's limit follows
    in new messages, the buttons under the last. The id of the message with the buttons.

    Telegram refusing the edit for another reason than "not modified" (the message was
    deleted, cannot be edited ...) sends the whole text anew where ``resend`` (a reply to
    the person's own action); an earlier message (a collapsed question, an old notice)
    is left alone: logged, and None. A text Telegram cannot parse is a bug of the bot and
    raised, as sending it would fail alike.
    """
    parts = _parts(text)
    try:
        await bot.edit_message_text(
            parts[0],
            chat_id,
            message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if len(parts) == 1 else None,
            rate_limit_args=priority,
        )
    except BadRequest as error:
        reason = str(error).lower()
        if "can't parse entities" in reason:
            raise
        if "not modified" not in reason:
            log.info("Nachricht %s in Chat %s nicht geändert: %s", message_id, chat_id, error)
            return await _send(bot, chat_id, parts, markup, priority) if resend else None
    if len(parts) == 1:
        return message_id
    return await _send(bot, chat_id, parts[1:], markup, priority)


async def _remember_question(context: Context, report_id: int, message_id: int) -> None:
    """Note which message asks a draft's current question (after it was sent)."""
    async with services(context).sessions() as session, session.begin():
        await remember_question_message(session, report_id, message_id)


async def _send_file(
    chat: Chat, attachment: Attachment, caption: str, markup: InlineKeyboardMarkup | None
) -> None:
    file: InputFile | str = (
        attachment.file_id
        if attachment.file_id is not None
        else InputFile(attachment.data, filename=attachment.filename)
    )
    text = caption or None  # no empty caption
    if attachment.voice:
        await chat.send_voice(file, caption=text, reply_markup=markup)
    elif attachment.photo:
        await chat.send_photo(file, caption=text, reply_markup=markup)
    else:
        await chat.send_document(file, caption=text, reply_markup=markup)


async def coordination_chats(session: AsyncSession, svc: Services) -> list[int]:
    """Where notices to the coordination go: its group, or else each coordinator privately."""
    if svc.settings.coordination_chat_id is not None:
        return [svc.settings.coordination_chat_id]
    return [
        c.telegram_user_id
        for c in await active_contacts(session)
        if c.role is Role.COORDINATOR and c.telegram_user_id is not None
    ]


async def deliver(bot: TelegramBot, svc: Services, reply: Reply) -> bool:
    """Send a notification to ``reply.chat_id`` (or edit ``reply.edit_message_id`` there);
    False if it could not be delivered.

    A person who blocked the bot (403) is marked unreachable, so that nobody keeps
    writing to them; they are listed for the coordinators until they write again.
    """
    chat_id = reply.chat_id
    assert chat_id is not None
    reply = _outgoing(reply)
    markup = keyboard(reply.buttons)
    priority = PERSON if reply.notice_id is None else BULK  # one of many: after replies
    try:
        if reply.edit_message_id is not None:
            message_id = await _edit(
                bot, chat_id, reply.edit_message_id, reply.text, markup, priority=priority
            )
        else:
            message_id = await _send(bot, chat_id, _parts(reply.text), markup, priority)
    except Forbidden as error:
        log.warning("Chat %s hat den Bot blockiert: %s", chat_id, error)
        async with svc.sessions() as session, session.begin():
            await mark_unreachable(session, chat_id, svc.clock())
            await _delivered(session, svc, reply)  # it never can be: done with it
        return False
    except BadRequest as error:
        log.warning("Nachricht an Chat %s nicht zustellbar: %s", chat_id, error)
        async with svc.sessions() as session, session.begin():
            await _delivered(session, svc, reply)
        return False
    if reply.notice_id is not None:
        async with svc.sessions() as session, session.begin():
            await _delivered(session, svc, reply)
    if message_id is None:
        return False
    if reply.on_sent is not None:
        await reply.on_sent(chat_id, message_id)
    return True


# Notices of a broadcast in flight at once: enough to use Telegram's whole budget (30 a
# second) although each call takes a round trip; the rate limiter paces them, after the
# replies to people (BULK).
BROADCAST_CALLS = 30


async def deliver_all(
    bot: TelegramBot, svc: Services, replies: Sequence[Reply]
) -> list[bool | None]:
    """:func:`deliver` each of ``replies`` (to different chats), many at a time; for each,
    in order, whether it was delivered, or None: not yet.

    A notice Telegram did not take even after the retries (an outage) does not stop the
    others: it stays undelivered and is sent again later (see
    ``conversations.scheduled.resend_lost_notices``).
    """
    calls = asyncio.Semaphore(BROADCAST_CALLS)

    async def one(reply: Reply) -> bool | None:
        async with calls:
            try:
                return await deliver(bot, svc, reply)
            except TelegramError as error:
                log.warning("Nachricht an Chat %s noch nicht gesendet: %s", reply.chat_id, error)
                return None

    return list(await asyncio.gather(*(one(reply) for reply in replies)))


async def _delivered(session: AsyncSession, svc: Services, reply: Reply) -> None:
    if reply.notice_id is not None:
        await mark_delivered(session, reply.notice_id, svc.clock())


async def keep_notice(
    session: AsyncSession, round_id: int, contact_id: int | None, kind: str, reply: Reply
) -> Reply:
    """Store the message of a notice, claimed in this transaction, with the notice: if the
    process dies before it is delivered, it is sent later (:func:`notice_reply`). Returns
    ``reply`` marked as that notice.

    A notice to a person has their chat in ``reply.chat_id``; one to the coordination
    (``contact_id`` None) has none: it goes to :func:`coordination_chats` when sent.
    """
    assert (reply.chat_id is None) == (contact_id is None)
    body = _notice_body(reply)
    notice_id = await keep_notice_message(session, round_id, contact_id, kind, reply.chat_id, body)
    return replace(reply, notice_id=notice_id)


async def claim_and_keep_notices(
    session: AsyncSession, round_id: int, kind: str, replies: Mapping[int, Reply], now: datetime
) -> list[Reply]:
    """Claim the notice ``kind`` of a round to each contact of ``replies`` (contact id → the
    message, with its chat) and keep its message, as :func:`claim_notice` and
    :func:`keep_notice` do one by one. Returns the replies of the notices claimed here, in
    the order given, each marked as its notice; those claimed before are left out."""
    messages = {}
    for contact_id, reply in replies.items():
        assert reply.chat_id is not None
        messages[contact_id] = (reply.chat_id, _notice_body(reply))
    claimed = await claim_notices(session, round_id, kind, messages, now)
    return [
        replace(reply, notice_id=claimed[contact_id])
        for contact_id, reply in replies.items()
        if contact_id in claimed
    ]


def _notice_body(reply: Reply) -> str:
    return json.dumps(
        {
            "text": reply.text,
            "buttons": [[[label, data.encode()] for label, data in row] for row in reply.buttons],
        }
    )


def notice_reply(notice_id: int, chat_id: int | None, body: str) -> Reply:
    """The message of a kept notice, as :func:`keep_notice` stored it."""
    stored = json.loads(body)
    buttons = [
        [(label, payload) for label, data in row if (payload := decode(data)) is not None]
        for row in stored["buttons"]
    ]
    return Reply(
        stored["text"], [row for row in buttons if row], chat_id=chat_id, notice_id=notice_id
    )


class Router:
    """Collects a module's command, button and message handlers with their access rules."""

    def __init__(self) -> None:
        self._commands: list[tuple[str, Handler]] = []
        self._buttons: dict[type[Payload], tuple[Rule, ButtonHandler[Any]]] = {}
        self._messages: list[tuple[filters.BaseFilter, Rule, Handler]] = []
        self._group_messages: list[tuple[filters.BaseFilter, Rule, Handler]] = []

    def command(self, name: str) -> Callable[[Handler], Handler]:
        """Register a handler for a command of :data:`conversations.commands.COMMANDS`."""
        BY_NAME[name]

        def register(handler: Handler) -> Handler:
            self._commands.append((name, handler))
            return handler

        return register

    def button(
        self, kind: type[P], audience: Audience, *, in_group: bool = False
    ) -> Callable[[ButtonHandler[P]], ButtonHandler[P]]:
        """Register the handler of buttons carrying a ``kind`` payload (it gets the payload)."""

        def register(handler: ButtonHandler[P]) -> ButtonHandler[P]:
            if kind in self._buttons:
                raise ValueError(f"button {kind.__name__} registered twice")
            self._buttons[kind] = (Rule(audience, in_group), handler)
            return handler

        return register

    def private_message(
        self, condition: filters.BaseFilter, audience: Audience = Audience.EVERYONE
    ) -> Callable[[Handler], Handler]:
        """Register a handler for private messages matching ``condition``."""

        def register(handler: Handler) -> Handler:
            self._messages.append((condition, Rule(audience), handler))
            return handler

        return register

    def message(
        self, condition: filters.BaseFilter, audience: Audience
    ) -> Callable[[Handler], Handler]:
        """Register a handler for messages matching ``condition`` in private chats and in
        the coordination group (other groups are ignored, as always)."""

        def register(handler: Handler) -> Handler:
            self._group_messages.append((condition, Rule(audience, in_group=True), handler))
            return handler

        return register

    @property
    def buttons(self) -> dict[type[Payload], tuple[Rule, ButtonHandler[Any]]]:
        return dict(self._buttons)

    def command_handlers(self) -> list[BaseHandler[Update, Context, None]]:
        handlers: list[BaseHandler[Update, Context, None]] = []
        for name, handler in self._commands:
            spec = BY_NAME[name]

            async def callback(
                update: Update, context: Context, handler: Handler = handler, rule: Rule = spec.rule
            ) -> None:
                args = tuple(context.args or ())
                replies = await _handle(update, context, handler, rule, args)
                await send_replies(update, context, replies)

            handlers.append(CommandHandler([spec.name, *spec.aliases], callback))
        return handlers

    def message_handlers(self) -> list[BaseHandler[Update, Context, None]]:
        handlers: list[BaseHandler[Update, Context, None]] = []
        for condition, rule, handler in self._messages:

            async def callback(
                update: Update, context: Context, handler: Handler = handler, rule: Rule = rule
            ) -> None:
                replies = await _handle(update, context, handler, rule, ())
                await send_replies(update, context, replies)

            handlers.append(MessageHandler(filters.ChatType.PRIVATE & condition, callback))
        for condition, rule, handler in self._group_messages:

            async def in_any_chat(
                update: Update, context: Context, handler: Handler = handler, rule: Rule = rule
            ) -> None:
                replies = await _handle(update, context, handler, rule, ())
                await send_replies(update, context, replies)

            handlers.insert(0, MessageHandler(condition, in_any_chat))
        return handlers


async def _answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the button's spinner; a query that is too old (e.g. re-delivered) is fine."""
    try:
        await query.answer(text)
    except BadRequest as error:
        log.info("Antwort auf Schaltfläche nicht möglich: %s", error)


def button_handler(
    buttons: dict[type[Payload], tuple[Rule, ButtonHandler[Any]]],
) -> CallbackQueryHandler[Context, None]:
    """One handler for all buttons: decode, check, dispatch; anything else is stale."""

    async def on_button(update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        data = decode(query.data)
        entry = buttons.get(type(data)) if data is not None else None
        if entry is None:
            await _answer_query(query, texts.STALE_BUTTON)
            return
        rule, handler = entry

        async def handle(request: Request) -> Replies:
            return await handler(request, data)

        replies = await _handle(update, context, handle, rule, ())
        await _answer_query(query)
        await send_replies(update, context, replies)

    return CallbackQueryHandler(on_button)
