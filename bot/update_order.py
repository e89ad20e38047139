"""Updates handled side by side, each chat's one after another in the order they came.

python-telegram-bot handles one update at a time by default: one person's slow ``/export``
holds up every other person's button press. With an update processor it starts a task per
update instead; :class:`ChatOrder` lets those tasks run at once, except that an update
waits until the update before it *of the same chat* is done. So a person's quick taps,
and the messages of one group, are handled in the order Telegram numbered them (their
answers depend on each other), while other people go on meanwhile.

python-telegram-bot's processors only bound the number of updates at once; ordering per
key is what this module adds by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates in hand at once. Each holds at most one database connection at a time and
# waits mostly for Telegram; the rate limiter, not this number, paces the bot's calls.
CONCURRENT_UPDATES = 32
# python-telegram-bot's bound, never reached: its semaphore would make a task wait before
# taking its place in line (see ChatOrder)
UNBOUNDED = 1_000_000


def order_key(update: object) -> int | None:
    """The chat whose updates must stay in order (a person's private chat is keyed by the
    person); None for updates that need no order with any other."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrder(BaseUpdateProcessor):
    """Concurrent updates; those with the same :func:`order_key` one after another.

    The Application starts a task per update, in the order it took them from its queue,
    and the first step of each task runs in that order too. Each update takes its place in
    its chat's line in that first step, before anything is awaited, so the line's order is
    the queue's order. (python-telegram-bot's own bound is set so high that it never makes
    a task wait before that step; this class bounds the updates in hand itself.) An update
    waits for the one before it in its line *before* taking one of the slots, so a person
    who taps ten times holds one slot, not ten.
    """

    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        super().__init__(UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        # the last update in line per chat: done when it is handled (or failed)
        self._last: dict[int, asyncio.Future[None]] = {}

    @property
    def chats_in_line(self) -> int:
        """Chats with an update being handled or waiting (for tests: nothing left over)."""
        return len(self._last)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        before = self._last.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[key] = mine
        started = False
        try:
            if before is not None:
                await asyncio.shield(before)  # a cancelled waiter must not cancel the one ahead
            async with self._slots:
                started = True
                await coroutine
        finally:
            if not started and isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled while waiting: no "never awaited" warning
            mine.set_result(None)
            if self._last.get(key) is mine:
                del self._last[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the Application waits for its update tasks itself."""
