"""Backups: the database and the evidence copies in one archive, and back again."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import sqlite3
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.backup import (
    DATABASE,
    MANIFEST,
    BackupTooNew,
    NoEvidenceDirectory,
    NotABackup,
    read_backup,
    restore_backup,
    write_backup,
)
from storage.database import create_engine
from storage.migrate import current_revision, head_revision, upgrade
from storage.transfer import TargetNotEmpty, stored_rows
from tests.sample_data import EVIDENCE_BYTES, NOW, every_row, fill, history


def sqlite_engine(path: Path) -> AsyncEngine:
    return create_engine(f"sqlite+aiosqlite:///{path}")


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """The database of a bot in use."""
    engine = sqlite_engine(tmp_path / "bot" / "monitoring.sqlite3")
    yield engine
    await engine.dispose()


async def test_backup_and_restore_bring_back_every_row_and_the_evidence(
    running: AsyncEngine, engine: AsyncEngine, tmp_path: Path
) -> None:
    """From SQLite into a new SQLite database, or into PostgreSQL."""
    data_dir = tmp_path / "bot"
    sample = await fill(running, data_dir)
    (data_dir / sample.evidence_path).with_name("9-halb.pdf.teil").write_bytes(b"halb")
    archive = tmp_path / "sicherung.tar.gz"

    made = await write_backup(running, data_dir, archive, NOW)

    assert archive.stat().st_mode & 0o777 == 0o600  # personal data
    assert (made.database, made.revision, made.evidence_files) == ("sqlite", head_revision(), 1)
    assert made.rows["reports"] == 2
    assert read_backup(archive) == made
    with tarfile.open(archive) as opened:
        assert sorted(opened.getnames()) == sorted([MANIFEST, DATABASE, sample.evidence_path])

    restored_dir = tmp_path / "neu"
    restored = await restore_backup(archive, engine, restored_dir)
    assert restored.copied.rows == made.rows
    assert restored.evidence_files == 1
    assert await every_row(engine) == await every_row(running)
    assert await history(engine, sample.measure_id) == await history(running, sample.measure_id)
    assert await current_revision(engine) == head_revision()
    assert (restored_dir / sample.evidence_path).read_bytes() == EVIDENCE_BYTES
    assert not list(restored_dir.rglob("*.teil"))


async def test_restore_refuses_a_database_with_data_unless_replacing(
    running: AsyncEngine, tmp_path: Path
) -> None:
    data_dir = tmp_path / "bot"
    sample = await fill(running, data_dir)
    archive = tmp_path / "sicherung.tar.gz"
    await write_backup(running, data_dir, archive, NOW)
    # later: a third version is submitted and the copy of the evidence gets damaged
    async with running.begin() as connection:
        await connection.exec_driver_sql("UPDATE reports SET indicator_note = 'später'")
    (data_dir / sample.evidence_path).write_bytes(b"kaputt")
    changed = await every_row(running)

    with pytest.raises(TargetNotEmpty) as refused:
        await restore_backup(archive, running, data_dir)
    assert refused.value.rows == await stored_rows(running)
    assert await every_row(running) == changed
    assert (data_dir / sample.evidence_path).read_bytes() == b"kaputt"

    restored = await restore_backup(archive, running, data_dir, replace=True)

    assert restored.copied.rows["reports"] == 2
    rows = await every_row(running)
    assert rows != changed
    assert {row[6] for row in rows["reports"]} == {"3 von 5 Wohnungen"}  # indicator_note
    assert (data_dir / sample.evidence_path).read_bytes() == EVIDENCE_BYTES


async def test_a_backup_of_an_older_schema_is_restored_at_the_current_one(
    tmp_path: Path,
) -> None:
    old = sqlite_engine(tmp_path / "alt.sqlite3")
    try:
        await upgrade(old, "0010")
        await write_backup(old, None, tmp_path / "alt.tar.gz", NOW)
    finally:
        await old.dispose()
    assert read_backup(tmp_path / "alt.tar.gz").revision.startswith("0010")

    target = sqlite_engine(tmp_path / "neu.sqlite3")
    try:
        await restore_backup(tmp_path / "alt.tar.gz", target, None)
        assert await current_revision(target) == head_revision()
    finally:
        await target.dispose()


async def test_a_backup_does_not_wait_for_a_writer_nor_take_what_it_has_not_committed(
    running: AsyncEngine, tmp_path: Path
) -> None:
    await fill(running, None)
    database = running.url.database
    assert database is not None
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM target_answers")  # half of a change, not committed
        made = await write_backup(running, None, tmp_path / "s.tar.gz", NOW)
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert made.rows["target_answers"] == 4


def rewrite(archive: Path, change: dict[str, bytes | None]) -> None:
    """Replace (or with None drop) members of ``archive``; new names are added."""
    with tarfile.open(archive) as opened:
        members = [(m, opened.extractfile(m).read() if m.isreg() else None) for m in opened]  # type: ignore[union-attr]
    with tarfile.open(archive, "w:gz") as written:
        names = set()
        for member, content in members:
            names.add(member.name)
            if member.name in change:
                content = change[member.name]
                if content is None:
                    continue
                member.size = len(content)
            written.addfile(member, io.BytesIO(content) if content is not None else None)
        for name, content in change.items():
            if name not in names and content is not None:
                info = tarfile.TarInfo(name)
                info.size = len(content)
                written.addfile(info, io.BytesIO(content))


@pytest.fixture(scope="module")
def made_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the sample, written once for the tests that take it apart."""
    directory = tmp_path_factory.mktemp("sicherung")

    async def make() -> None:
        engine = sqlite_engine(directory / "bot" / "monitoring.sqlite3")
        try:
            await fill(engine, directory / "bot")
            await write_backup(engine, directory / "bot", directory / "sicherung.tar.gz", NOW)
        finally:
            await engine.dispose()

    asyncio.run(make())
    return directory / "sicherung.tar.gz"


