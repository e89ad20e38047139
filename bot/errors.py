"""The error handler: log with context, apologise in one sentence, tell coordinators once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.render import texts
from conversations.framework import Context, services
from storage.database import is_unavailable
from storage.people import active_coordinators

log = logging.getLogger(__name__)
NOTICE_INTERVAL = timedelta(hours=1)
# Problems of the connection to Telegram or of one chat, not bugs: logged, never escalated.
EXPECTED = (NetworkError, TimedOut, RetryAfter, Forbidden)
# Except Telegram rejecting a request (400: "can't parse entities", "message is too long"):
# a bug of the bot, although python-telegram-bot derives BadRequest from NetworkError.
NOT_EXPECTED = (BadRequest,)


@dataclass
class NoticeThrottle:
    """Remembers when each kind of error was last reported to the coordinators."""

    last: dict[str, datetime] = field(default_factory=dict)

    def due(self, kind: str, now: datetime) -> bool:
        previous = self.last.get(kind)
        if previous is not None and now - previous < NOTICE_INTERVAL:
            return False
        self.last[kind] = now
        return True


def error_kind(error: BaseException) -> str:
    """Type and place of an error: the same bug gives the same kind."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    where = ""
    if frames:
        code = frames[-1].tb_frame.f_code
        where = f" in {code.co_name}"
    return f"{type(error).__name__}{where}"


def is_expected(error: BaseException) -> bool:
    """A problem of the connection or of one chat (only logged), not a bug of the bot."""
    return isinstance(error, EXPECTED) and not isinstance(error, NOT_EXPECTED)


def describe_update(update: object) -> str:
    if not isinstance(update, Update):
        return "ohne Update"
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    return f"update_id={update.update_id} chat={chat} user={user}"


async def on_error(update: object, context: Context) -> None:
    error = context.error
    if error is None:
        return
    if is_unavailable(error):
        # Not a bug and nothing half-written: the person tries again, the schedule's next
        # tick retries by itself. One line for the operator; coordinators cannot help.
        log.warning(
            "Datenbank nicht verfügbar bei %s: %s: %s",
            describe_update(update),
            type(error).__name__,
            str(error).splitlines()[0][:300] if str(error) else "",
        )
        await apologise(update, texts.DATABASE_UNAVAILABLE)
        return
    log.error("Fehler bei %s", describe_update(update), exc_info=error)
    if is_expected(error):
        return
    await apologise(update, texts.ERROR)
    await notify_coordinators(context, error)


async def apologise(update: object, text: str) -> None:
    """Tell the chat of ``update`` (if any) that its request failed."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        try:  # stop the spinner, unless the handler did so before it failed
            await update.callback_query.answer()
        except Exception:
            log.debug("Schaltfläche war schon beantwortet", exc_info=True)
    try:
        await update.effective_chat.send_message(text)
    except Exception:  # the apology itself failed; the log already has the cause
        log.warning("Fehlermeldung an den Chat konnte nicht gesendet werden", exc_info=True)


async def notify_coordinators(context: Context, error: BaseException) -> None:
    svc = services(context)
    throttle: NoticeThrottle = context.bot_data.setdefault("error_notices", NoticeThrottle())
    kind = error_kind(error)
    if not throttle.due(kind, svc.clock()):
        return
    notice = texts.fill(texts.ERROR_NOTICE, kind=kind, detail=str(error)[:300] or "–")
    try:
        if svc.settings.coordination_chat_id is not None:
            await context.bot.send_message(svc.settings.coordination_chat_id, notice)
            return
        async with svc.sessions() as session:
            chat_ids = [c.telegram_user_id for c in await active_coordinators(session)]
        for chat_id in chat_ids:
            if chat_id is not None:
                await context.bot.send_message(chat_id, notice)
    except Exception:
        log.warning("Koordination konnte nicht über den Fehler informiert werden", exc_info=True)
