"""End-to-end fixtures: the real Application, polling the local Bot API stand-in over HTTP."""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import telegram_request
from bot.config.settings import Settings, load_settings
from bot.runtime import (
    SCHEDULE_JOB,
    BotApplication,
    HandledUpdates,
    Webhook,
    build_application,
    serving,
    track_handled,
)
from bot.standin import BotApiStandIn, FakeChat, FakeUser, SentMessage
from seed.loader import load_catalogue
from storage.database import create_engine, session_factory
from storage.models import Contact, Measure, Obstacle, Office, Role, Status
from storage.people import add_contact, contact_by_telegram_id
from storage.reporting import current_round, item_for, start_draft, submit
from storage.setup import init_database
from storage.support import register_requests

TOKEN = "7000000002:AAE2eTestTokenNeverLogged_0123456789ab"
COORDINATION_CHAT = -1001000000001
FOREIGN_GROUP = -1001000000999


class Clock:
    """A controllable clock for the bot (UTC)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Answer:
    """A message of the bot as a person sees it (live: later edits show)."""

    message: SentMessage

    @property
    def text(self) -> str:
        return self.message.plain_text or ""

    @property
    def buttons(self) -> list[list[str]]:
        return self.message.buttons

    @property
    def labels(self) -> list[str]:
        """The buttons' labels, row after row."""
        return [label for row in self.buttons for label in row]

    @property
    def message_id(self) -> int:
        return self.message.message_id

    def data_of(self, label: str) -> str:
        """What the button ``label`` carries (to press it again later, e.g. once the
        message shows something else)."""
        [data] = [
            str(button["callback_data"])
            for row in self.message.inline_keyboard
            for button in row
            if button.get("text") == label
        ]
        return data


@dataclass
class World:
    standin: BotApiStandIn
    app: BotApplication
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    coordinator: FakeUser
    contact: FakeUser
    stranger: FakeUser
    group: FakeChat
    foreign_group: FakeChat
    restart_bot: Callable[[], Awaitable[None]] = field(default=lambda: _no_restart())
    handled: HandledUpdates = field(default_factory=lambda: HandledUpdates())
    webhook: Webhook | None = None  # how the bot receives updates; None: long polling

    async def settle(self, update_id: int, times: int = 1, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has finished handling ``update_id`` (its replies are sent)."""
        await self.handled.wait_for(update_id, times, timeout)

    async def say(self, user: FakeUser, text: str, chat: FakeChat | None = None) -> Answer:
        """Send ``text``, wait until it is handled, return the bot's last message in that chat."""
        await self.settle(await self.standin.send_text(user, text, chat))
        return self.last(chat or user)

    def last(self, chat: FakeUser | FakeChat) -> Answer:
        """The bot's latest message in a private chat or group."""
        return Answer(self.standin.last_message(chat.id))

    async def press(self, user: FakeUser, label: str, chat: FakeChat | None = None) -> Answer:
        """Press a button, wait until it is handled, return the bot's last message there."""
        await self.settle(await self.standin.press_button(user, label, chat=chat))
        return self.last(chat or user)

    async def edit(
        self, user: FakeUser, message_id: int, text: str, chat: FakeChat | None = None
    ) -> Answer:
        """Edit the person's message ``message_id`` to ``text``, wait until the bot handled
        the edit, return the bot's last message in that chat."""
        await self.settle(await self.standin.edit_text(user, message_id, text, chat))
        return self.last(chat or user)

    async def open_round(self, chat: FakeChat | None = None) -> Answer:
        """Open a round by hand as a coordinator does: /runde, then confirm (the running
        round, if any, is replaced by the next one)."""
        menu = await self.say(self.coordinator, "/runde", chat)
        labels = [label for row in menu.buttons for label in row]
        replace = "Nächste Runde öffnen …" in labels
        await self.press(self.coordinator, labels[2] if replace else "Runde öffnen …", chat)
        yes = "Ja, nächste Runde öffnen" if replace else "Ja, Runde öffnen"
        return await self.press(self.coordinator, yes, chat)

    async def silent(self, user: FakeUser, text: str, chat: FakeChat | None = None) -> None:
        """Send ``text`` and assert the bot says nothing anywhere."""
        before = len(self.standin.calls_to("sendMessage"))
        await self.settle(await self.standin.send_text(user, text, chat))
        assert self.standin.calls_to("sendMessage")[before:] == []

    async def tick(self, when: datetime) -> None:
        """Set the clock and run the real scheduled job once, as the JobQueue would."""
        self.clock.now = when
        assert self.app.job_queue is not None
        [job] = self.app.job_queue.get_jobs_by_name(SCHEDULE_JOB)
        await job.run(self.app)

    async def office(self, name: str) -> Office:
        async with self.sessions() as session:
            office = await session.scalar(select(Office).where(Office.name == name))
            assert office is not None
            return office

    async def contact_row(self, telegram_user_id: int) -> Contact | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(Contact).where(Contact.telegram_user_id == telegram_user_id)
            )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


