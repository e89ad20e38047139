"""The operator's commands as installed: backup, restore and copy-database, with the
commands the README's "Betrieb" section names, and their one-line refusals."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.database import create_engine, session_factory
from storage.migrate import current_revision, head_revision
from storage.models import Contact, Role
from storage.people import add_contact
from tests.e2e.test_cli_process import run_cli
from tests.environment import without_settings
from tests.sample_data import EVIDENCE_BYTES, NOW, every_row, fill

DATABASE_FILE = "monitoring.sqlite3"  # in DATA_DIR, where no DATABASE_URL is set


def operator(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of an operator's shell: DATA_DIR, and DATABASE_URL if given."""
    env = without_settings(dict(os.environ))
    env["DATA_DIR"] = str(data_dir)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / DATABASE_FILE}"


def summary(rows: dict[str, list[Any]]) -> str:
    """How the commands count tables and rows: "24 Tabellen, 175 Zeilen"."""
    return f"{len(rows)} Tabellen, {sum(len(table) for table in rows.values())} Zeilen"


def data_rows(rows: dict[str, list[Any]]) -> int:
    """The rows that make a database one holding data (not the migrations' counter)."""
    return sum(len(table) for name, table in rows.items() if name != "revisions")


def one_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.strip()


async def test_backup_and_restore_on_sqlite(tmp_path: Path) -> None:
    data_dir = tmp_path / "daten"
    running = create_engine(sqlite_url(data_dir))
    try:
        sample = await fill(running, data_dir)
        before = await every_row(running)
    finally:
        await running.dispose()
    counts = summary(before)

    code, out, err = await run_cli(operator(data_dir), tmp_path, "backup", "sicherung.tar.gz")
    assert (code, err) == (0, "")
    assert out == f"Sicherung geschrieben: sicherung.tar.gz ({counts}, 1 Beleg).\n"

    # on a new machine: another DATA_DIR, nothing set up there yet
    new_dir = tmp_path / "neu"
    code, out, err = await run_cli(operator(new_dir), tmp_path, "restore", "sicherung.tar.gz")
    assert (code, err) == (0, ""), err
    lines = out.splitlines()
    assert lines[0].startswith("Sicherung vom ")
    assert lines[0].endswith(f"{new_dir / DATABASE_FILE} ({counts}, 1 Beleg).")
    assert lines[1:] == [
        f"Datenbank {sqlite_url(new_dir)} ist auf dem neuesten Stand.",
        "Katalog unverändert.",
    ]
    assert (new_dir / sample.evidence_path).read_bytes() == EVIDENCE_BYTES
    restored = create_engine(sqlite_url(new_dir))
    try:
        assert await every_row(restored) == before
        assert await current_revision(restored) == head_revision()
    finally:
        await restored.dispose()

    # a second restore would overwrite what is there now: only with --force
    code, out, err = await run_cli(operator(new_dir), tmp_path, "restore", "sicherung.tar.gz")
    assert (code, out) == (2, "")
    assert one_line(err) == (
        f"Die Datenbank {sqlite_url(new_dir)} enthält bereits Daten ({data_rows(before)} Zeilen); "
        "mit --force wird sie durch die Sicherung ersetzt."
    )
    code, out, err = await run_cli(
        operator(new_dir), tmp_path, "restore", "--force", "sicherung.tar.gz"
    )
    assert (code, err) == (0, "")
    assert f"({counts}, 1 Beleg)" in out

    # the restored database serves the other commands, as after "init"
    inviting = {**operator(new_dir), "BOT_USERNAME": "mainz_monitoring_bot"}
    code, out, err = await run_cli(inviting, tmp_path, "invite", "--coordinator")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith("https://t.me/mainz_monitoring_bot?start=")


