"""Load benchmark: many people report at once, the real bot against a minimal one (prints figures).

    .venv/bin/python -m tests.benchmarks.load [--people 200]
        [--mode below|limit|broadcast|webhook] [--seconds 60]
        [--database postgresql+asyncpg://postgres@127.0.0.1:5432/test] [--profile FILE]

The real bot runs as a process of its own (``monitoring-bot run``, configured by
environment variables as in ``tests/e2e/test_kills.py``) against the Bot API stand-in,
which runs in this process's event loop together with the simulated people. Each person
is a contact of one or two offices of the Mainz plan (so about ``people / 19`` share an
office: a measure a colleague submitted first drops out of "Der Reihe nach", one they
both had open gets a second version), with a round open since yesterday. They report as
``tests/e2e/test_kills.Person`` does, without notes: /bericht, "Der Reihe nach", "🟢 im
Plan" for every target, "Absenden", and so on until the round is done.

Then, in the same run, the same people do the same number and kinds of actions (typed
text where they typed, a button where they pressed one), with the same thinking times,
against a minimal python-telegram-bot bot (:mod:`tests.benchmarks.minimal_bot`: every
message answered with a message with two buttons, every press with answerCallbackQuery
and an edit; long polling, updates one at a time and ``AIORateLimiter`` as in the bot).

Modes:

* ``below``: a person thinks 6–10 s (at random) between getting a reply and acting again,
  and starts within the first 10 s;
* ``limit``: no thinking: each person acts as soon as the whole reply is there;
* ``broadcast``: like ``below``, and half-way through ``--seconds`` a coordinator opens
  the next round through /runde, which tells 1,000 further contacts (with open chats) and
  the reporting people themselves. The people go on in the new round (an answer to a
  question of the closed round is "nicht mehr aktuell"; a person who was done reports
  again after the opening message). The run lasts at least until the last opening
  message went out. The minimal bot has no broadcast: its column is the same actions
  without one.
* ``webhook``: like ``limit``, but the real bot is two processes (``monitoring-bot run
  --webhook``, each on a local port of its own) on one PostgreSQL database, and the
  stand-in plays Telegram and the reverse proxy in front of them: it posts each update to
  the two processes in turn, one at a time (as ``tests/e2e/test_two_processes.py``).
  Without ``--database`` it uses the PostgreSQL server at :data:`WEBHOOK_DATABASE`. The
  minimal bot is still one process with long polling. The webhook's deliveries (to which
  process, answered with 200 or not) are printed.

Measured phase: from the first action until every person finished the round or
``--seconds`` (default 60) passed, whichever comes first; an action begun before then is
waited for (at most :data:`REPLY_TIMEOUT`). Against the minimal bot the people do the
same actions however long that takes.

The figures:

* actions per second: actions / (last reply - first action);
* reply latency: from the moment the stand-in queued a person's update to the first
  message or edit the bot sent into that person's chat, stamped where the stand-in
  records the call (exact, no polling; see :mod:`tests.benchmarks.load_people`);
  a round's opening message is no reply. "Whole reply": until the person has the buttons
  to go on (the real bot's answer to a press is one edit: the question turns into the
  next one);
* CPU per action: utime + stime of the bot process (/proc/<pid>/stat) over the phase,
  of both processes together in the webhook mode;
* peak memory: VmHWM of each bot process (/proc/<pid>/status) at the end;
* rate-limited calls: every call but those in
  :data:`tests.benchmarks.load_people.NOT_RATE_LIMITED` (getUpdates, getMe,
  answerCallbackQuery, the command menus and descriptions, getFile, getChat, webhooks);
* for the real bot: every answer stored exactly once. What a person saw the bot take
  (the line "Stand: 🟢 im Plan" above the next question or the review after the last
  target, "✅ … abgesendet (Version n)") is
  compared with the database afterwards, person by person: answers "im Plan" given by
  a press (``answered_at`` after the draft was created; a draft copied from a
  colleague's submission starts with answers nobody pressed), submitted reports, and no
  report of the same round, measure, office and author submitted twice.

Targets: below the limit, p95 ≤ 2× minimal and CPU/action ≤ 2× minimal; at the limit,
rate-limited calls ≥ 90 % of the budget of 30/s with p95 < 2 s; peak memory < 150 MB per
process; during a broadcast, no reporting person waits more than 1 s for a reply (the
longest reply latency of an action queued while the opening messages went out).

Mind the shape of the load. People acting every 8 s on average offer ``people / 8``
actions per second (25 for 200), and the real bot makes about 1.6 rate-limited calls per
action, the minimal one 1: with 200 people "below" is already over the budget of 30/s for
the real bot (the line "offered" says by how much). Without thinking time every person
waits for the others: by Little's law a reply takes at least ``people / (30 / calls per
action)`` seconds on average, for any bot (6.7 s for 200 people and one call per action).

The machine has two cores, and the stand-in and all the people run in this process: its
own CPU use is printed too (a busy benchmark loop adds to every latency), and so is the
machine's load average (other work on the machine skews the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import pstats
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.standin import BotApiStandIn
from seed.loader import load_catalogue
from storage.database import create_engine, session_factory
from storage.models import Contact, Office, Report, Role, Status, TargetAnswer
from storage.people import add_contact
from storage.reporting import Cadence, open_round
from storage.setup import init_database
from tests.benchmarks.load_people import (
    NOT_RATE_LIMITED,
    Action,
    Coordinator,
    Observer,
    Person,
    Repeater,
    Reporter,
)
from tests.conftest import own_postgres_database
from tests.e2e.conftest import free_port
from tests.environment import without_settings

TOKEN = "7000000003:AALoadBenchmarkTokenNeverLogged_0123456"
SCRIPT = str(Path(sys.executable).parent / "monitoring-bot")
ROOT = Path(__file__).resolve().parents[2]  # where ``python -m tests.benchmarks…`` runs
FIRST_PERSON = 100_001  # Telegram ids of the reporting people
FIRST_EXTRA = 500_001  # of the further contacts told in a broadcast
PROFILE_LINES = 40  # of --profile's statistics printed
COORDINATOR = 90_001
EXTRA_CONTACTS = 1_000
THINK = (6.0, 10.0)  # seconds between a reply and the next action, below the limit
REPLY_TIMEOUT = 120.0  # seconds a person waits for the whole reply before going on
BROADCAST_TIMEOUT = 600.0  # seconds for all opening messages to go out
BUDGET = 30.0  # rate-limited calls per second (Telegram's overall limit, AIORateLimiter's)
MEMORY_LIMIT = 150.0  # MB per process
WEBHOOK_PROCESSES = 2  # of the real bot in the webhook mode
WEBHOOK_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"  # its default server
PUBLIC_URL = "https://bot.example.org/telegram"  # the webhook as Telegram knows it
WEBHOOK_SECRET = "load-benchmark-webhook-secret"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Mode:
    """How the people behave, and how the real bot is deployed."""

    name: str
    think: tuple[float, float] | None  # None: act at once
    broadcast: bool = False
    webhook: bool = False  # two processes behind a webhook (else one, long polling)
    description: str = ""

    @property
    def processes(self) -> int:
        """How many processes the real bot runs as."""
        return WEBHOOK_PROCESSES if self.webhook else 1


MODES = {
    mode.name: mode
    for mode in (
        Mode("below", THINK, description="people think 6–10 s between actions"),
        Mode("limit", None, description="people act as soon as the reply is there"),
        Mode(
            "broadcast",
            THINK,
            broadcast=True,
            description="like below; half-way a round opens to 1,000 further contacts",
        ),
        Mode(
            "webhook",
            None,
            webhook=True,
            description="two bot processes behind webhooks, PostgreSQL; people act at once",
        ),
    )
}


# --- processes -----------------------------------------------------------------------------------


class BotProcess:
    """A bot as a process of its own, with its CPU time and peak memory from /proc.

    It takes its updates by long polling, or with a ``port`` from a webhook: a local
    server there, to which the stand-in posts them (see :meth:`local_url`).
    ``label`` names it in the figures, ``name`` its log file.
    """

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        env: dict[str, str],
        cwd: Path,
        *,
        label: str,
        port: int | None = None,
    ) -> None:
        self.name, self.command, self.env, self.cwd = name, list(command), env, cwd
        self.label, self.port = label, port
        self.log = cwd / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def local_url(self) -> str:
        """Where the reverse proxy (the stand-in) posts the updates for this process."""
        assert self.port is not None, f"{self.name} polls, it has no webhook"
        return f"http://127.0.0.1:{self.port}/telegram"

    def started(self, standin: BotApiStandIn, observer: Observer) -> Callable[[], bool]:
        """Whether the process has started taking updates since this was called: it
        polled, or it set its webhook."""
        if self.port is None:
            polls = observer.polls()
            return lambda: observer.polls() > polls
        webhooks = len(standin.calls_to("setWebhook"))
        return lambda: len(standin.calls_to("setWebhook")) > webhooks

    async def start(self, standin: BotApiStandIn, observer: Observer) -> None:
        started = self.started(standin, observer)
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.command, env=self.env, cwd=self.cwd, stdout=log, stderr=log
            )
        try:
            await standin.wait_until(started, timeout=60)
            await standin.until_idle(timeout=30)
        except AssertionError:
            ends = self.log.read_text(errors="replace")[-3000:]
            how = "polling" if self.port is None else "its webhook"
            raise RuntimeError(f"{self.name} did not start {how}; its log ends:\n{ends}") from None

    def log_problems(self) -> str:
        """How many warnings and errors the process logged."""
        lines = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        warnings = sum(1 for line in lines if " WARNING " in line)
        errors = sum(1 for line in lines if " ERROR " in line or "Traceback" in line)
        return f"{errors} errors, {warnings} warnings"

    def cpu_seconds(self) -> float:
        """utime + stime so far (fields 14 and 15 of /proc/<pid>/stat)."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def peak_mb(self) -> float:
        """VmHWM: the peak resident memory so far."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return math.nan

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def bot_environment(standin: BotApiStandIn, url: str, directory: Path) -> dict[str, str]:
    """As ``tests/e2e/test_cli_process.environment``: no setting of the developer's."""
    env = without_settings(dict(os.environ))
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=standin.base_url,
        DATABASE_URL=url,
        DATA_DIR=str(directory / "daten"),
        LOG_LEVEL="INFO",
        AUTO_ROUNDS="false",  # the round is opened by the benchmark (or the coordinator)
    )
    return env


