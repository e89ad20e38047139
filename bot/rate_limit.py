"""A rate limiter for the Bot API that serves people before broadcasts.

python-telegram-bot's ``AIORateLimiter`` keeps Telegram's flood limits (30 calls a second
overall, 20 a minute per group) but serves calls first come, first served: replies to
people tapping through a dialogue queue behind a broadcast to 1,000 contacts. This one
keeps the same limits and exemptions, and serves each free slot to the waiting call with
the lowest priority number (``rate_limit_args``: :data:`PERSON` or :data:`BULK`); within a
priority, first come, first served.

The slots are counted by hand: aiolimiter, which ``AIORateLimiter`` uses, has no
priorities. Every budget is a sliding window of the times calls were granted, and then
started. Waiting calls sit in a heap ordered by (priority, arrival); whenever something
changes (a call arrives, a waiting call is cancelled, the one timer, set for the next free
slot, fires), :meth:`_dispatch` grants every slot that is free now, best call first, and
sets the timer anew. A call waiting only for its group's budget is skipped, not waited for.
Calls after :data:`PERSON` are paced evenly (one per ``overall_time_period /
overall_max_rate``), so during a broadcast the overall window frees one slot at a time and
a person waits about one slot, not until a burst of bulk calls has aged out of the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import constants
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from conversations.framework import PERSON

log = logging.getLogger(__name__)

# PERSON (0): a reply to someone, the default (python-telegram-bot passes 0 on as None);
# BULK (1): a broadcast's notice. The handlers' framework decides which call is which.
RETRY_MARGIN = 0.1  # seconds added to Telegram's retry_after, as AIORateLimiter does
MANY_GROUPS = 512  # above this many group windows, idle ones are dropped (as AIORateLimiter)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]
Group = int | str


class _Window:
    """A sliding window: at most ``max_rate`` grants in any ``period`` seconds."""

    def __init__(self, max_rate: float, period: float) -> None:
        self.max_rate, self.period = max_rate, period
        self.grants: deque[float] = deque()

    def free_at(self, now: float) -> float:
        """When the next grant fits: ``now`` if it fits now."""
        while self.grants and self.grants[0] + self.period <= now:
            self.grants.popleft()
        if len(self.grants) < self.max_rate:
            return now
        return self.grants[0] + self.period

    def idle(self, now: float) -> bool:
        return not self.grants or self.grants[-1] + self.period <= now


@dataclass(order=True, slots=True)
class _Waiter:
    priority: int
    seq: int
    group: Group | None = field(compare=False)
    granted: asyncio.Future[float] = field(compare=False)  # result: the time of the grant


class PeopleFirstRateLimiter(BaseRateLimiter[int]):
    """Telegram's flood limits, with replies to people served before bulk sends.

    ``rate_limit_args`` of every Bot method is the priority: :data:`PERSON` (default) or
    :data:`BULK`; lower numbers are served first. A limit of 0 (rate or period) switches
    that limit off, as in ``AIORateLimiter``. ``time`` is the clock in seconds (default: the
    running event loop's); timers sleep the differences it reports.
    """

    def __init__(
        self,
        overall_max_rate: float = constants.FloodLimit.MESSAGES_PER_SECOND,
        overall_time_period: float = 1,
        group_max_rate: float = constants.FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        group_time_period: float = 60,
        max_retries: int = 3,
        time: Callable[[], float] | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must not be negative")
        limited = overall_max_rate > 0 and overall_time_period > 0
        self._overall = _Window(overall_max_rate, overall_time_period) if limited else None
        self._pace = overall_time_period / overall_max_rate if limited else 0.0
        self._group_limit = (
            (group_max_rate, group_time_period)
            if group_max_rate > 0 and group_time_period > 0
            else None
        )
        self._whole = (overall_max_rate, self._group_limit)  # the budgets of all processes
        self._processes = 1
        self._groups: dict[Group, _Window] = {}
        self._max_retries = max_retries
        self._clock = time
        self._queue: list[_Waiter] = []
        self._arrivals = itertools.count()
        self._last_grant = -math.inf
        self._paused_until = -math.inf
        self._timer: asyncio.TimerHandle | None = None

    @property
    def processes(self) -> int:
        """Among how many bot processes the budgets are shared (see :meth:`share`)."""
        return self._processes

    def share(self, processes: int) -> None:
        """Keep to an equal share of the budgets, as one of ``processes`` bot processes.

        Telegram counts the calls of all processes of a bot together, and the processes do
        not know each other's calls: each keeps to ``1 / processes`` of the overall and of
        each group's budget, rounded down (at least one call per period). Calls waiting now
        are served by the new budgets.
        """
        processes = max(1, processes)
        self._processes = processes
        overall_rate, group_limit = self._whole
        if self._overall is not None:
            self._overall.max_rate = max(1.0, overall_rate // processes)
            self._pace = self._overall.period / self._overall.max_rate
        if group_limit is not None:
            rate, period = group_limit
            self._group_limit = (max(1.0, rate // processes), period)
            for window in self._groups.values():
                window.max_rate = self._group_limit[0]
        if self._queue:
            self._dispatch()

    async def initialize(self) -> None:
        """Nothing to set up: the state is created on first use."""

    async def shutdown(self) -> None:
        """Nothing to release: a timer is only pending while calls wait, and they are served."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Call ``callback`` once the budgets allow; retry after ``RetryAfter``."""
        priority = PERSON if rate_limit_args is None else rate_limit_args
        chat_id: Any = data.get("chat_id")
        # As AIORateLimiter: only calls with a chat_id count against the budgets. So
        # answerCallbackQuery, answerInlineQuery, getMe etc. are never throttled (only
        # paused after RetryAfter), and getUpdates never even reaches a rate limiter.
        limited = chat_id is not None
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # an integer id passed as a string
        # As AIORateLimiter: negative ids and "@username"s are groups, supergroups or
        # channels. (It also sends allow_paid_broadcast calls by a budget of their own;
        # the bot doesn't use them, so here they simply count like any other call.)
        is_group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        group = chat_id if is_group else None
        seq = next(self._arrivals)  # a retry keeps its place among its priority
        for attempt in range(self._max_retries + 1):
            if limited:
                await self._take_slot(_Waiter(priority, seq, group, self._new_future()))
            else:
                await self._sit_out_pause()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self._max_retries:
                    log.warning(
                        "%s: nach %s Wiederholungen weiterhin Flood-Control, Aufruf scheitert",
                        endpoint,
                        self._max_retries,
                    )
                    raise
                # The private timedelta, as AIORateLimiter reads it: the public
                # retry_after warns about its coming change of type on every read.
                pause = error._retry_after.total_seconds() + RETRY_MARGIN
                log.warning(
                    "%s: Flood-Control, alle Aufrufe pausieren %.1f s (Wiederholung %s von %s)",
                    endpoint,
                    pause,
                    attempt + 1,
                    self._max_retries,
                )
                self._paused_until = max(self._paused_until, self._now() + pause)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def _new_future(self) -> asyncio.Future[float]:
        return asyncio.get_running_loop().create_future()

    async def _sit_out_pause(self) -> None:
        left = self._paused_until - self._now()
        if left > 0:
            await asyncio.sleep(left)

    async def _take_slot(self, waiter: _Waiter) -> None:
        heapq.heappush(self._queue, waiter)
        self._dispatch()
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                self._rebook(waiter, None)  # granted, but cancelled before it could run
            # Not granted: its cancelled future stays in the heap until _dispatch drops it.
            self._dispatch()
            raise
        # The slot counts from now, when the call starts: a loop slow to wake the granted
        # calls must not let them start closer together than the budgets allow.
        self._rebook(waiter, self._now())

    def _dispatch(self) -> None:
        """Grant every slot that is free now, best waiter first; set a timer for the next."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = self._now()
        wake = self._paused_until if now < self._paused_until else math.inf
        blocked: list[_Waiter] = []  # waiting for their group's budget only
        while self._queue and now >= self._paused_until:
            waiter = self._queue[0]
            if waiter.granted.done():  # cancelled while waiting
                heapq.heappop(self._queue)
                continue
            overall_at = self._overall_free_at(waiter.priority, now)
            if overall_at > now:  # everyone behind it has to wait at least as long
                wake = min(wake, overall_at)
                break
            heapq.heappop(self._queue)
            group_at = self._group_free_at(waiter.group, now)
            if group_at > now:  # skipped, so that calls to other chats go ahead
                blocked.append(waiter)
                wake = min(wake, group_at)
                continue
            self._grant(waiter, now)
        for waiter in blocked:
            heapq.heappush(self._queue, waiter)
        if self._queue:
            self._timer = asyncio.get_running_loop().call_later(wake - now, self._dispatch)

    def _overall_free_at(self, priority: int, now: float) -> float:
        at = now if self._overall is None else self._overall.free_at(now)
        if priority > PERSON:
            at = max(at, self._last_grant + self._pace)
        return at

    def _group_free_at(self, group: Group | None, now: float) -> float:
        window = None if group is None else self._groups.get(group)
        return now if window is None else window.free_at(now)

    def _grant(self, waiter: _Waiter, now: float) -> None:
        if self._overall is not None:
            self._overall.grants.append(now)
        if waiter.group is not None and self._group_limit is not None:
            if waiter.group not in self._groups:
                if len(self._groups) > MANY_GROUPS:
                    self._groups = {k: w for k, w in self._groups.items() if not w.idle(now)}
                self._groups[waiter.group] = _Window(*self._group_limit)
            self._groups[waiter.group].grants.append(now)
        self._last_grant = now
        waiter.granted.set_result(now)

    def _rebook(self, waiter: _Waiter, start: float | None) -> None:
        """Move the waiter's grant from when it was granted to ``start``; None: drop it."""
        granted_at = waiter.granted.result()
        group = None if waiter.group is None else self._groups.get(waiter.group)
        for window in (self._overall, group):
            if window is not None:
                with contextlib.suppress(ValueError):  # gone already: it has expired
                    window.grants.remove(granted_at)
                if start is not None:  # not before any grant in the window: still sorted
                    window.grants.append(start)
        if start is not None:
            self._last_grant = max(self._last_grant, start)
