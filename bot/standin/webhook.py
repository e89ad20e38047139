"""Webhook delivery: while a webhook is set, the stand-in posts each update to the bot, as
Telegram does, instead of handing it out with ``getUpdates``.

Telegram posts to the public HTTPS address given in ``setWebhook``; on this machine a
reverse proxy would pass the request on to the bot's local server. The stand-in plays
that proxy too: :meth:`WebhookDelivery.route` names the local addresses, and with several
of them the updates go to each in turn (one bot behind a proxy that spreads requests).

Like Telegram with ``max_connections=1``, one update is in flight at a time, in order;
an update is confirmed by an answer with status 200 and otherwise posted again (to the
next address) after a pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass

import aiohttp

from .state import StandInState

RETRY_PAUSE = 0.1  # seconds before an update that was not confirmed is posted again
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Delivery:
    """One post of an update: where it went and the answer's status (None: no answer)."""

    update_id: int
    target: str
    status: int | None


class WebhookDelivery:
    def __init__(self, state: StandInState) -> None:
        self.state = state
        self.targets: list[str] = []
        self.deliveries: list[Delivery] = []
        self._turn = 0
        self._task: asyncio.Task[None] | None = None

    def route(self, *targets: str) -> None:
        """Pass what Telegram posts to the webhook on to these local addresses, in turn."""
        self.targets = list(targets)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._deliver(), name="stand-in webhook delivery")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver(self) -> None:
        state = self.state
        async with aiohttp.ClientSession() as client:
            while not state.closing:
                pending = sorted(state.pending, key=lambda u: (not u.redelivery, u.update_id))
                if not state.webhook_url or not self.targets or not pending:
                    await state.signal.wait(0.05)
                    continue
                update = pending[0]
                target = self.targets[self._turn % len(self.targets)]
                self._turn += 1
                status = await self._post(client, target, update.payload)
                self.deliveries.append(Delivery(update.update_id, target, status))
                if status == 200:
                    if update in state.pending:
                        state.pending.remove(update)
                    state.touch()
                else:
                    await asyncio.sleep(RETRY_PAUSE)

    async def _post(
        self, client: aiohttp.ClientSession, target: str, payload: dict[str, object]
    ) -> int | None:
        headers = {"Content-Type": "application/json"}
        if self.state.webhook_secret:
            headers[SECRET_HEADER] = self.state.webhook_secret
        try:
            async with client.post(
                target, data=json.dumps(payload), headers=headers, timeout=aiohttp.ClientTimeout(10)
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return None
