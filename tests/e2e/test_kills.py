"""The bot process is killed (SIGKILL) again and again while a contact reports.

After each kill the bot is started again, and the contact carries on as a person would:
they press the last button they saw once more, or send /bericht when nothing answers.
In the end every measure of the round is submitted exactly once, with the answers given,
and no draft is left. 20 kills in every run, 100 with ``--run-slow``; on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.render import texts
from bot.standin import BotApiStandIn, FakeUser
from seed.loader import load_catalogue
from storage.database import create_engine, session_factory
from storage.models import Notice, Office, Report, Role, Status, TargetAnswer, WeeklySummary
from storage.people import add_contact
from storage.reporting import Cadence, open_round
from storage.setup import init_database
from tests.conftest import own_postgres_database
from tests.e2e.test_cli_process import SCRIPT, environment

OFFICES = ("Flüchtlingskoordination", "Amt für soziale Leistungen")
MEASURES = 10  # of Karl's two offices
ROUND_DONE = ("Alle Maßnahmen dieser Runde sind berichtet.", "Alles berichtet, vielen Dank!")
ANSWER = "🟢 im Plan"
NOTE = "Läuft wie geplant."
NOT_STORED = texts.NOT_STORED_UNSEEN.split(":")[0]  # "Diese Nachricht habe ich nicht …"
TARGET_LINE = re.compile(r"^\S+ · .+ \(\d+/\d+\)$", re.MULTILINE)  # the target being asked
REPLY_WAIT = 3.0  # seconds a person waits for an answer before acting again


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database that a separate process can reach by its URL: a SQLite file, or a
    PostgreSQL database of its own, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    async with own_postgres_database() as url:
        yield url


async def prepare(url: str) -> None:
    """The Mainz plan, Karl as the contact of two offices, and a round open today."""
    engine = create_engine(url)
    await init_database(engine, load_catalogue())
    now = datetime.now(UTC)
    async with session_factory(engine)() as session, session.begin():
        offices = list(await session.scalars(select(Office).where(Office.name.in_(OFFICES))))
        await add_contact(
            session, telegram_user_id=1002, display_name="Karl Kontakt", role=Role.CONTACT,
            offices=offices, now=now - timedelta(days=1),
        )  # fmt: skip
        await open_round(session, today=now.date(), cadence=Cadence.MONTHLY, now=now)
    await engine.dispose()


class Bot:
    """The bot as a process of its own: ``monitoring-bot run``."""

    def __init__(self, env: dict[str, str], cwd: Path, standin: BotApiStandIn) -> None:
        self.env, self.cwd, self.standin = env, cwd, standin
        self.log = cwd / "bot.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        polls = len(self.standin.calls_to("getUpdates"))
        with self.log.open("ab") as log:  # every run's log, for a failure message
            self.process = await asyncio.create_subprocess_exec(
                SCRIPT, "run", env=self.env, cwd=self.cwd, stdout=log, stderr=log,
            )  # fmt: skip
        try:
            await self.standin.wait_until(
                lambda: len(self.standin.calls_to("getUpdates")) > polls, timeout=60
            )
        except AssertionError:
            ends = self.log.read_text(errors="replace")[-3000:]
            raise AssertionError(f"the bot did not start polling; its log ends:\n{ends}") from None

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), timeout=30)


class Person:
    """Karl: types a note where a status is asked, then presses it; then "Absenden"."""

    def __init__(self, standin: BotApiStandIn, user: FakeUser) -> None:
        self.standin, self.user = standin, user
        self.acted = asyncio.Event()
        self.steps = 0
        self.repeat: str | None = None  # the step to do again after getting no answer
        self.noted: set[str] = set()  # the targets ("III.2.1 · Mittelfristig (1/1)") noted
        self.noting: str | None = None  # the target of the note being typed
        # How long the bot must have said nothing more before Karl acts again: 0, he acts
        # at its first message (the kill test's Karl, quick); a person who reads the whole
        # reply first waits for a pause
        self.settle = 0.0

    def seen(self) -> int:
        """What the bot has shown Karl so far (new messages and edits)."""
        calls = [*self.standin.calls_to("sendMessage"), *self.standin.calls_to("editMessageText")]
        return sum(1 for call in calls if int(call.get("chat_id") or 0) == self.user.id)

    def transcript(self, last: int = 8) -> str:
        """The bot's last messages to Karl, with their buttons, for a failure message."""
        return "\n---\n".join(
            f"{m.plain_text} {m.buttons}{' (gelöscht)' if m.deleted else ''}"
            for m in self.standin.sent_messages(self.user.id)[-last:]
        )

    def done(self) -> bool:
        messages = self.standin.sent_messages(self.user.id)
        return bool(messages) and any(
            done in (messages[-1].plain_text or "") for done in ROUND_DONE
        )

    def next_step(self) -> str:
        """What a person does next: a label to press, a note to type, or /bericht."""
        for message in reversed(self.standin.sent_messages(self.user.id)):
            if message.deleted or not message.buttons:
                continue
            labels = [label for row in message.buttons for label in row]
            target = TARGET_LINE.search(message.plain_text or "")
            if ANSWER in labels and target is not None and target[0] not in self.noted:
                self.noting = target[0]
                return NOTE
            for wanted in ("Absenden", ANSWER, "Der Reihe nach"):
                if wanted in labels:
                    return wanted
            break
        return "/bericht"

    async def act(self) -> None:
        """One step, then wait for the bot to show something. Without an answer the person
        does the same again: types the same text, presses the same button."""
        before = self.seen()
        step = self.repeat or self.next_step()
        if step in (NOTE, "/bericht"):
            await self.standin.send_text(self.user, step)
        else:
            try:
                await self.standin.press_button(self.user, step)
            except AssertionError:  # the button went away meanwhile: start over
                await self.standin.send_text(self.user, "/bericht")
        self.steps += 1
        self.acted.set()
        try:
            await self.standin.wait_until(lambda: self.seen() > before, timeout=REPLY_WAIT)
            self.repeat = None
            if self.settle:
                await self.quiet()
        except AssertionError:  # no answer (the bot is down)
            self.repeat = None if self.repeat else step  # once again, then look anew
        if step == NOTE and self.noting is not None:
            # The bot may say the note was not stored, because the question had not reached
            # Karl as far as it knew (its process died, or another process had not yet
            # recorded the question's message): then he types it again, as people do.
            if not any(NOT_STORED in str(text) for text in self.texts_since(before)):
                self.noted.add(self.noting)
            self.noting = None

    async def quiet(self) -> None:
        """Until the bot has shown Karl nothing new for :attr:`settle` seconds."""
        seen = self.seen()
        while True:
            await asyncio.sleep(self.settle)
            if self.seen() == seen:
                return
            seen = self.seen()

    def texts_since(self, seen: int) -> list[object]:
        """The texts of the messages and edits the bot sent Karl after the first ``seen``."""
        shown = [
            call.params
            for call in self.standin.calls
            if call.method in ("sendMessage", "editMessageText")
            and int(call.params.get("chat_id") or 0) == self.user.id
        ]
        return [params.get("text") for params in shown[seen:]]

    async def report(self) -> None:
        while not self.done():
            await self.act()


