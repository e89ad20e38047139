"""Migrations are the only way the schema changes, and they keep rows."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Base, Contact, Role
from storage.setup import init_database


async def test_migrations_build_exactly_the_models(engine: AsyncEngine) -> None:
    await upgrade(engine)

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []
    assert await current_revision(engine) == head_revision()


async def test_init_upgrades_in_place_without_losing_rows(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session:
        session.add(Contact(telegram_user_id=7, display_name="Max", role=Role.COORDINATOR))
        await session.commit()
    await init_database(engine, mainz)
    async with sessions() as session:
        names = list(await session.scalars(select(Contact.display_name)))
    assert names == ["Max"]
