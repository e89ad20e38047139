"""The JobQueue wiring: one repeating job that runs the schedule of :mod:`conversations.scheduled`."""

from __future__ import annotations

import logging

from bot.rate_limit import PeopleFirstRateLimiter
from conversations.framework import Context, Services, TelegramBot, services
from conversations.scheduled import run_schedule
from storage.claims import alive
from storage.database import is_unavailable

TICK_SECONDS = 60

log = logging.getLogger(__name__)


async def tick(context: Context) -> None:
    """The repeating job: do what is due now (the database knows what was done)."""
    svc = services(context)
    await share_telegram_budget(context.bot, svc)
    await run_schedule(context.bot, svc, svc.clock())


async def share_telegram_budget(bot: TelegramBot, svc: Services) -> int:
    """Keep this process to its share of Telegram's budget; the number of bot processes.

    Telegram counts the calls of all processes of the bot together. Several processes
    take updates only by webhook (Telegram answers a second long poll with "Conflict");
    they are the bot processes connected to the database now (PostgreSQL,
    :func:`storage.claims.alive`). With long polling, or SQLite, there is only this one.
    Without the database the share stays as it was.
    """
    limiter = bot.rate_limiter
    if not isinstance(limiter, PeopleFirstRateLimiter) or svc.settings.webhook_url is None:
        return 1
    try:
        async with svc.sessions() as session:
            running = await alive(session)
    except Exception as error:
        if not is_unavailable(error):
            raise
        return limiter.processes
    processes = max(1, len(running.names)) if running.names is not None else 1
    if processes != limiter.processes:
        limiter.share(processes)
        log.info(
            "%s Bot-Prozesse teilen sich Telegrams Budget (30 Nachrichten je Sekunde): "
            "dieser nutzt 1/%s davon.",
            processes,
            processes,
        )
    return processes