def profiles(profile: Path, count: int) -> list[Path]:
    """Where each of ``count`` processes profiled into ``profile`` keeps its statistics:
    there for one, else ``FILE-1``, ``FILE-2`` … (before the suffix)."""
    if count == 1:
        return [profile]
    return [profile.with_name(f"{profile.stem}-{n}{profile.suffix}") for n in range(1, count + 1)]


def start_real_bots(
    mode: Mode, standin: BotApiStandIn, url: str, directory: Path, profile: Path | None = None
) -> list[BotProcess]:
    """The real bot's processes for ``mode``, to be started: one polling, or in the
    webhook mode two behind the webhook, each on a free local port, which the stand-in
    (as the reverse proxy) posts the updates to in turn. With ``profile``, each runs under
    cProfile, which writes its statistics there (see :func:`profiles`) at exit."""
    env = bot_environment(standin, url, directory)
    command = [SCRIPT, "run"]
    files = profiles(profile, mode.processes) if profile is not None else []

    def profiled(number: int) -> list[str]:
        if not files:
            return command
        return [sys.executable, "-m", "cProfile", "-o", str(files[number - 1]), *command]

    if not mode.webhook:
        return [BotProcess("bot", profiled(1), env, directory, label="real bot")]
    env.update(WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_SECRET=WEBHOOK_SECRET)
    command += ["--webhook", PUBLIC_URL]
    ports: list[int] = []
    while len(ports) < mode.processes:
        if (port := free_port()) not in ports:
            ports.append(port)
    processes = [
        BotProcess(
            f"bot-{number}",
            profiled(number),
            {**env, "WEBHOOK_PORT": str(port)},
            directory,
            label=f"real bot {number}",
            port=port,
        )
        for number, port in enumerate(ports, start=1)
    ]
    standin.webhook.route(*(process.local_url for process in processes))
    return processes


