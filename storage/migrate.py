"""Schema migrations with Alembic, run programmatically on the application's engine."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(Path(str(resources.files("storage"))) / "migrations")
    )
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in place; existing rows are kept."""
    await _migrate(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema back to ``revision`` (for going back to an older version)."""
    await _migrate(engine, lambda config: command.downgrade(config, revision))


async def _migrate(engine: AsyncEngine, step: Callable[[Config], None]) -> None:
    """Run a migration step in one transaction.

    On SQLite, Alembic changes a table by copying it into a new one and dropping the old.
    With foreign keys enforced, dropping ``reports`` would delete every answer through
    ``ON DELETE CASCADE``; so they are off while migrating (the pragma only takes effect
    outside a transaction) and the result is checked before it is committed.
    """
    sqlite = engine.dialect.name == "sqlite"

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config)
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"migration left rows without their references: {broken[:5]}")

    async with engine.connect() as connection:
        if sqlite:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()  # ends SQLAlchemy's autobegun transaction; SQLite had none
        try:
            async with connection.begin():
                await connection.run_sync(run)
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()
