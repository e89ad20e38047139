"""Build and run the python-telegram-bot ``Application`` from the settings.

All handlers are registered here, in one visible place, in the order they are tried.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, Defaults, TypeHandler

from bot.config.settings import Settings
from bot.errors import on_error
from bot.jobs import TICK_SECONDS, share_telegram_budget, tick
from bot.logging_setup import configure_logging, protect_secrets
from bot.rate_limit import PeopleFirstRateLimiter
from bot.telegram_request import RetryingRequest, UpdatesHook
from bot.update_order import ChatOrder
from conversations import (
    evidence,
    fallback,
    onboarding,
    outstanding,
    people,
    reporting,
    rounds,
    status,
    support,
)
from conversations.commands import group_menu, private_menu
from conversations.framework import Router, Services, button_handler, utcnow
from storage import inbox
from storage.database import create_engine, is_unavailable, session_factory
from storage.secrets import WEBHOOK_SECRET, generated_secret

log = logging.getLogger(__name__)

BotApplication = Application[Any, Any, Any, Any, Any, Any]
SCHEDULE_JOB = "zeitplan"

# Routers in the order their handlers are tried; the fallback comes last.
ROUTERS: tuple[Router, ...] = (
    onboarding.router,
    people.router,
    support.router,  # before reporting: a reply with a note is not a report's answer
    reporting.router,
    rounds.router,
    status.router,
    outstanding.router,
    evidence.router,
)
FALLBACK = fallback.router
CONNECTIONS = 256  # python-telegram-bot's own default for the bot's calls
INBOX_GROUP = 999  # after the bot's own handlers, before HandledUpdates.GROUP


def build_application(
    settings: Settings,
    engine: AsyncEngine | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> BotApplication:
    """The bot's Application: token, Bot API address, HTML by default, local time zone."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the application")
    token = settings.telegram_bot_token.get_secret_value()
    protect_secrets([token])
    engine = engine or create_engine(settings.effective_database_url)
    services = Services(settings, session_factory(engine), clock, started_at=clock())
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.zone))
        .rate_limiter(PeopleFirstRateLimiter(max_retries=3))
        .concurrent_updates(ChatOrder())
        .request(RetryingRequest(connection_pool_size=CONNECTIONS))
        .get_updates_request(RetryingRequest(on_updates=_keeping(services)))
        .update_queue(UpdateQueue(services))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["services"] = services
    application.bot_data["engine"] = engine
    register_handlers(application)
    application.add_handler(TypeHandler(Update, _handled), group=INBOX_GROUP)
    assert application.job_queue is not None  # python-telegram-bot[job-queue] is a dependency
    application.job_queue.run_repeating(tick, interval=TICK_SECONDS, first=5, name=SCHEDULE_JOB)
    return application


def register_handlers(application: BotApplication) -> None:
    buttons: dict[Any, Any] = {}
    for router in ROUTERS:
        application.add_handlers(router.command_handlers())
        for kind, entry in router.buttons.items():
            if kind in buttons:
                raise ValueError(f"button {kind.__name__} registered by two routers")
            buttons[kind] = entry
    application.add_handler(button_handler(buttons))
    for router in (*ROUTERS, FALLBACK):
        application.add_handlers(router.message_handlers())
    application.add_error_handler(on_error)


async def _keep(services: Services, rows: list[inbox.Received]) -> None:
    """Write received updates into the inbox (see storage.inbox).

    While the database is unavailable the updates are handed on unkept: their handlers
    fail the same way and each person is asked to try again, instead of waiting in
    silence until the database is back.
    """
    try:
        async with services.sessions() as session, session.begin():
            await inbox.keep(session, rows, services.clock())
    except Exception as error:
        if not is_unavailable(error):
            raise
        log.warning("Updates nicht im Eingang gespeichert, Datenbank fehlt: %s", error)


def _keeping(services: Services) -> UpdatesHook:
    """Long polling: the updates of a ``getUpdates`` answer go into the inbox before
    python-telegram-bot sees them, and so before its next call confirms them."""

    async def keep(content: bytes) -> None:
        updates = json.loads(content).get("result") or []
        if updates:
            # ASCII JSON: a lone surrogate (which no database can store) stays escaped
            received = [
                inbox.Received(int(u["update_id"]), inbox.chat_of(u), json.dumps(u))
                for u in updates
            ]
            await _keep(services, received)

    return keep


class UpdateQueue(asyncio.Queue[object]):
    """The Application's queue of updates; with a webhook it keeps each update in the inbox
    before queueing it.

    python-telegram-bot's webhook server answers Telegram's request with 200 as soon as
    the update is queued, and Telegram then forgets it. With :attr:`keeping` on, an update
    is queued only once it is in the inbox; if that fails, the server answers 500 and
    Telegram sends it again later. (With long polling the inbox is written earlier, see
    :func:`_keeping`, and this queue only queues.)
    """

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.keeping = False

    async def put(self, item: object) -> None:
        if self.keeping and isinstance(item, Update):
            chat = item.effective_chat
            chat_id = chat.id if chat is not None else None
            received = inbox.Received(item.update_id, chat_id, item.to_json())
            await _keep(self.services, [received])
        await super().put(item)


async def _handled(update: Update, context: Any) -> None:
    """After the bot's handlers: the update is out of the inbox (most were taken out with
    their claim, see conversations.framework; this is for the others, e.g. an update no
    handler took or one whose handler failed)."""
    services: Services = context.bot_data["services"]
    if update.update_id in services.out_of_inbox:
        services.out_of_inbox.discard(update.update_id)
        return
    try:
        async with services.sessions() as session, session.begin():
            await inbox.drop(session, update.update_id)
    except Exception as error:
        if not is_unavailable(error):
            raise
        # The handler failed the same way and asked the person to try again.
        log.warning("Update %s bleibt im Eingang: %s", update.update_id, error)


