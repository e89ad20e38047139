"""Two bot processes on one PostgreSQL database behind one webhook behave as one bot.

The stand-in plays Telegram and the reverse proxy: it posts each update to the two
processes in turn, so the updates of one person alternate between them. Both run the
schedule too. One person's dialogue still goes question after question, each contact gets
the round's opening once, and the coordination group gets each message once.

The person waits for the bot's answer before the next step, as people do. One who acts
again without waiting (here: after 3 s without an answer on a busy machine) may have the
second step handled first, by the other process: across processes the order rests on
Telegram posting one update at a time and on the lock per chat, not on a line per chat.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.standin import BotApiStandIn
from storage.models import Status
from tests.conftest import own_postgres_database
from tests.e2e import test_kills
from tests.e2e.conftest import free_port
from tests.e2e.test_cli_process import SCRIPT, environment
from tests.e2e.test_kills import NOTE, Person, prepare_opening, submitted

pytestmark = pytest.mark.postgres

GROUP = -1001000000001
PUBLIC_URL = "https://bot.example.org/telegram"
OPENING = "Neue Berichtsrunde bis"
PATIENCE = 20.0  # seconds the person waits for an answer before acting again
# The person reads the whole reply before acting (the bot said nothing more for this long):
# acting at a reply's first message, before the bot is through with the last action, sends
# two updates of the chat at once to two processes, which keep them apart but not in order
# (README, "Mehrere Prozesse")
SETTLE = 0.3


class Process:
    """``monitoring-bot run --webhook`` on a port of its own."""

    def __init__(self, env: dict[str, str], cwd: Path, name: str) -> None:
        self.port = free_port()
        self.env = {**env, "WEBHOOK_PORT": str(self.port)}
        self.cwd, self.log = cwd, cwd / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                SCRIPT, "run", "--webhook", PUBLIC_URL,
                env=self.env, cwd=self.cwd, stdout=log, stderr=log,
            )  # fmt: skip

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), timeout=30)


async def test_two_processes_behind_one_webhook_act_as_one_bot(
    standin: BotApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(test_kills, "REPLY_WAIT", PATIENCE)
    async with own_postgres_database() as url:
        chats = await prepare_opening(url)  # 20 contacts, no round: the first tick opens one
        for chat in chats:
            standin.open_chat(standin.user(chat, "Person", str(chat)))
        standin.group(GROUP, "Koordinierungsgruppe Integration")
        today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin"))
        env = environment(tmp_path, standin)
        env.update(
            DATABASE_URL=url, LOG_LEVEL="INFO", COORDINATION_CHAT_ID=str(GROUP),
            REPORTING_CADENCE="weekly", WORKING_HOURS="00:00-23:59", HOLIDAYS="",
            SUMMARY_WEEKDAY=str(today.isoweekday()), SUMMARY_TIME="00:00",
            WEBHOOK_SECRET="zwei-prozesse-ein-bot",
        )  # fmt: skip
        processes = [Process(env, tmp_path, "erster"), Process(env, tmp_path, "zweiter")]
        standin.webhook.route(*(process.local_url for process in processes))
        try:
            await asyncio.gather(*(process.start() for process in processes))
            await standin.wait_until(lambda: len(standin.calls_to("setWebhook")) == 2, timeout=60)

            def told() -> list[int]:
                return [
                    sum((m.plain_text or "").startswith(OPENING) for m in standin.sent_messages(c))
                    for c in chats
                ]

            def summaries() -> int:
                return sum(
                    (m.plain_text or "").startswith("Wochenzusammenfassung")
                    for m in standin.sent_messages(GROUP)
                )

            await standin.wait_until(lambda: min(told()) >= 1 and summaries() >= 1, timeout=60)

            person = Person(standin, standin.user(chats[0], "Person", str(chats[0])))
            person.settle = SETTLE
            await asyncio.wait_for(person.report(), timeout=120)
            await asyncio.sleep(2)  # time for anything sent twice to show
        except BaseException:
            for process in processes:
                print(process.log.read_text(errors="replace")[-3000:])
            raise
        finally:
            for process in processes:
                await process.stop()

        # Telegram counts the calls of both: each kept to half of the budget
        for process in processes:
            assert "2 Bot-Prozesse teilen sich Telegrams Budget" in process.log.read_text()
        assert told() == [1] * len(chats)
        assert summaries() == 1
        group_texts = Counter(m.plain_text for m in standin.sent_messages(GROUP))
        assert [text for text, times in group_texts.items() if times > 1] == []
        # the person's updates went to both processes, and each was taken once
        targets = Counter(d.target for d in standin.webhook.deliveries if d.status == 200)
        assert set(targets) == {process.local_url for process in processes}
        versions, drafts, answers, _figures = await submitted(url)
        seen = person.transcript()
        assert versions, seen
        assert set(versions) == {1}, seen
        assert drafts == 0, seen
        assert answers == {(Status.ON_TRACK, NOTE)}, seen