def start_minimal_bot(standin: BotApiStandIn, directory: Path) -> BotProcess:
    env = without_settings(dict(os.environ))
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=standin.base_url)
    command = [sys.executable, "-m", "tests.benchmarks.minimal_bot"]
    process = BotProcess("minimal_bot", command, env, directory, label="minimal bot")
    process.cwd = ROOT  # for ``-m``; its log still goes to the temporary directory
    return process


def code_state() -> str:
    """Which code the bots run: the checkout this package comes from, its commit and how
    many files of the bot differ from it (the figures of a tree being changed)."""
    import bot

    root = Path(bot.__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        changed = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "bot", "conversations", "storage"],
            capture_output=True, text=True, check=True,
        ).stdout.splitlines()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return f"{root} (no git checkout)"
    return f"{root} at {commit}" + (f", {len(changed)} files of the bot changed" if changed else "")


# --- database ------------------------------------------------------------------------------------


@asynccontextmanager
async def own_database(url: str | None, directory: Path) -> AsyncIterator[str]:
    """A SQLite file in ``directory``, or a new PostgreSQL database of our own on the
    server of ``url`` (dropped afterwards; nothing else there is touched)."""
    if url is None:
        yield f"sqlite+aiosqlite:///{directory / 'load.sqlite3'}"
        return
    async with own_postgres_database(url, prefix="load") as own:
        yield own