WEBHOOK_SECRET = "e2e-webhook-secret_0123456789"


def local_webhook() -> Webhook:
    """A webhook whose public address the stand-in routes to a free local port."""
    return Webhook(
        "https://bot.example.org/telegram/hook", "127.0.0.1", free_port(), WEBHOOK_SECRET
    )


async def _no_restart() -> None:
    raise RuntimeError("restart is set by the world fixture")


def e2e_settings(tmp_path: Path, base_url: str) -> Settings:
    return load_settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        data_dir=tmp_path / "daten",
        coordination_chat_id=COORDINATION_CHAT,
        timezone="Europe/Berlin",
        bot_username=None,
        catalogue_path=None,
    )


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot repeats failed Bot API calls after 1 s, 2 s; here after a moment."""
    monkeypatch.setattr(telegram_request, "FIRST_PAUSE", 0.01)


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token=TOKEN) as server:
        yield server


@pytest.fixture(scope="session")
def mainz_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database after ``init`` with the Mainz catalogue, made once per test process.

    Migrating and loading the catalogue takes most of a second; a world on SQLite starts
    from a copy of this file instead (on PostgreSQL each world still runs them, in its own
    schema, so every migration keeps being run by the end-to-end tests)."""
    path = tmp_path_factory.mktemp("mainz") / "mainz.sqlite3"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await init_database(engine, load_catalogue())
        await engine.dispose()  # the last connection closed: the WAL is in the file

    asyncio.run(build())
    return path