@pytest.fixture
def archive(made_once: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(made_once, tmp_path / "sicherung.tar.gz"))


@pytest.mark.parametrize(
    "change",
    [
        {"belege/../../ausserhalb.txt": b"boese"},
        {"/etc/ausserhalb.txt": b"boese"},
        {"anderes.txt": b"?"},
        {DATABASE: None},
        {MANIFEST: b"{kein json"},
        {MANIFEST: json.dumps({"format": "etwas anderes", "version": 1}).encode()},
    ],
)
async def test_anything_but_a_backup_is_refused_before_changing_anything(
    archive: Path, tmp_path: Path, change: dict[str, bytes | None]
) -> None:
    rewrite(archive, change)
    target_dir = tmp_path / "neu"
    target = sqlite_engine(target_dir / "monitoring.sqlite3")
    try:
        with pytest.raises(NotABackup):
            await restore_backup(archive, target, target_dir)
        assert await stored_rows(target) == 0
    finally:
        await target.dispose()
    assert not (tmp_path / "ausserhalb.txt").exists()
    assert not (target_dir / "belege").exists()


async def test_a_text_file_is_no_backup(tmp_path: Path) -> None:
    (tmp_path / "notiz.tar.gz").write_text("Hallo")
    with pytest.raises(NotABackup):
        read_backup(tmp_path / "notiz.tar.gz")


async def test_a_backup_of_a_newer_version_or_with_evidence_but_no_data_dir_is_refused(
    archive: Path, tmp_path: Path
) -> None:
    target = sqlite_engine(tmp_path / "neu.sqlite3")
    try:
        with pytest.raises(NoEvidenceDirectory):
            await restore_backup(archive, target, None)
        with tarfile.open(archive) as opened:
            handle = opened.extractfile(MANIFEST)
            assert handle is not None
            manifest = json.loads(handle.read())
        rewrite(archive, {MANIFEST: json.dumps({**manifest, "revision": "9999"}).encode()})
        with pytest.raises(BackupTooNew):
            await restore_backup(archive, target, tmp_path / "daten")
        assert await stored_rows(target) == 0
    finally:
        await target.dispose()