def reporting_offices() -> list[str]:
    """The offices of the Mainz plan that have measures to report on, in plan order."""
    catalogue = load_catalogue()
    names = (
        office
        for area in catalogue.fields
        for goal in area.goals
        for measure in goal.measures
        for office in measure.offices
    )
    return list(dict.fromkeys(names))


def offices_of(number: int, offices: Sequence[str]) -> list[str]:
    """One or two offices for the person ``number`` (the same in every run)."""
    rng = random.Random(f"offices {number}")
    return rng.sample(list(offices), rng.choice((1, 2)))


async def prepare(url: str, people: int, extras: int, coordinator: bool) -> None:
    """The Mainz plan; the reporting people, ``extras`` further contacts and perhaps a
    coordinator; a monthly round open since yesterday."""
    engine = create_engine(url)
    await init_database(engine, load_catalogue())
    names = reporting_offices()
    now = datetime.now(UTC)
    async with session_factory(engine)() as session, session.begin():
        offices = {o.name: o for o in await session.scalars(select(Office))}
        for number in range(people + extras):
            user_id = FIRST_PERSON + number if number < people else FIRST_EXTRA + number - people
            await add_contact(
                session, telegram_user_id=user_id, display_name=f"Person {user_id}",
                role=Role.CONTACT, offices=[offices[n] for n in offices_of(number, names)],
                now=now - timedelta(days=2),
            )  # fmt: skip
        if coordinator:
            await add_contact(
                session, telegram_user_id=COORDINATOR, display_name="Clara Koordina",
                role=Role.COORDINATOR, now=now - timedelta(days=2),
            )  # fmt: skip
        yesterday = now.date() - timedelta(days=1)
        await open_round(session, today=yesterday, cadence=Cadence.MONTHLY, now=now)
    await engine.dispose()


@dataclass
class Stored:
    """What the database holds after the run, by the people's Telegram ids."""

    answers: Counter[int]  # "im Plan" answers given by a press
    submissions: Counter[int]  # submitted reports
    twice: int  # (round, measure, office, author) submitted more than once
    drafts: int


async def stored(url: str) -> Stored:
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        submitted = await session.execute(
            select(Contact.telegram_user_id, func.count())
            .join(Report, Report.author_id == Contact.id)
            .where(Report.submitted_at.is_not(None))
            .group_by(Contact.telegram_user_id)
        )
        answered = await session.execute(
            select(Contact.telegram_user_id, func.count())
            .select_from(TargetAnswer)
            .join(Report, Report.id == TargetAnswer.report_id)
            .join(Contact, Contact.id == Report.author_id)
            .where(TargetAnswer.status == Status.ON_TRACK)
            .where(TargetAnswer.answered_at > Report.created_at)
            .group_by(Contact.telegram_user_id)
        )
        repeated = (
            select(Report.round_id)
            .where(Report.submitted_at.is_not(None))
            .group_by(Report.round_id, Report.measure_id, Report.office_id, Report.author_id)
            .having(func.count() > 1)
            .subquery()
        )
        twice = await session.scalar(select(func.count()).select_from(repeated))
        drafts = await session.scalar(
            select(func.count()).select_from(Report).where(Report.submitted_at.is_(None))
        )
    await engine.dispose()
    return Stored(
        answers=Counter({int(user or 0): count for user, count in answered}),
        submissions=Counter({int(user or 0): count for user, count in submitted}),
        twice=twice or 0,
        drafts=drafts or 0,
    )


# --- one run -------------------------------------------------------------------------------------