async def test_refusals_are_one_line(tmp_path: Path) -> None:
    """The installed script says no in one line, without a traceback or log lines (every
    refusal is in tests/bot/test_cli_operations.py, run in-process)."""
    empty = operator(tmp_path / "leer")
    (tmp_path / "notiz.txt").write_text("keine Sicherung")
    cases = [
        (("restore", "notiz.txt"), 2, "notiz.txt ist keine Sicherung des Monitoring-Bots."),
        (
            ("backup", "s.tar.gz"),
            1,
            f"Die Datenbank {sqlite_url(tmp_path / 'leer')} ist noch nicht eingerichtet oder "
            "veraltet. Bitte zuerst 'monitoring-bot init' ausführen.",
        ),
        (
            ("copy-database", "--to", "postgresql+asyncpg://postgres:geheim@127.0.0.1:9/ziel"),
            1,
            "Datenbank postgresql+asyncpg://postgres:***@127.0.0.1:9/ziel nicht erreichbar: ",
        ),
    ]
    for args, expected_code, expected in cases:
        code, out, err = await run_cli(empty, tmp_path, *args)
        assert (code, out) == (expected_code, ""), (args, err)
        assert one_line(err).startswith(expected), args
        assert "geheim" not in err
    assert not (tmp_path / "s.tar.gz").exists()


@pytest.mark.postgres
async def test_moving_from_sqlite_to_postgresql_and_back_up(
    tmp_path: Path, postgres_database: str
) -> None:
    data_dir = tmp_path / "daten"
    sqlite = create_engine(sqlite_url(data_dir))
    try:
        sample = await fill(sqlite, data_dir)
        before = await every_row(sqlite)
    finally:
        await sqlite.dispose()
    counts = summary(before)

    code, out, err = await run_cli(
        operator(data_dir), tmp_path, "copy-database", "--to", postgres_database
    )
    assert (code, err) == (0, ""), err
    assert out.splitlines() == [
        f"Kopiert nach {postgres_database}: {counts}; die Zeilenzahl jeder Tabelle stimmt überein.",
        "Setzen Sie nun DATABASE_URL auf die neue Datenbank und starten Sie den Bot neu.",
    ]
    postgres = create_engine(postgres_database)
    try:
        assert await every_row(postgres) == before
        async with session_factory(postgres)() as session, session.begin():
            newcomer = await add_contact(
                session, telegram_user_id=999, display_name="Nina Neu", role=Role.CONTACT, now=NOW
            )
            highest = await session.scalar(select(func.max(Contact.id)))
            assert newcomer.id == highest == len(before["contacts"]) + 1
        now = await every_row(postgres)
    finally:
        await postgres.dispose()

    code, out, err = await run_cli(
        operator(data_dir), tmp_path, "copy-database", "--to", postgres_database
    )
    assert (code, out) == (2, "")
    assert one_line(err) == (
        f"Die Zieldatenbank {postgres_database} enthält bereits Daten ({data_rows(now)} Zeilen); "
        "bitte eine leere Datenbank angeben."
    )

    # the bot now runs on PostgreSQL: init after an update, then a backup ...
    on_postgres = operator(data_dir, postgres_database)
    code, out, err = await run_cli(on_postgres, tmp_path, "init")
    assert (code, err) == (0, "")
    assert out.endswith("Katalog unverändert.\n")
    code, out, err = await run_cli(on_postgres, tmp_path, "backup", "pg.tar.gz")
    assert (code, err) == (0, "")
    assert out == f"Sicherung geschrieben: pg.tar.gz ({summary(now)}, 1 Beleg).\n"

    # ... which restores anywhere, here into SQLite on another machine
    elsewhere = tmp_path / "anderswo"
    code, out, err = await run_cli(operator(elsewhere), tmp_path, "restore", "pg.tar.gz")
    assert (code, err) == (0, ""), err
    assert (elsewhere / sample.evidence_path).read_bytes() == EVIDENCE_BYTES
    restored = create_engine(sqlite_url(elsewhere))
    postgres = create_engine(postgres_database)
    try:
        assert await every_row(restored) == await every_row(postgres)
    finally:
        await restored.dispose()
        await postgres.dispose()