async def _replay_inbox(application: BotApplication) -> None:
    """Queue the updates received before the last stop (or crash) but not handled then."""
    services: Services = application.bot_data["services"]
    async with services.sessions() as session:
        waiting = await inbox.pending(session)
    for data in waiting:
        update = Update.de_json(json.loads(data), application.bot)
        application.update_queue.put_nowait(update)  # in the inbox already
    if waiting:
        log.info("%s Updates von vor dem Neustart werden jetzt bearbeitet.", len(waiting))


async def _post_init(application: BotApplication) -> None:
    """Queue what the inbox still holds; take this process's share of Telegram's budget;
    register the command menus (private chats and the coordination group)."""
    await _replay_inbox(application)
    svc: Services = application.bot_data["services"]
    settings = svc.settings
    bot = application.bot
    await share_telegram_budget(bot, svc)  # before the first update; then at every tick
    await bot.set_my_commands(
        [BotCommand(name, text) for name, text in private_menu()],
        scope=BotCommandScopeAllPrivateChats(),
    )
    if settings.coordination_chat_id is not None:
        try:
            await bot.set_my_commands(
                [BotCommand(name, text) for name, text in group_menu()],
                scope=BotCommandScopeChat(settings.coordination_chat_id),
            )
        except TelegramError as error:
            log.warning(
                "Befehlsmenü der Koordinationsgruppe %s nicht gesetzt: %s (ist der Bot Mitglied?)",
                settings.coordination_chat_id,
                error,
            )
    log.info("Bot @%s ist bereit.", bot.username)


async def _post_shutdown(application: BotApplication) -> None:
    engine: AsyncEngine = application.bot_data["engine"]
    await engine.dispose()
    log.info("Bot beendet, Datenbankverbindungen geschlossen.")


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts the updates (``url``, public, HTTPS) and where the bot takes
    them from the reverse proxy (``listen``, ``port``, and the URL's path)."""

    url: str
    listen: str
    port: int
    secret: str

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.strip("/")

    def options(self) -> dict[str, Any]:
        """The arguments of python-telegram-bot's ``start_webhook`` and ``run_webhook``."""
        return {
            "listen": self.listen,
            "port": self.port,
            "url_path": self.path,
            "webhook_url": self.url,
            "secret_token": self.secret,
            "allowed_updates": Update.ALL_TYPES,
            "max_connections": WEBHOOK_CONNECTIONS,
        }


# Telegram posts one update at a time and waits for the answer before the next: so the
# updates of a person reach the bot in order even with several processes behind a proxy.
# The answer comes as soon as the update is in the inbox, long before it is handled.
WEBHOOK_CONNECTIONS = 1


async def webhook_for(settings: Settings, engine: AsyncEngine, url: str) -> Webhook:
    """The webhook at ``url`` with the configured secret token, or else the one generated
    and kept in the database (the same for every process of the bot)."""
    if settings.webhook_secret is not None:
        secret = settings.webhook_secret.get_secret_value()
    else:
        async with session_factory(engine)() as session, session.begin():
            secret = await generated_secret(session, WEBHOOK_SECRET, utcnow())
    protect_secrets([secret])
    return Webhook(url, settings.webhook_listen, settings.webhook_port, secret)


def _receive_by_webhook(application: BotApplication) -> None:
    queue = application.update_queue
    assert isinstance(queue, UpdateQueue)
    queue.keeping = True


@asynccontextmanager
async def serving(
    application: BotApplication, poll_timeout: int = 10, webhook: Webhook | None = None
) -> AsyncIterator[None]:
    """Run ``application`` inside the current event loop (tests, demo): with long polling,
    or receiving by ``webhook``."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    if webhook is None:
        await application.updater.start_polling(
            poll_interval=0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
    else:
        _receive_by_webhook(application)
        await application.updater.start_webhook(**webhook.options())
    try:
        yield
    finally:
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


class HandledUpdates:
    """Counts of fully handled updates, for driving the bot step by step (demo, tests).

    :func:`track_handled` registers a handler in a group after all of the bot's own, so an
    update is counted only once its handlers have run and their replies were sent.
    """

    GROUP = 1000

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.changed = asyncio.Event()

    def record(self, update_id: int) -> None:
        self.counts[update_id] = self.counts.get(update_id, 0) + 1
        self.changed.set()

    async def wait_for(self, update_id: int, times: int = 1, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until ``update_id`` was handled ``times`` times (a re-delivery counts again)."""
        async with asyncio.timeout(timeout):
            while self.counts.get(update_id, 0) < times:
                self.changed.clear()
                await self.changed.wait()


def track_handled(
    application: BotApplication, handled: HandledUpdates | None = None
) -> HandledUpdates:
    """Count ``application``'s handled updates (into ``handled``, e.g. across a restart)."""
    handled = handled if handled is not None else HandledUpdates()

    async def record(update: Update, _context: object) -> None:
        handled.record(update.update_id)

    application.add_handler(TypeHandler(Update, record), group=HandledUpdates.GROUP)
    return handled


def run_bot(settings: Settings, webhook: Webhook | None = None) -> None:
    """Long polling, or receiving by ``webhook``, until SIGINT or SIGTERM; then finish
    pending work and close the database."""
    configure_logging(settings.log_level)
    application = build_application(settings)
    if webhook is None:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    _receive_by_webhook(application)
    log.info("Webhook %s, angenommen auf %s:%s", webhook.url, webhook.listen, webhook.port)
    application.run_webhook(**webhook.options())