@dataclass
class Figures:
    """What one run measured."""

    actions: list[Action]
    seconds: float
    cpu: float  # seconds of the bot process(es), added up
    peak_mb: dict[str, float]  # by process (its label)
    calls: Counter[str]  # during the phase, by method
    own_cpu: float  # seconds of this process (stand-in and people)
    timeouts: int
    logs: dict[str, str] = field(default_factory=dict)  # warnings and errors, by process

    @property
    def limited(self) -> int:
        return sum(n for method, n in self.calls.items() if rate_limited(method))

    @property
    def latencies(self) -> list[float]:
        return [a.latency for a in self.actions if a.latency is not None]

    @property
    def wholes(self) -> list[float]:
        return [a.whole for a in self.actions if a.whole is not None]

    @property
    def missing(self) -> int:
        return sum(1 for a in self.actions if a.replied is None)


@dataclass
class Broadcast:
    """The round opened to everyone in the middle of the run."""

    expected: int
    confirmed: float = math.nan  # the coordinator's confirmation queued
    acknowledged: float = math.nan  # the coordinator told it was done
    notices: list[float] = field(default_factory=list)
    started: float = 0.0  # the run's start

    @property
    def over(self) -> float:
        return self.notices[-1] if self.notices else math.nan


@dataclass
class RealRun:
    figures: Figures
    kinds: dict[int, list[str]]  # each person's actions, "text" or "press"
    reporters: list[Reporter]
    stored: Stored
    broadcast: Broadcast | None
    # webhook mode: the stand-in's posts to each process, by the answer's status (None: none)
    deliveries: dict[str, Counter[int | None]] = field(default_factory=dict)


async def measure(
    processes: Sequence[BotProcess],
    observer: Observer,
    people: Sequence[Person],
    work: Callable[[], list[asyncio.Task[None]]],
) -> Figures:
    """Run the people's ``work`` and measure the bot ``processes`` meanwhile."""
    cpu = sum(p.cpu_seconds() for p in processes)
    own = time.process_time()
    tasks = work()
    await asyncio.gather(*tasks)
    cpu = sum(p.cpu_seconds() for p in processes) - cpu
    own = time.process_time() - own
    peaks = {p.label: p.peak_mb() for p in processes}
    actions = sorted((a for person in people for a in person.actions), key=lambda a: a.queued)
    if not actions:
        raise RuntimeError("nobody did anything")
    start = actions[0].queued
    end = max(a.ready or a.replied or a.queued for a in actions)
    return Figures(
        actions=actions,
        seconds=end - start,
        cpu=cpu,
        peak_mb=peaks,
        calls=observer.calls(start, end),
        own_cpu=own,
        timeouts=sum(p.timeouts for p in people),
    )


async def run_real(
    mode: Mode, people: int, seconds: float, url: str, directory: Path, profile: Path | None
) -> RealRun:
    async with BotApiStandIn(token=TOKEN) as standin:
        observer = Observer(standin)
        reporters = [
            Reporter(standin, observer, standin.user(FIRST_PERSON + n, "Person", str(n)), n,
                     mode.think, REPLY_TIMEOUT)
            for n in range(people)
        ]  # fmt: skip
        broadcast: Broadcast | None = None
        coordinator: Coordinator | None = None
        if mode.broadcast:
            broadcast = Broadcast(expected=people + EXTRA_CONTACTS)
            for n in range(EXTRA_CONTACTS):
                standin.open_chat(standin.user(FIRST_EXTRA + n, "Person", str(FIRST_EXTRA + n)))
            user = standin.user(COORDINATOR, "Clara", "Koordina")
            coordinator = Coordinator(standin, observer, user, -1, None, BROADCAST_TIMEOUT)
        processes = start_real_bots(mode, standin, url, directory, profile)
        try:
            for process in processes:  # one by one: each with its own sign of having started
                await process.start(standin, observer)
            started = time.perf_counter()
            over = asyncio.Event()
            if not mode.broadcast:
                over.set()

            def going() -> bool:
                return time.perf_counter() < started + seconds or not over.is_set()

            async def open_round_midway() -> None:
                assert broadcast is not None
                assert coordinator is not None
                broadcast.started = started
                await asyncio.sleep(seconds / 2)
                confirm = await coordinator.open_next_round()
                broadcast.confirmed, broadcast.acknowledged = (
                    confirm.queued,
                    confirm.replied or math.nan,
                )
                try:
                    await standin.wait_until(
                        lambda: len(observer.notices) >= broadcast.expected,
                        timeout=BROADCAST_TIMEOUT,
                    )
                finally:
                    broadcast.notices = list(observer.notices)
                    over.set()

            def work() -> list[asyncio.Task[None]]:
                tasks = [asyncio.create_task(r.run(going, mode.broadcast)) for r in reporters]
                if mode.broadcast:
                    tasks.append(asyncio.create_task(open_round_midway()))
                return tasks

            figures = await measure(processes, observer, reporters, work)
        finally:
            for process in processes:
                await process.stop()
        deliveries = {
            process.label: Counter(
                d.status for d in standin.webhook.deliveries if d.target == process.local_url
            )
            for process in processes
            if process.port is not None
        }
    figures.logs = {process.label: process.log_problems() for process in processes}
    return RealRun(
        figures=figures,
        kinds={r.user.id: [a.kind for a in r.actions] for r in reporters},
        reporters=reporters,
        stored=await stored(url),
        broadcast=broadcast,
        deliveries=deliveries,
    )


