"""The database goes away for a while, and the bot carries on without a restart.

PostgreSQL is reached through a small TCP relay that the test closes (every connection
cut, new ones refused, as during a restart of the server) and opens again. SQLite is
locked by another process holding a write transaction, as a backup tool might. Meanwhile
people get "Bitte versuchen Sie es gleich noch einmal.", nothing is half-written, the
schedule's work waits for the next tick, and everything works again afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from subprocess import PIPE
from typing import Protocol

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.render import texts
from storage.database import create_engine
from storage.models import Report, ReportingRound, TargetAnswer
from tests.conftest import usable_postgres_url
from tests.e2e.conftest import World

TRY_AGAIN = "Bitte versuchen Sie es gleich noch einmal."
BUSY_SECONDS = 0.3  # SQLite's wait for a lock, shortened from the bot's default


class Outage(Protocol):
    async def begin(self) -> None: ...
    async def end(self) -> None: ...


class SqliteLock:
    """Another process holding SQLite's write lock until :meth:`end`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.process: asyncio.subprocess.Process | None = None

    async def begin(self) -> None:
        script = (
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(self.path)!r}, isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n"
        )
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, stdin=PIPE, stdout=PIPE
        )
        assert self.process.stdout is not None
        assert (await self.process.stdout.readline()).strip() == b"locked"

    async def end(self) -> None:
        assert self.process is not None
        assert self.process.stdin is not None
        self.process.stdin.close()  # the other process ends, its lock with it
        await asyncio.wait_for(self.process.wait(), 10)


@dataclass
class Relay:
    """A TCP relay in front of PostgreSQL that can be cut and restored."""

    target_port: int
    port: int = 0
    server: asyncio.Server | None = None
    links: set[asyncio.StreamWriter] = field(default_factory=set)

    async def begin(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.links):
            writer.transport.abort()  # as a restarting server drops its connections
        self.links.clear()
        await self.server.wait_closed()
        self.server = None

    async def end(self) -> None:
        await self.listen()

    async def listen(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self.links.update((writer, up_writer))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@dataclass
class Database:
    engine: AsyncEngine
    outage: Outage


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        engine = create_engine(f"sqlite+aiosqlite:///{path}", busy_seconds=BUSY_SECONDS)
        yield Database(engine, SqliteLock(path))
        await engine.dispose()
        return
    url = await usable_postgres_url()
    parsed = make_url(url)
    relay = Relay(target_port=parsed.port or 5432)
    await relay.listen()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    async with admin.begin() as connection:
        await connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    relayed = parsed.set(host="127.0.0.1", port=relay.port)
    engine = create_engine(
        relayed.render_as_string(hide_password=False),
        connect_args={"server_settings": {"search_path": schema}, "timeout": 5},
    )
    try:
        yield Database(engine, relay)
    finally:
        await engine.dispose()
        if relay.server is not None:
            relay.server.close()
        async with admin.begin() as connection:
            await connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()


@pytest.fixture
def engine(database: Database) -> AsyncEngine:
    """The ``world`` of tests/e2e/conftest.py on this module's database."""
    return database.engine


async def answers_given(world: World) -> int:
    async with world.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(TargetAnswer).where(TargetAnswer.status.is_not(None))
        )
        return count or 0


async def test_a_person_is_asked_to_try_again_and_then_carries_on(
    world: World, database: Database
) -> None:
    await world.open_round()
    await world.say(world.contact, "/bericht")
    question = await world.press(world.contact, "III.2.1")
    assert "🟡 verzögert" in str(question.buttons)
    before = await answers_given(world)

    await database.outage.begin()
    try:
        failed = await world.press(world.contact, "🟡 verzögert")
        assert TRY_AGAIN in failed.text
        assert failed.text == texts.DATABASE_UNAVAILABLE
        typed = await world.say(world.contact, "/status")
        assert typed.text == texts.DATABASE_UNAVAILABLE
    finally:
        await database.outage.end()

    assert await answers_given(world) == before  # nothing half-written
    # The same button, pressed again once the database is back: no restart needed.
    await world.press(world.contact, "🟡 verzögert")
    assert await answers_given(world) == before + 1
    status = await world.say(world.contact, "/status")
    assert status.text != texts.DATABASE_UNAVAILABLE


async def test_the_schedule_waits_for_the_database_and_sends_each_notice_once(
    world: World, database: Database
) -> None:
    opening = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)  # Tuesday, 9:30 in Mainz
    sent_before = len(world.standin.calls_to("sendMessage"))

    await database.outage.begin()
    try:
        await world.tick(opening)  # due, but the database is not there
    finally:
        await database.outage.end()

    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ReportingRound)) == 0
    assert world.standin.sent_messages(world.contact.id) == []

    await world.tick(opening.replace(minute=31))  # the next tick does it
    await world.tick(opening.replace(minute=32))  # and the one after has nothing to do
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ReportingRound)) == 1
        assert await session.scalar(select(func.count()).select_from(Report)) == 0
    to_karl = world.standin.sent_messages(world.contact.id)
    assert len(to_karl) == 1, [m.plain_text for m in to_karl]
    assert len(world.standin.calls_to("sendMessage")) > sent_before + 1
