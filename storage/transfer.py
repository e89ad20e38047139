"""Every row of the bot's tables from one database into another (SQLite or PostgreSQL).

``monitoring-bot copy-database`` moves a running installation from SQLite to PostgreSQL
with it, and backups (:mod:`storage.backup`) use it to write a PostgreSQL database into
a SQLite file and to restore one. The copy keeps the primary keys, so every reference,
version and history entry stays as it was:

* the source is read in one snapshot (a read transaction on SQLite, REPEATABLE READ on
  PostgreSQL), so a bot writing meanwhile cannot leave half a submission in the copy;
* the target is brought to the current schema by the migrations, then filled in one
  transaction, table by table in foreign-key order, in batches;
* on PostgreSQL each id sequence is set past the highest id copied, so the next row the
  bot inserts does not collide with a copied one;
* at the end the number of rows of every table is compared; a difference undoes it all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import Table, false, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.migrate import upgrade
from storage.models import Base
from storage.setup import require_current_schema

# Parents before children: a row's references are always copied before the row.
TABLES: tuple[Table, ...] = tuple(Base.metadata.sorted_tables)
BATCH_SIZE = 1000
# Rows the migrations themselves write into a new database (the counter of migration 0005):
# a database holding only these holds no data.
MIGRATION_ROWS = frozenset({"revisions"})


class TargetNotEmpty(Exception):
    """The target database holds data already; nothing was changed."""

    def __init__(self, rows: int) -> None:
        super().__init__(f"the target database holds {rows} rows")
        self.rows = rows


class CountMismatch(Exception):
    """After copying, a table of the target has another number of rows than the source's."""

    def __init__(self, differences: dict[str, tuple[int, int]]) -> None:
        super().__init__(f"row counts differ (source, target): {differences}")
        self.differences = differences


class RowCounts:
    """Rows per table (``rows``), and the two figures the operator's summary gives."""

    rows: dict[str, int]

    @property
    def tables(self) -> int:
        return len(self.rows)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True)
class CopyResult(RowCounts):
    """The rows of each table after the copy, in copy order (equal in source and target)."""

    rows: dict[str, int]


async def stored_rows(engine: AsyncEngine) -> int:
    """How many rows of data the bot's tables hold; 0 for a database without them."""
    async with engine.connect() as connection:
        names = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        total = 0
        for table in TABLES:
            if table.name in names and table.name not in MIGRATION_ROWS:
                total += await connection.scalar(select(func.count()).select_from(table)) or 0
        return total


async def row_counts(connection: AsyncConnection) -> dict[str, int]:
    """The number of rows of every table, in copy order."""
    return {
        table.name: await connection.scalar(select(func.count()).select_from(table)) or 0
        for table in TABLES
    }


@asynccontextmanager
async def snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection that reads one consistent state of the database, however long it
    reads and whatever others write meanwhile; it changes nothing."""
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            reading = await connection.execution_options(isolation_level="REPEATABLE READ")
            await reading.begin()
            await reading.exec_driver_sql("SET TRANSACTION READ ONLY")
        else:
            # Python's sqlite3 only begins a transaction before a change; without one each
            # SELECT would see the latest commit. In WAL mode writers go on meanwhile.
            reading = connection
            await reading.exec_driver_sql("BEGIN")
        try:
            yield reading
        finally:
            await reading.rollback()


async def copy_rows(
    source: AsyncConnection, target: AsyncConnection, batch_size: int = BATCH_SIZE
) -> dict[str, int]:
    """Insert every row of ``source`` into ``target`` with its primary key; rows by table."""
    copied: dict[str, int] = {}
    for table in TABLES:
        copied[table.name] = 0
        result = await source.stream(select(table).order_by(*table.primary_key.columns))
        async for batch in result.partitions(batch_size):
            rows = [{column.key: row._mapping[column] for column in table.columns} for row in batch]
            await target.execute(table.insert(), rows)
            copied[table.name] += len(rows)
    return copied


async def reset_sequences(connection: AsyncConnection) -> None:
    """On PostgreSQL, let every id sequence continue after the highest id in its table."""
    if connection.dialect.name != "postgresql":
        return  # SQLite gives a new row the highest id plus one by itself
    quote = connection.dialect.identifier_preparer.quote
    for table in TABLES:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(quote(table.name), column.name)
        following = func.coalesce(func.max(column), 0) + 1
        # is_called false: the next nextval() returns ``following`` itself
        await connection.execute(select(func.setval(sequence, following, false())))


async def _delete_all(connection: AsyncConnection) -> None:
    for table in reversed(TABLES):
        await connection.execute(table.delete())


async def copy_database(
    source: AsyncEngine,
    target: AsyncEngine,
    *,
    replace: bool = False,
    batch_size: int = BATCH_SIZE,
) -> CopyResult:
    """Copy all data of ``source`` (at the current schema) into ``target``.

    ``target`` must hold no data (:class:`TargetNotEmpty`, nothing changed) unless
    ``replace`` is given; then its data is replaced, in the same transaction. Raises
    :class:`~storage.setup.SchemaOutdated` for a source that ``init`` has not brought to
    the current schema and :class:`CountMismatch` (nothing changed) if the row counts of
    source and target differ at the end.
    """
    await require_current_schema(source)
    if not replace:
        rows = await stored_rows(target)
        if rows:
            raise TargetNotEmpty(rows)
    await upgrade(target)
    async with snapshot(source) as reading, target.begin() as writing:
        if not replace:  # checked again: someone may have written since
            found = await row_counts(writing)
            rows = sum(n for name, n in found.items() if name not in MIGRATION_ROWS)
            if rows:
                raise TargetNotEmpty(rows)
        await _delete_all(writing)  # the migrations' own rows, or the data being replaced
        copied = await copy_rows(reading, writing, batch_size)
        await reset_sequences(writing)
        expected = await row_counts(reading)
        found = await row_counts(writing)
        differences = {
            name: (expected[name], found[name])
            for name in expected
            if not expected[name] == found[name] == copied[name]
        }
        if differences:
            raise CountMismatch(differences)
    return CopyResult(found)