async def run_minimal(
    mode: Mode, people: int, kinds: dict[int, list[str]], directory: Path
) -> Figures:
    async with BotApiStandIn(token=TOKEN) as standin:
        observer = Observer(standin)
        repeaters = [
            Repeater(
                standin,
                observer,
                standin.user(FIRST_PERSON + n, "Person", str(n)),
                n,
                mode.think,
                REPLY_TIMEOUT,
            )
            for n in range(people)
        ]
        process = start_minimal_bot(standin, directory)
        await process.start(standin, observer)
        try:

            def work() -> list[asyncio.Task[None]]:
                return [asyncio.create_task(r.run(kinds.get(r.user.id, []))) for r in repeaters]

            figures = await measure([process], observer, repeaters, work)
        finally:
            await process.stop()
    figures.logs = {process.label: process.log_problems()}
    return figures


# --- printing ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 for p95); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def ratio(real: float, minimal: float) -> float:
    return real / minimal if minimal else math.nan


def _number(value: float, digits: int) -> str:
    return "–" if math.isnan(value) else f"{value:,.{digits}f}"


def row(label: str, real: float, minimal: float, digits: int = 1, *, compare: bool = True) -> None:
    minimal_text = _number(minimal, digits)
    ratio_text = _number(ratio(real, minimal), 2) if compare else ""
    print(f"{label:38}{_number(real, digits):>12}{minimal_text:>14}{ratio_text:>14}")


@dataclass
class Target:
    label: str
    figure: str
    met: bool


def targets(mode: Mode, real: RealRun, minimal: Figures) -> list[Target]:
    r, m = real.figures, minimal
    p95_real, p95_minimal = percentile(r.latencies, 0.95), percentile(m.latencies, 0.95)
    cpu_real, cpu_minimal = r.cpu / len(r.actions), m.cpu / len(m.actions)
    found: list[Target] = []
    if mode.think is not None:
        found.append(
            Target(
                "below: reply p95 ≤ 2× minimal",
                f"{ratio(p95_real, p95_minimal):.1f}×",
                p95_real <= 2 * p95_minimal,
            )
        )
        found.append(
            Target(
                "below: CPU/action ≤ 2× minimal",
                f"{ratio(cpu_real, cpu_minimal):.1f}×",
                cpu_real <= 2 * cpu_minimal,
            )
        )
    else:
        per_second = r.limited / r.seconds
        found.append(
            Target(
                f"limit: rate-limited calls/s ≥ 90 % of {BUDGET:.0f}/s",
                f"{per_second / BUDGET:.0%}",
                per_second >= 0.9 * BUDGET,
            )
        )
        found.append(Target("limit: reply p95 < 2 s", f"{p95_real:.2f} s", p95_real < 2.0))
    for name, peak in (r.peak_mb | m.peak_mb).items():
        found.append(
            Target(
                f"peak memory < {MEMORY_LIMIT:.0f} MB ({name})",
                f"{peak:.0f} MB",
                peak < MEMORY_LIMIT,
            )
        )
    if real.broadcast is not None:
        during, _ = split_by_broadcast(real.figures.actions, real.broadcast)
        longest = max(during, default=math.nan)
        found.append(
            Target("broadcast: replies delayed ≤ 1 s (max)", f"{longest:.2f} s", longest <= 1.0)
        )
    return found


def split_by_broadcast(
    actions: Sequence[Action], broadcast: Broadcast
) -> tuple[list[float], list[float]]:
    """Reply latencies of actions queued while the opening messages went out, and the rest
    (actions without a reply count as the time they waited until the end: at least that)."""
    during, outside = [], []
    end = max(a.ready or a.replied or a.queued for a in actions)
    for action in actions:
        latency = action.latency if action.latency is not None else end - action.queued
        if broadcast.confirmed <= action.queued <= broadcast.over:
            during.append(latency)
        else:
            outside.append(latency)
    return during, outside


