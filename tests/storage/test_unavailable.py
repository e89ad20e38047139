"""Which database errors mean "not now" (ask to try again) and which are bugs."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import is_unavailable


def sqlite_error(message: str) -> OperationalError:
    return OperationalError("UPDATE …", {}, sqlite3.OperationalError(message))


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (sqlite_error("database is locked"), True),
        (sqlite_error("unable to open database file"), True),
        (sqlite_error("no such table: reports"), False),
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (TimeoutError(), True),
        (ValueError("a bug"), False),
    ],
)
def test_kinds_of_errors(error: BaseException, unavailable: bool) -> None:
    assert is_unavailable(error) is unavailable


async def test_a_missing_table_is_a_bug_on_either_database(engine: AsyncEngine) -> None:
    with pytest.raises(DBAPIError) as raised:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT * FROM no_such_table"))
    assert not is_unavailable(raised.value)
