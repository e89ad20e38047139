"""PeopleFirstRateLimiter, driven directly with a fake Bot API call that records what ran when.

Budgets are small (a few calls per tenth of a second), so each test runs in about a second.
The tests assert order and counts; times are read with the limiter's own clock (the event
loop's), and only as lower bounds the limiter guarantees or generous upper bounds.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from telegram.error import BadRequest, RetryAfter

from bot.rate_limit import RETRY_MARGIN, Callback, PeopleFirstRateLimiter, Result
from conversations.framework import BULK, PERSON

# A call is recorded when it starts, a moment after its grant: spacings may look this much
# shorter than the limiter made them.
SLACK = 1e-3


class FakeApi:
    """Records each call by name with its start time; hooks and failures per name."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []
        self.hooks: dict[str, Callable[[], None]] = {}  # run (once) when the call starts
        self.failures: dict[str, list[Exception]] = {}  # raised by the call, one per attempt

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def times(self, prefix: str = "") -> list[float]:
        return [time for name, time in self.calls if name.startswith(prefix)]

    def callback(self, name: str) -> Callback:
        async def call() -> Result:
            self.calls.append((name, asyncio.get_running_loop().time()))
            if name in self.hooks:
                self.hooks.pop(name)()
            if self.failures.get(name):
                raise self.failures[name].pop(0)
            return True

        return call


def request(
    limiter: PeopleFirstRateLimiter,
    api: FakeApi,
    name: str,
    data: dict[str, Any],
    priority: int | None = None,
    endpoint: str = "sendMessage",
) -> asyncio.Task[Result]:
    call = limiter.process_request(api.callback(name), (), {}, endpoint, data, priority)
    return asyncio.create_task(call)


def send(
    limiter: PeopleFirstRateLimiter,
    api: FakeApi,
    name: str,
    chat_id: int | str,
    priority: int | None = None,
) -> asyncio.Task[Result]:
    return request(limiter, api, name, {"chat_id": chat_id, "text": name}, priority)


def within_window(times: list[float], max_rate: int, period: float) -> bool:
    """No more than ``max_rate`` of the (sorted) times in any ``period``."""
    return all(
        later - earlier >= period - SLACK
        for earlier, later in zip(times, times[max_rate:], strict=False)
    )


async def test_a_person_goes_ahead_of_a_bulk_backlog() -> None:
    limiter = PeopleFirstRateLimiter(overall_max_rate=10, overall_time_period=0.2)
    api = FakeApi()
    person: list[asyncio.Task[Result]] = []
    # rate_limit_args=None: a person, the default
    api.hooks["bulk-10"] = lambda: person.append(send(limiter, api, "person", chat_id=999))
    bulk = [send(limiter, api, f"bulk-{n}", chat_id=n + 1, priority=BULK) for n in range(40)]
    async with asyncio.timeout(10):
        await asyncio.gather(*bulk)
        await person[0]
    names = api.names()
    assert len(names) == 41
    # It arrived while bulk-10 was running, 29 bulk calls still waiting; at most the one
    # bulk call whose slot was just due may go before it.
    assert names.index("person") <= names.index("bulk-10") + 2


async def test_by_priority_then_first_come_first_served() -> None:
    limiter = PeopleFirstRateLimiter(overall_max_rate=5, overall_time_period=0.1)
    api = FakeApi()
    bulk = [f"bulk-{n}" for n in range(12)]
    people = [f"person-{n}" for n in range(12)]
    tasks = [send(limiter, api, name, chat_id=n + 1, priority=BULK) for n, name in enumerate(bulk)]
    tasks += [
        send(limiter, api, name, chat_id=n + 1, priority=PERSON) for n, name in enumerate(people)
    ]
    async with asyncio.timeout(10):
        await asyncio.gather(*tasks)
    # bulk-0 was granted on arrival; the next bulk call had to wait for its paced slot, and
    # meanwhile the people arrived
    assert api.names() == [bulk[0], *people, *bulk[1:]]