def rate_limited(method: str) -> bool:
    return method.lower() not in NOT_RATE_LIMITED


def calls_line(calls: Counter[str]) -> str:
    limited = [(m, n) for m, n in calls.most_common() if rate_limited(m)]
    return ", ".join(f"{m} {n}" for m, n in limited) or "none"


def report(
    mode: Mode, people: int, seconds: float, database: str, real: RealRun, minimal: Figures
) -> None:
    r, m = real.figures, minimal
    print(
        f"\nLoad benchmark, mode {mode.name} ({mode.description}): {people} people, {database}, "
        f"actions for up to {seconds:.0f} s"
    )
    print(f"code: {code_state()}; machine load average now {os.getloadavg()[0]:.1f}")
    if mode.think is not None:
        offered = people / (sum(mode.think) / 2)
        broadcast = len(real.broadcast.notices) if real.broadcast is not None else 0
        print(
            f"offered: about {offered:.1f} actions/s ({people} people, one action every "
            f"{sum(mode.think) / 2:.0f} s); real bot: "
            f"{offered * (r.limited - broadcast) / len(r.actions):.1f} rate-limited calls/s"
            + (" besides the broadcast" if broadcast else "")
        )
    print(f"{'':38}{'real bot':>12}{'minimal bot':>14}{'real/minimal':>14}")
    row("actions", len(r.actions), len(m.actions), 0)
    row("measured phase (s)", r.seconds, m.seconds)
    row("actions per second", len(r.actions) / r.seconds, len(m.actions) / m.seconds, 2)
    for label, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        row(
            f"reply latency {label} (ms)",
            1000 * percentile(r.latencies, share),
            1000 * percentile(m.latencies, share),
            0,
        )
    row(
        "reply latency max (ms)",
        1000 * max(r.latencies, default=math.nan),
        1000 * max(m.latencies, default=math.nan),
        0,
    )
    for label, share in (("p50", 0.5), ("p95", 0.95)):
        row(
            f"whole reply {label} (ms)",
            1000 * percentile(r.wholes, share),
            1000 * percentile(m.wholes, share),
            0,
        )
    row("actions without a reply", r.missing, m.missing, 0, compare=False)
    row("replies not whole in time", r.timeouts, m.timeouts, 0, compare=False)
    row("CPU per action (ms)", 1000 * r.cpu / len(r.actions), 1000 * m.cpu / len(m.actions), 2)
    for name, peak in r.peak_mb.items():
        label = "peak memory (MB)" + (f", {name}" if len(r.peak_mb) > 1 else "")
        row(label, peak, max(m.peak_mb.values()), 0)
    row("rate-limited calls per action", r.limited / len(r.actions), m.limited / len(m.actions), 2)
    row("rate-limited calls per second", r.limited / r.seconds, m.limited / m.seconds, 1)
    row(
        "benchmark process CPU (% of a core)",
        100 * r.own_cpu / r.seconds,
        100 * m.own_cpu / m.seconds,
        0,
        compare=False,
    )
    print(f"rate-limited calls, real bot: {calls_line(r.calls)}")
    print(f"rate-limited calls, minimal bot: {calls_line(m.calls)}")
    print(
        "logs: " + "; ".join(f"{name}: {problems}" for name, problems in (r.logs | m.logs).items())
    )
    if real.deliveries:
        print(deliveries_line(real.deliveries))
    finished = sum(1 for p in real.reporters if p.finished)
    stuck = sum(1 for p in real.reporters if p.stuck)
    print(
        f"people done with their round at the end: {finished} of {people}"
        + (f", stuck: {stuck}" if stuck else "")
    )

    if real.broadcast is not None:
        report_broadcast(real)

    print(f"\n{'Target':52}{'figure':>10}  met")
    for target in targets(mode, real, minimal):
        print(f"{target.label:52}{target.figure:>10}  {'yes' if target.met else 'NO'}")

    pressed = Counter({p.user.id: p.tally.answers for p in real.reporters})
    submitted = Counter({p.user.id: p.tally.submissions for p in real.reporters})
    db = real.stored
    differ = sum(
        1
        for p in real.reporters
        if pressed[p.user.id] != db.answers[p.user.id]
        or submitted[p.user.id] != db.submissions[p.user.id]
    )
    ok = differ == 0 and db.twice == 0
    stale = sum(p.tally.stale for p in real.reporters)
    print(
        f"\nStored exactly once (real bot): {'OK' if ok else 'FAILED'}: answers pressed "
        f"{pressed.total()}, stored {db.answers.total()}; submissions pressed {submitted.total()}, "
        f"stored {db.submissions.total()}; submitted twice {db.twice}; people with a "
        f"difference {differ}; drafts left {db.drafts}; replies 'nicht mehr aktuell' {stale}"
    )


