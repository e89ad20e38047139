"""Shared fixtures: a fresh database per test, on SQLite and (where reachable) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.loader import load_catalogue
from seed.schema import Catalogue
from storage.database import create_engine, session_factory

DEFAULT_TEST_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow", action="store_true", help="also run the long variants (marked slow)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="long variant: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


_postgres_problem: dict[str, str | None] = {}


def postgres_url() -> str | None:
    """TEST_DATABASE_URL, the local default when unset, or None when set to empty."""
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    return url or None


async def _postgres_unavailable(url: str) -> str | None:
    """Why PostgreSQL cannot be used for tests, or None if it can (checked once per run)."""
    if url not in _postgres_problem:
        try:
            import asyncpg  # noqa: F401
        except ImportError:
            _postgres_problem[url] = "asyncpg is not installed (pip install '.[postgres]')"
            return _postgres_problem[url]
        engine = create_engine(url)
        try:
            async with engine.connect():
                pass
            _postgres_problem[url] = None
        except Exception as error:  # any failure to connect means: skip, with the reason
            _postgres_problem[url] = f"PostgreSQL at {url} is not reachable: {error}"
        finally:
            await engine.dispose()
    return _postgres_problem[url]


async def usable_postgres_url() -> str:
    """The test PostgreSQL's URL; the test is skipped (failed under REQUIRE_POSTGRES) with
    the reason where it cannot be used."""
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL tests disabled: TEST_DATABASE_URL is empty")
    problem = await _postgres_unavailable(url)
    if problem:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"{problem} (REQUIRE_POSTGRES is set)")
        pytest.skip(problem)
    return url


@pytest.fixture
async def postgres_database() -> AsyncIterator[str]:
    """The URL of a new, empty PostgreSQL database of the test's own (for a bot process or
    a command that is given a URL), dropped afterwards."""
    async with own_postgres_database() as url:
        yield url


@asynccontextmanager
async def own_postgres_database(url: str | None = None, prefix: str = "test") -> AsyncIterator[str]:
    """See :func:`postgres_database`; on the server of ``url`` (default: the tests')."""
    url = url or await usable_postgres_url()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty database. PostgreSQL tests get a schema of their own, dropped afterwards."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}")
        yield engine
        await engine.dispose()
        return
    url = await usable_postgres_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    async with admin.begin() as connection:
        await connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture(scope="session")
def mainz() -> Catalogue:
    """The bundled Mainz catalogue."""
    return load_catalogue()