async def test_the_overall_window_is_never_exceeded() -> None:
    limiter = PeopleFirstRateLimiter(overall_max_rate=10, overall_time_period=0.2)
    api = FakeApi()
    tasks = []
    for n in range(60):
        priority = BULK if n % 3 == 0 else PERSON
        tasks.append(send(limiter, api, f"call-{n}", chat_id=n + 1, priority=priority))
        if n % 7 == 0:
            await asyncio.sleep(0.03)
    async with asyncio.timeout(10):
        await asyncio.gather(*tasks)
    assert Counter(api.names()) == Counter(f"call-{n}" for n in range(60))
    assert within_window(api.times(), max_rate=10, period=0.2)


async def test_a_share_of_the_budgets_for_each_of_several_processes() -> None:
    limiter = PeopleFirstRateLimiter(
        overall_max_rate=10, overall_time_period=0.2, group_max_rate=4, group_time_period=0.4
    )
    api = FakeApi()
    first = [send(limiter, api, f"first-{n}", chat_id=n + 1) for n in range(20)]
    limiter.share(2)  # the calls waiting already keep to the share too
    assert limiter.processes == 2
    later = [send(limiter, api, f"later-{n}", chat_id=n + 1, priority=BULK) for n in range(10)]
    group = [send(limiter, api, f"group-{n}", chat_id=-100) for n in range(4)]
    async with asyncio.timeout(10):
        await asyncio.gather(*first, *later, *group)
    assert len(api.names()) == 34
    # the ten granted at once before the share count against it; from then on five a period
    assert within_window(api.times()[10:], max_rate=5, period=0.2)
    assert within_window(api.times("group-"), max_rate=2, period=0.4)
    assert not within_window(api.times("group-"), max_rate=1, period=0.4)  # not less either

    limiter.share(1)  # the other process is gone: the whole budget again
    await asyncio.sleep(0.2)  # the window empty
    again = [send(limiter, api, f"again-{n}", chat_id=n + 1) for n in range(10)]
    async with asyncio.timeout(10):
        await asyncio.gather(*again)
    assert max(api.times("again-")) - min(api.times("again-")) < 0.2 - SLACK  # all ten at once


async def test_a_broadcast_goes_out_evenly_at_the_full_rate() -> None:
    limiter = PeopleFirstRateLimiter(overall_max_rate=10, overall_time_period=0.5)
    api = FakeApi()
    tasks = [send(limiter, api, f"bulk-{n}", chat_id=n + 1, priority=BULK) for n in range(20)]
    async with asyncio.timeout(10):
        await asyncio.gather(*tasks)
    times = api.times()
    pace = 0.5 / 10
    assert min(later - earlier for earlier, later in itertools.pairwise(times)) >= pace - SLACK
    # the budget isn't wasted: 19 paces after the first, with generous room for a busy machine
    assert times[-1] - times[0] < 19 * pace * 1.5


async def test_a_saturated_group_does_not_hold_up_other_chats() -> None:
    limiter = PeopleFirstRateLimiter(
        overall_max_rate=100, overall_time_period=0.2, group_max_rate=3, group_time_period=0.4
    )
    api = FakeApi()
    # "-100" is the same group as -100
    tasks = [send(limiter, api, f"group-{n}", chat_id=-100 if n % 2 else "-100") for n in range(7)]
    tasks.append(send(limiter, api, "channel", chat_id="@kanal"))
    tasks.append(send(limiter, api, "private", chat_id=42))
    async with asyncio.timeout(10):
        await asyncio.gather(*tasks)
    names = api.names()
    assert len(names) == 9
    # group-3 waits for the group's next slot, the others go ahead of it
    assert names.index("private") < names.index("group-3")
    assert names.index("channel") < names.index("group-3")
    assert len(api.times("group-")) == 7
    assert within_window(api.times("group-"), max_rate=3, period=0.4)