def deliveries_line(deliveries: dict[str, Counter[int | None]]) -> str:
    """How many updates the stand-in posted to each process, and how they were answered."""
    counts = ", ".join(f"{n.total()} to {name}" for name, n in deliveries.items())
    answers = sum(deliveries.values(), Counter[int | None]())
    if set(answers) == {200}:
        answered = "all answered 200"
    else:
        others = ", ".join(
            f"{'no answer' if status is None else status} {n}"
            for status, n in answers.most_common()
            if status != 200
        )
        answered = f"answered 200: {answers[200]}, else: {others or 'none'}"
    idle = [name for name, n in deliveries.items() if not n[200]]
    return f"webhook deliveries: {counts}, {answered}" + (
        f"; NO update taken by {', '.join(idle)}" if idle else ""
    )


def report_broadcast(real: RealRun) -> None:
    broadcast = real.broadcast
    assert broadcast is not None
    notices = broadcast.notices
    print(
        f"\nBroadcast (real bot): a round opened to {broadcast.expected:,} contacts "
        f"({EXTRA_CONTACTS:,} further ones), {len(notices):,} opening messages sent"
    )
    if not notices or math.isnan(broadcast.confirmed):
        print("  the broadcast did not happen")
        return
    since = broadcast.confirmed
    print(
        f"  confirmation queued {since - broadcast.started:.1f} s into the run; the coordinator "
        f"told after {broadcast.acknowledged - since:.2f} s; first opening message after "
        f"{notices[0] - since:.2f} s, the last after {broadcast.over - since:.1f} s "
        f"({len(notices) / max(broadcast.over - since, 1e-9):.1f}/s)"
    )
    during, outside = split_by_broadcast(real.figures.actions, broadcast)
    for label, values in (("during the broadcast", during), ("outside it", outside)):
        print(
            f"  reply latency {label}: {len(values)} actions, p50 "
            f"{percentile(values, 0.5):.2f} s, p95 {percentile(values, 0.95):.2f} s, "
            f"max {max(values, default=math.nan):.2f} s"
        )


async def main(
    mode: Mode, people: int, seconds: float, database: str | None, profile: Path | None = None
) -> None:
    if mode.webhook and database is None:
        database = WEBHOOK_DATABASE  # two processes need a database server
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        async with own_database(database, directory) as url:
            extras = EXTRA_CONTACTS if mode.broadcast else 0
            await prepare(url, people, extras, coordinator=mode.broadcast)
            real = await run_real(mode, people, seconds, url, directory, profile)
            minimal = await run_minimal(mode, people, real.kinds, directory)
        label = "SQLite (temporary file)" if database is None else "PostgreSQL (own database)"
        report(mode, people, seconds, label, real, minimal)
    if profile is not None:
        files = [str(file) for file in profiles(profile, mode.processes)]
        print(
            f"\nThe real bot's profile, by own time (all of it: {', '.join(files)}"
            + (", added up" if len(files) > 1 else "")
            + "):"
        )
        pstats.Stats(*files).sort_stats("tottime").print_stats(PROFILE_LINES)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--mode", choices=sorted(MODES), default="below")
    parser.add_argument("--seconds", type=float, default=60.0, help="of actions at most")
    parser.add_argument(
        "--database",
        help="postgresql+asyncpg://… server for a database of its own; default: a SQLite "
        f"file in a temporary directory (mode webhook: the server at {WEBHOOK_DATABASE})",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="run the real bot under cProfile, keep its statistics in FILE and print the "
        "functions that took the most time",
    )
    args = parser.parse_args()
    if args.database is not None and not args.database.startswith("postgresql+asyncpg://"):
        parser.error("--database takes a postgresql+asyncpg:// URL")
    if args.people < 1 or args.seconds <= 0:
        parser.error("--people and --seconds must be positive")
    profile = args.profile.resolve() if args.profile is not None else None
    asyncio.run(main(MODES[args.mode], args.people, args.seconds, args.database, profile))
