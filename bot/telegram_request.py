"""Calls to the Bot API that survive a hiccup: server errors and lost connections are retried.

python-telegram-bot retries nothing itself apart from its polling loop (and, with
``AIORateLimiter``, a 429 with ``retry_after``). When Telegram, or a proxy in front of it,
answers a call with 500/502/503/504, or the connection drops before an answer arrives,
the reply a person was waiting for would simply be gone until they act again.

So every call is repeated, a bounded number of times with a growing pause, when

* the answer was a server error (5xx), or
* no answer arrived (connection refused or dropped, or the answer took too long).

That includes sends: when an answer was lost, Telegram may have delivered the message
already, and repeating it can show it twice. For a person waiting for the next question a
message twice beats no message; the dialogue stays consistent either way, because every
button carries what it answers and typed text only answers a question that was shown.
``getUpdates`` is left to python-telegram-bot's polling loop, which retries it itself.

The answer of ``getUpdates`` is also handed to ``on_updates`` before python-telegram-bot
sees it, so that the updates are stored before they are confirmed (see
:mod:`storage.inbox`). If storing fails, the call counts as failed: the polling loop asks
again with the same offset, and Telegram sends the same updates again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger(__name__)

ATTEMPTS = 3  # in all; a call takes at most 1 + 2 s of pauses longer
FIRST_PAUSE = 1.0  # seconds, doubled after each further failure
READ_TIMEOUT = 5.0  # seconds for Telegram's answer (python-telegram-bot's default)
GET_UPDATES = "getUpdates"  # retried by python-telegram-bot's polling loop, not here
UpdatesHook = Callable[[bytes], Awaitable[None]]


class RetryingRequest(HTTPXRequest):
    """:class:`HTTPXRequest` that repeats calls after server errors and lost answers."""

    def __init__(self, *args: Any, on_updates: UpdatesHook | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("read_timeout", READ_TIMEOUT)
        super().__init__(*args, **kwargs)
        self.attempts, self.first_pause = ATTEMPTS, FIRST_PAUSE
        self.on_updates = on_updates

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        if name == GET_UPDATES:
            status, content = await super().do_request(url, method, request_data, *args, **kwargs)
            if status == 200 and self.on_updates is not None:
                try:
                    await self.on_updates(content)
                except Exception as error:
                    log.exception(
                        "Empfangene Updates nicht gespeichert; sie werden erneut abgerufen"
                    )
                    raise NetworkError("received updates not stored") from error
            return status, content
        pause = self.first_pause
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                status, content = await super().do_request(
                    url, method, request_data, *args, **kwargs
                )
            except (TimedOut, NetworkError) as error:
                if last or "Pool timeout" in str(error):  # not sent at all: the pool is full
                    raise
                log.warning("%s: keine Antwort (%s), Versuch %s", name, error, attempt + 1)
            else:
                if status < 500 or last:
                    return status, content
                log.warning("%s: Serverfehler %s, Versuch %s", name, status, attempt + 1)
            await asyncio.sleep(pause)
            pause *= 2
        raise AssertionError("unreachable")  # the last attempt returns or raises