async def sessions_of(url: str) -> str:
    """PostgreSQL's view of the database's sessions (what each waits for), for a failure."""
    if not url.startswith("postgresql"):
        return "–"
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = await connection.exec_driver_sql(
            "SELECT pid, state, wait_event_type, wait_event, left(query, 120) "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        lines = [" | ".join(str(value) for value in row) for row in rows]
    await engine.dispose()
    return "\n".join(lines)


async def submitted(
    url: str,
) -> tuple[list[int | None], int, set[tuple[Status | None, str | None]], list[str | None]]:
    """Versions per submitted report, drafts left, (status, note) of the answers, and how
    the figures given (Karl never typed any)."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        versions = list(
            await session.scalars(select(Report.version).where(Report.submitted_at.is_not(None)))
        )
        drafts = await session.scalar(
            select(func.count()).select_from(Report).where(Report.submitted_at.is_(None))
        )
        rows = await session.execute(
            select(TargetAnswer.status, TargetAnswer.note)
            .join(Report, Report.id == TargetAnswer.report_id)
            .where(Report.submitted_at.is_not(None))
        )
        statuses = {(status, note) for status, note in rows}
        figures = list(
            await session.scalars(
                select(Report.indicator_note).where(Report.indicator_note != "")  # "": skipped
            )
        )
    await engine.dispose()
    return versions, drafts or 0, statuses, figures


# The failures it found: typed text answering a question not shown; a repeated tap after
# a lost reply answered with silence for ever; a stale tap without a draft leading nowhere.
@pytest.mark.parametrize("kills", [20, pytest.param(100, marks=pytest.mark.slow)])
async def test_killed_again_and_again_nothing_lost_nothing_twice(
    standin: BotApiStandIn, tmp_path: Path, database_url: str, kills: int
) -> None:
    await prepare(database_url)
    env = environment(tmp_path, standin)
    env.update(DATABASE_URL=database_url, LOG_LEVEL="INFO")
    karl = Person(standin, standin.user(1002, "Karl", "Kontakt"))
    bot = Bot(env, tmp_path, standin)
    rng = random.Random(kills)
    killed = 0
    await bot.start()
    try:
        reporting = asyncio.create_task(karl.report())
        while killed < kills and not reporting.done():
            # right after one of Karl's steps: between fetching it and committing it, or
            # while the reply goes out
            karl.acted.clear()
            acted = asyncio.create_task(karl.acted.wait())
            await asyncio.wait({acted, reporting}, return_when=asyncio.FIRST_COMPLETED)
            acted.cancel()
            if reporting.done():
                break
            await asyncio.sleep(rng.uniform(0, 0.3))
            await bot.kill()
            killed += 1
            await bot.start()
        try:
            await asyncio.wait_for(reporting, timeout=150)
        except TimeoutError:
            log = bot.log.read_text(errors="replace")[-4000:]
            raise AssertionError(
                f"Karl is stuck; he saw last:\n{karl.transcript()}\nThe bot's log ends:\n{log}"
                f"\nDatabase sessions:\n{await sessions_of(database_url)}"
            ) from None
    finally:
        await bot.stop()

    versions, drafts, answers, figures = await submitted(database_url)
    seen = karl.transcript()
    # the report took long enough to be interrupted often (fewer kills on a busy machine:
    # the person goes on while the bot restarts)
    # (a step takes the bot some 30 ms, so Karl may take several between two kills)
    assert killed >= min(kills, 8), f"only {killed} kills"
    # each measure once: no second version, none missing
    assert versions == [1] * MEASURES, f"{versions}; Karl saw last:\n{seen}"
    assert drafts == 0, seen
    assert answers == {(Status.ON_TRACK, NOTE)}, seen  # every answer with its note
    assert figures == [], seen  # a note typed again never became the figures of the review


PEOPLE = 20  # at most, contacts told about the round that opens while the process is killed


async def prepare_opening(url: str) -> list[int]:
    """The Mainz plan and one contact for each of up to 20 offices, no round yet: the
    first tick opens one and tells them all. Their chat ids."""
    engine = create_engine(url)
    catalogue = load_catalogue()
    await init_database(engine, catalogue)
    responsible = list(
        dict.fromkeys(
            office
            for field in catalogue.fields
            for goal in field.goals
            for measure in goal.measures
            for office in measure.offices
        )
    )[:PEOPLE]
    now = datetime.now(UTC) - timedelta(days=1)
    chats = [3001 + number for number in range(len(responsible))]
    async with session_factory(engine)() as session, session.begin():
        for chat, name in zip(chats, responsible, strict=True):
            office = await session.scalar(select(Office).where(Office.name == name))
            await add_contact(
                session, telegram_user_id=chat, display_name=f"Person {chat}", role=Role.CONTACT,
                offices=[office] if office else [], now=now,
            )  # fmt: skip
    await engine.dispose()
    return chats


async def test_killed_while_a_round_opens_everyone_is_told(
    standin: BotApiStandIn, tmp_path: Path, database_url: str
) -> None:
    """SIGKILL in the middle of the opening broadcast, four times; in the end each person
    has the opening, and a message twice only where a kill fell between Telegram taking
    it and the database hearing so: after each kill, the chats that have the opening
    while its notice is not marked delivered may get it once more, no others, and a
    notice is marked delivered within moments of Telegram taking it (else a kill long
    after would still double it).

    The restarted bot sends what was lost at once: on SQLite it knows it is the only
    process; on PostgreSQL it sees that the process that claimed the notices has no
    connection any more.
    """
    chats = await prepare_opening(database_url)
    for chat in chats:
        standin.open_chat(standin.user(chat, "Person", str(chat)))
    env = environment(tmp_path, standin)
    # A weekly round due since Monday 00:00 whatever the day; no holidays to wait for.
    env.update(
        DATABASE_URL=database_url, LOG_LEVEL="INFO", REPORTING_CADENCE="weekly",
        WORKING_HOURS="00:00-23:59", HOLIDAYS="",
    )  # fmt: skip
    standin.delay("sendMessage", 0.05)  # a broadcast long enough to be interrupted

    def told() -> list[int]:
        return [
            sum(
                (m.plain_text or "").startswith("Neue Berichtsrunde bis")
                for m in standin.sent_messages(chat)
            )
            for chat in chats
        ]

    bot, rng, kills = Bot(env, tmp_path, standin), random.Random(7), 0
    may_repeat, arrived = Counter[int](), dict[int, float]()  # chat → its last copy's time

    async def watch() -> None:
        seen = told()
        while True:
            now, counts = time.monotonic(), told()
            arrived.update(
                (chat, now) for chat, old, new in zip(chats, seen, counts, strict=True) if new > old
            )
            seen = counts
            await asyncio.sleep(0.02)

    watcher = asyncio.create_task(watch())
    try:
        while kills < 4 and min(told()) == 0:
            before = sum(told())
            await bot.start()
            try:  # the first tick comes 5 s after the start
                await standin.wait_until(lambda: sum(told()) > before, timeout=30)  # noqa: B023
            except AssertionError:
                break  # nothing left to send
            await asyncio.sleep(rng.uniform(0, 0.4))
            await bot.kill()
            killed_at, kills = time.monotonic(), kills + 1
            await standin.until_idle(quiet=0.2)  # requests of the dead process answered
            known = await delivered(database_url)
            unknown = {chat for chat in arrived if chat not in known}
            # Telegram has these, the database does not know: they may come again, once;
            # each must have been on its way at the kill, not marked late or never
            may_repeat.update(unknown)
            late = {chat: killed_at - arrived[chat] for chat in unknown}
            assert all(age < IN_FLIGHT for age in late.values()), late
        if bot.process is None or bot.process.returncode is not None:
            await bot.start()
        await standin.wait_until(lambda: min(told()) >= 1, timeout=60)
        await asyncio.sleep(1)  # anything sent twice would show now
    finally:
        watcher.cancel()
        await bot.stop()
    counts = dict(zip(chats, told(), strict=True))
    assert kills >= 2, counts  # the broadcast was interrupted more than once
    assert min(counts.values()) == 1, counts
    assert {chat: n - 1 for chat, n in counts.items() if n - 1 > may_repeat[chat]} == {}, (
        counts,
        may_repeat,
    )


# How long after Telegram took a notice the database may still not know it (one commit;
# generous for a busy machine).
IN_FLIGHT = 3.0


async def delivered(url: str) -> set[int]:
    """The chats whose notices the database knows as delivered."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        chats = await session.scalars(
            select(Notice.chat_id).where(Notice.delivered_at.is_not(None))
        )
        found = {chat for chat in chats if chat is not None}
    await engine.dispose()
    return found


