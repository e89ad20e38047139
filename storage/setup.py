"""Create or upgrade the database and load the catalogue: what ``monitoring-bot init`` does."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from seed.schema import Catalogue
from storage.catalogue_sync import SyncResult, sync_catalogue
from storage.database import session_factory
from storage.migrate import current_revision, head_revision, upgrade


class SchemaOutdated(Exception):
    """The database is missing or older than this version of the code."""


async def init_database(engine: AsyncEngine, catalogue: Catalogue) -> SyncResult:
    """Upgrade the schema in place, then load ``catalogue`` in one transaction."""
    await upgrade(engine)
    async with session_factory(engine)() as session, session.begin():
        return await sync_catalogue(session, catalogue)


async def require_current_schema(engine: AsyncEngine) -> None:
    """Raise :class:`SchemaOutdated` unless ``init`` has brought the schema to the head."""
    if await current_revision(engine) != head_revision():
        raise SchemaOutdated
