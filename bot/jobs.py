"""The JobQueue wiring: one repeating job that runs the schedule of :mod:`conversations.scheduled`."""

from __future__ import annotations

from conversations.framework import Context, services
from conversations.scheduled import run_schedule

TICK_SECONDS = 60


async def tick(context: Context) -> None:
    """The repeating job: do what is due now (the database knows what was done)."""
    svc = services(context)
    await run_schedule(context.bot, svc, svc.clock())
