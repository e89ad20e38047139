"""Engine and session set-up for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# The start of the name every engine gives its PostgreSQL connections
CLIENT_NAME = "monitoring-bot"

# How long a SQLite write waits for another process's lock (a backup, a second tool)
# before the person is asked to try again.
SQLITE_BUSY_SECONDS = 10.0


def create_engine(
    url: str, *, busy_seconds: float = SQLITE_BUSY_SECONDS, **options: Any
) -> AsyncEngine:
    """An async engine for ``url``; a SQLite file's directory is created if missing.

    PostgreSQL connections are tested before use (``pool_pre_ping``), so after a restart of
    the server the pool reconnects by itself instead of failing once per stale connection.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": busy_seconds}, **options)
        pragmas = _sqlite_pragmas(int(busy_seconds * 1000))
        event.listen(engine.sync_engine, "connect", pragmas)
        return engine
    # every engine (a bot process) names its connections, so that others can tell from
    # PostgreSQL's list of sessions whether it is still alive (see storage.claims)
    connect_args = dict(options.pop("connect_args", {}))
    server_settings = dict(connect_args.get("server_settings", {}))
    server_settings.setdefault("application_name", f"{CLIENT_NAME} {uuid.uuid4().hex[:16]}")
    connect_args["server_settings"] = server_settings
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)


def _sqlite_pragmas(busy_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Foreign keys are off by default in SQLite; WAL lets a reader and a writer work at
        # once.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    return on_connect


# PostgreSQL's codes for "not now": connection exceptions (class 08), the server shutting
# down or starting (57P01-57P03), too many connections (53300), and a transaction that
# lost a conflict (serialization failure, deadlock), which succeeds when done again.
TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300", "40001", "40P01")
# SQLite's words for a file that another process holds or that cannot be reached.
SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "unable to open")


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database cannot be used right now (not a bug): the server
    is down or restarting, the connection broke, or SQLite is locked by another process.

    Such an error left nothing half-written (the transaction is rolled back); the same
    work succeeds once the database is back. A missing table or a wrong query is a bug
    and stays one.
    """
    if isinstance(error, DBAPIError):
        if error.connection_invalidated or isinstance(error, InterfaceError):
            return True
        code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        if isinstance(code, str) and code.startswith(TRANSIENT_SQLSTATES):
            return True
        message = str(error.orig).lower()
        return isinstance(error, OperationalError) and any(
            words in message for words in SQLITE_UNAVAILABLE
        )
    # asyncpg's connect errors arrive unwrapped: refused, reset, timed out, name unknown,
    # or the server still starting ("the database system is starting up").
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror):
        return True
    return type(error).__name__ in {"CannotConnectNowError", "ConnectionDoesNotExistError"}


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def on_postgresql(session: AsyncSession) -> bool:
    """Whether ``session`` talks to PostgreSQL (else SQLite)."""
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def insert_for(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's INSERT that knows ``on_conflict_do_nothing`` (SQLite or PostgreSQL)."""
    return postgresql.insert if on_postgresql(session) else sqlite.insert