async def test_retry_after_pauses_all_calls_and_retries() -> None:
    limiter = PeopleFirstRateLimiter()
    api = FakeApi()
    api.failures["flooded"] = [RetryAfter(dt.timedelta(seconds=0.2))]
    others: list[asyncio.Task[Result]] = []
    api.hooks["flooded"] = lambda: others.extend(
        [
            send(limiter, api, "other chat", chat_id=2),
            request(
                limiter, api, "answer", {"callback_query_id": "7"}, None, "answerCallbackQuery"
            ),
        ]
    )
    async with asyncio.timeout(10):
        assert await send(limiter, api, "flooded", chat_id=1) is True
        await asyncio.gather(*others)
    assert Counter(api.names()) == {"flooded": 2, "other chat": 1, "answer": 1}
    (_, failed_at), *later = api.calls
    assert all(time - failed_at >= 0.2 + RETRY_MARGIN - SLACK for _, time in later)


@pytest.mark.parametrize("max_retries", [0, 2])
async def test_retry_after_is_raised_after_max_retries(max_retries: int) -> None:
    limiter = PeopleFirstRateLimiter(max_retries=max_retries)
    api = FakeApi()
    api.failures["flooded"] = [RetryAfter(dt.timedelta(seconds=0.01)) for _ in range(5)]
    with pytest.raises(RetryAfter):
        await send(limiter, api, "flooded", chat_id=1)
    assert api.names() == ["flooded"] * (max_retries + 1)


async def test_other_errors_pass_through_unchanged() -> None:
    limiter = PeopleFirstRateLimiter()
    api = FakeApi()
    error = BadRequest("Message is too long")
    api.failures["bad"] = [error]
    with pytest.raises(BadRequest) as caught:
        await send(limiter, api, "bad", chat_id=1)
    assert caught.value is error
    assert await send(limiter, api, "next", chat_id=1) is True
    assert api.names() == ["bad", "next"]


async def test_a_cancelled_waiter_leaves_its_slot_to_the_next() -> None:
    limiter = PeopleFirstRateLimiter(overall_max_rate=1, overall_time_period=0.6)
    api = FakeApi()
    first = send(limiter, api, "first", chat_id=1)
    cancelled = send(limiter, api, "cancelled", chat_id=2)
    last = send(limiter, api, "last", chat_id=3)
    await first  # the other two are waiting now
    await asyncio.sleep(0.3)
    cancelled.cancel()
    async with asyncio.timeout(10):
        assert await last is True
    assert cancelled.cancelled()
    assert api.names() == ["first", "last"]
    # the next slot (0.6 s after the first); a slot taken by the cancelled call would last
    # from 0.3 s to 0.9 s
    first_at, last_at = api.times()
    assert last_at - first_at < 0.75


async def test_a_call_cancelled_right_after_its_grant_returns_the_slot() -> None:
    now = [0.0]  # the limiter's clock, moved by hand
    limiter = PeopleFirstRateLimiter(
        overall_max_rate=1, overall_time_period=10, time=lambda: now[0]
    )
    api = FakeApi()
    assert await send(limiter, api, "first", chat_id=1) is True
    granted = send(limiter, api, "granted", chat_id=2)
    await asyncio.sleep(0)  # waiting: the window is full until 10
    now[0] = 10.0
    after = send(limiter, api, "after", chat_id=3)
    await asyncio.sleep(0)  # "after" arrives and grants "granted" its slot; that hasn't run yet
    granted.cancel()
    async with asyncio.timeout(1):  # without the slot returned: 10 s
        assert await after is True
    assert granted.cancelled()
    assert api.names() == ["first", "after"]


async def test_calls_without_a_chat_are_not_throttled() -> None:
    limiter = PeopleFirstRateLimiter(overall_max_rate=1, overall_time_period=10)
    api = FakeApi()
    assert await send(limiter, api, "message", chat_id=1) is True
    waiting = send(limiter, api, "waiting", chat_id=2)  # its slot frees in 10 s
    exempt: dict[str, dict[str, Any]] = {
        "answerCallbackQuery": {"callback_query_id": "7"},
        "answerInlineQuery": {"inline_query_id": "8", "results": []},
        "getMe": {},
    }
    async with asyncio.timeout(1):
        for endpoint, data in exempt.items():
            assert await request(limiter, api, endpoint, data, BULK, endpoint) is True
    assert not waiting.done()
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    assert api.names() == ["message", *exempt]