async def initialised(engine: AsyncEngine, mainz_sqlite: Path) -> None:
    """``engine``'s empty database as after ``init`` with the Mainz catalogue."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        shutil.copyfile(mainz_sqlite, engine.url.database)
    else:
        await init_database(engine, load_catalogue())


@pytest.fixture
async def world(
    standin: BotApiStandIn,
    engine: AsyncEngine,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    mainz_sqlite: Path,
) -> AsyncIterator[World]:
    """The bot on a fresh database: SQLite, and PostgreSQL where it runs (see conftest).

    A test marked ``no_group`` runs without COORDINATION_CHAT_ID; one marked ``webhook``
    receives the updates by webhook (the stand-in posts them, as Telegram does)."""
    settings = e2e_settings(tmp_path, standin.base_url)
    if request.node.get_closest_marker("no_group") is not None:
        settings = settings.model_copy(update={"coordination_chat_id": None})
    await initialised(engine, mainz_sqlite)
    sessions = session_factory(engine)
    clock = Clock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    async with sessions() as session, session.begin():
        office = await session.scalar(
            select(Office).where(Office.name == "Flüchtlingskoordination")
        )
        await add_contact(
            session,
            telegram_user_id=501,
            display_name="Clara Koordina",
            role=Role.COORDINATOR,
            now=clock(),
        )
        await add_contact(
            session,
            telegram_user_id=601,
            display_name="Karl Kontakt",
            role=Role.CONTACT,
            offices=[office] if office else [],
            now=clock(),
        )
    people = {
        "coordinator": standin.user(501, "Clara", "Koordina"),
        "contact": standin.user(601, "Karl", "Kontakt"),
        "stranger": standin.user(701, "Sven", "Fremd"),
    }
    for person in people.values():
        standin.open_chat(person)  # as if each had written to the bot before
    group = standin.group(COORDINATION_CHAT, "Koordinierungsgruppe Integration")
    foreign_group = standin.group(FOREIGN_GROUP, "Kaffeeklatsch")
    handled = HandledUpdates()
    webhook = None
    if request.node.get_closest_marker("webhook") is not None:
        webhook = local_webhook()
        standin.webhook.route(f"http://{webhook.listen}:{webhook.port}/{webhook.path}")
    async with AsyncExitStack() as stack:
        world = World(
            standin=standin,
            app=await start_bot(handled, stack, settings, engine, clock, webhook),
            webhook=webhook,
            handled=handled,
            settings=settings,
            sessions=sessions,
            clock=clock,
            group=group,
            foreign_group=foreign_group,
            coordinator=people["coordinator"],
            contact=people["contact"],
            stranger=people["stranger"],
        )
        world.restart_bot = lambda: restart(world, stack, engine)
        yield world


async def start_bot(
    handled: HandledUpdates,
    stack: AsyncExitStack,
    settings: Settings,
    engine: AsyncEngine,
    clock: Clock,
    webhook: Webhook | None = None,
) -> BotApplication:
    app = build_application(settings, engine=engine, clock=clock)
    track_handled(app, handled)  # one record across restarts
    await stack.enter_async_context(serving(app, poll_timeout=1, webhook=webhook))
    # The schedule runs when a test says so (World.tick), at the test clock's time.
    assert app.job_queue is not None
    for job in app.job_queue.jobs():
        job.enabled = False
    return app


async def restart(world: World, stack: AsyncExitStack, engine: AsyncEngine) -> None:
    """Stop the running bot (as a crash or deployment would) and start a fresh process's."""
    await stack.aclose()
    world.app = await start_bot(
        world.handled, stack, world.settings, engine, world.clock, world.webhook
    )


@dataclass(frozen=True)
class Said:
    """Answers for one horizon target of a stored report (see :func:`store_report`)."""

    status: Status
    note: str = ""
    obstacles: tuple[Obstacle, ...] | None = None  # None: not asked; (): none named
    obstacle_note: str | None = None  # a few words for "Sonstiges"
    support: str | None = None  # a sentence means: support requested


async def store_report(
    world: World, telegram_user_id: int, code: str, office: str, *said: Said, indicator: str = ""
) -> None:
    """Submit a report in the current round through the storage layer, as the dialogue would."""
    async with world.sessions() as session, session.begin():
        contact = await contact_by_telegram_id(session, telegram_user_id)
        assert contact is not None
        round_ = await current_round(session, world.clock().astimezone(world.settings.zone).date())
        assert round_ is not None
        office_row = await session.scalar(select(Office).where(Office.name == office))
        measure = await session.scalar(select(Measure).where(Measure.code == code))
        assert office_row is not None
        assert measure is not None
        item = await item_for(session, contact, measure.id, office_row.id)
        assert item is not None, f"{contact.display_name} does not report {code} for {office}"
        draft = await start_draft(session, round_, item, contact, world.clock())
        answers = sorted(
            draft.answers, key=lambda a: [t.id for t in item.targets].index(a.horizon_target_id)
        )
        assert len(answers) == len(said), f"{code} has {len(answers)} targets"
        for answer, given in zip(answers, said, strict=True):
            answer.status = given.status
            answer.note = given.note
            answer.obstacles = given.obstacles
            answer.obstacle_note = given.obstacle_note
            answer.support_requested = given.support is not None
            answer.support_note = given.support
        draft.indicator_note = indicator
        await submit(session, draft, world.clock())
        await register_requests(session, draft, world.clock())  # as a submission in the chat