GROUP = -1001000000001


async def test_killed_while_the_summary_is_posted_each_part_once(
    standin: BotApiStandIn, tmp_path: Path, database_url: str
) -> None:
    """SIGKILL while the weekly summary goes out part by part, up to three times; the
    restarted bot goes on with the next part at once (its predecessor is known to be
    gone), so in the end every part is in the group, and one twice only where a kill fell
    between Telegram taking it and the database hearing so."""
    await prepare(database_url)
    standin.group(GROUP, "Koordinierungsgruppe Integration")
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin"))
    env = environment(tmp_path, standin)
    env.update(
        DATABASE_URL=database_url, LOG_LEVEL="INFO", COORDINATION_CHAT_ID=str(GROUP),
        SUMMARY_WEEKDAY=str(today.isoweekday()), SUMMARY_TIME="00:00",
    )  # fmt: skip
    for method in ("sendMessage", "sendPhoto"):
        standin.delay(method, 0.3)  # a summary slow enough to be interrupted

    def parts() -> list[str]:
        return [
            m.kind if m.kind == "photo" else (m.plain_text or "")
            for m in standin.sent_messages(GROUP)
        ]

    bot, rng, kills = Bot(env, tmp_path, standin), random.Random(3), 0
    try:
        while kills < 3 and "photo" not in parts():
            before = len(parts())
            await bot.start()
            try:  # the first tick comes 5 s after the start
                await standin.wait_until(lambda: len(parts()) > before, timeout=30)  # noqa: B023
            except AssertionError:
                break
            if "photo" in parts():
                break
            await asyncio.sleep(rng.uniform(0, 0.3))
            await bot.kill()
            kills += 1
        if bot.process is None or bot.process.returncode is not None:
            await bot.start()
        await standin.wait_until(lambda: "photo" in parts(), timeout=60)
        await asyncio.sleep(1)  # anything sent twice would show now
    finally:
        await bot.stop()
    posted = parts()
    assert kills >= 1, posted  # interrupted at least once
    assert posted[0].startswith("Wochenzusammenfassung"), posted
    assert posted[-1] == "photo", posted
    assert len(posted) - len(set(posted)) <= kills, posted
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        row = await session.scalar(select(WeeklySummary))
    await engine.dispose()
    assert row is not None
    assert row.posted_at is not None
    assert row.parts_sent == len(set(posted)), posted
