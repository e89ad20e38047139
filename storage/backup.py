"""Backups: the database and the evidence copies in one ``.tar.gz``, written while the bot runs.

An archive holds

* ``manifest.json``: what it is, when it was made, the schema revision, rows per table;
* ``datenbank.sqlite3``: the database as a SQLite file, whatever database the bot uses;
* ``belege/…``: the evidence copies from DATA_DIR, as the bot keeps them there.

A SQLite database is copied with SQLite's online backup API, page by page in one read
transaction: a consistent copy, even while the bot writes. A PostgreSQL database is
written into the SQLite file by :func:`storage.transfer.copy_database`, which reads it in
one REPEATABLE READ snapshot. That was chosen over ``pg_dump``/``pg_restore`` because
the archive is then the same for both databases (a backup of one restores into the
other), nothing depends on client tools being installed in the version of the server
(``pg_dump`` refuses newer servers), and it is the code path the move to PostgreSQL uses
and the tests cover. It holds the bot's tables only, which is all the bot needs; a
``pg_dump`` of the whole database remains possible beside it.

Restoring migrates the archive's database to the current schema first (a backup made by
an older version), then copies it into the configured database
(:func:`~storage.transfer.copy_database`, which refuses one holding data unless told to
replace it) and puts the evidence copies back into DATA_DIR.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import secrets
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine
from storage.evidence import EVIDENCE_DIRECTORY
from storage.migrate import alembic_config, upgrade
from storage.setup import SchemaOutdated
from storage.transfer import (
    TABLES,
    CopyResult,
    RowCounts,
    TargetNotEmpty,
    copy_database,
    stored_rows,
)

FORMAT = "monitoring-bot-sicherung"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "datenbank.sqlite3"
PARTIAL_SUFFIX = ".teil"  # a download in progress (conversations.evidence): not a copy yet


class DatabaseMissing(Exception):
    """The SQLite file to back up does not exist."""


class NotABackup(Exception):
    """The file is no archive of this format (or an unsafe one); nothing was changed."""


class BackupTooNew(Exception):
    """The archive's schema revision is unknown to this version of the code."""

    def __init__(self, revision: str) -> None:
        super().__init__(f"unknown schema revision {revision}")
        self.revision = revision


class NoEvidenceDirectory(Exception):
    """The archive holds evidence copies but there is no DATA_DIR to put them."""

    def __init__(self, files: int) -> None:
        super().__init__(f"{files} evidence files and no data directory")
        self.files = files


@dataclass(frozen=True)
class Backup(RowCounts):
    """What an archive holds, as its manifest says."""

    created_at: datetime
    database: str  # the kind of database it was made of: sqlite or postgresql
    revision: str
    rows: dict[str, int]
    evidence_files: int


@dataclass(frozen=True)
class Restored:
    backup: Backup
    copied: CopyResult
    evidence_files: int


# --- writing ---------------------------------------------------------------------------------


async def write_backup(
    engine: AsyncEngine, data_dir: Path | None, destination: Path, now: datetime
) -> Backup:
    """Write the archive of the database behind ``engine`` and the evidence under
    ``data_dir`` to ``destination`` (replaced only once complete; readable by the owner only).

    Raises :class:`DatabaseMissing` for a SQLite file that is not there and
    :class:`~storage.setup.SchemaOutdated` for a database ``init`` has not set up.
    """
    with tempfile.TemporaryDirectory(prefix="monitoring-sicherung-") as work:
        copy = Path(work) / DATABASE
        if engine.dialect.name == "sqlite":
            await asyncio.to_thread(sqlite_backup, _sqlite_path(engine), copy)
        else:
            target = create_engine(_sqlite_url(copy))
            try:
                await copy_database(engine, target)
            finally:
                await target.dispose()
            await asyncio.to_thread(_single_file, copy)
        revision, rows = await asyncio.to_thread(describe_sqlite, copy)
        if revision is None:
            raise SchemaOutdated
        evidence = _evidence_files(data_dir)
        backup = Backup(now.astimezone(UTC), engine.dialect.name, revision, rows, len(evidence))
        await asyncio.to_thread(_write_archive, destination, backup, copy, evidence)
    return backup


def _sqlite_path(engine: AsyncEngine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise DatabaseMissing(database or "")
    path = Path(database)
    if not path.is_file():
        raise DatabaseMissing(database)
    return path


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path.as_posix()}"


def sqlite_backup(source: Path, destination: Path) -> None:
    """Copy the SQLite database ``source`` to the new file ``destination`` with the online
    backup API: in one step, so the copy is one consistent state even while others write.
    The copy is a single file (rollback journal instead of WAL)."""
    # mode=rw: a missing file is an error, not a new empty database
    reading = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    try:
        writing = sqlite3.connect(destination)
        try:
            reading.backup(writing)
        finally:
            writing.close()
        _single_file(destination)
    finally:
        reading.close()


def _single_file(path: Path) -> None:
    """Switch a SQLite file from WAL to a rollback journal: all of it in the one file."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def describe_sqlite(path: Path) -> tuple[str | None, dict[str, int]]:
    """The schema revision of a SQLite file and the rows of each of the bot's tables in it."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        revision = None
        if "alembic_version" in names:
            found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = found[0] if found else None
        rows = {
            table.name: connection.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
            for table in TABLES
            if table.name in names
        }
        return revision, rows
    finally:
        connection.close()


def _evidence_files(data_dir: Path | None) -> list[tuple[Path, str]]:
    """The evidence copies under ``data_dir`` and their names in the archive, sorted."""
    if data_dir is None:
        return []
    root = data_dir / EVIDENCE_DIRECTORY
    if not root.is_dir():
        return []
    return [
        (path, f"{EVIDENCE_DIRECTORY}/{path.relative_to(root).as_posix()}")
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink() and not path.name.endswith(PARTIAL_SUFFIX)
    ]


def _write_archive(
    destination: Path, backup: Backup, database: Path, evidence: list[tuple[Path, str]]
) -> None:
    manifest = json.dumps(
        {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": backup.created_at.isoformat(),
            "database": backup.database,
            "revision": backup.revision,
            "tables": backup.rows,
            "evidence_files": backup.evidence_files,
        },
        ensure_ascii=False,
        indent=2,
    ).encode()
    temporary = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.tmp")
    # personal data: readable by the owner only, whatever the umask
    handle = os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    try:
        with handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = (
                len(manifest),
                int(backup.created_at.timestamp()),
                0o600,
            )
            archive.addfile(info, io.BytesIO(manifest))
            archive.add(database, arcname=DATABASE, recursive=False)
            for path, name in evidence:
                archive.add(path, arcname=name, recursive=False)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


# --- reading and restoring -------------------------------------------------------------------


def read_backup(path: Path) -> Backup:
    """The manifest of the archive ``path``; :class:`NotABackup` for anything else, and for
    an archive with members outside its layout (absolute paths, ``..``, links, devices)."""
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            members = archive.getmembers()
            for member in members:
                _check_member(member)
            names = {member.name for member in members}
            if MANIFEST not in names or DATABASE not in names:
                raise NotABackup
            handle = archive.extractfile(MANIFEST)
            assert handle is not None  # a regular file, checked above
            manifest = json.loads(handle.read().decode())
    except (tarfile.TarError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as error:
        raise NotABackup from error
    return _backup(manifest)


def _check_member(member: tarfile.TarInfo) -> None:
    name = PurePosixPath(member.name)
    if member.name in (MANIFEST, DATABASE):
        if not member.isreg():
            raise NotABackup
        return
    if (
        name.is_absolute()
        or not name.parts
        or name.parts[0] != EVIDENCE_DIRECTORY
        or any(part in ("", ".", "..") for part in name.parts)
        or "\\" in member.name
        or not (member.isreg() or member.isdir())
    ):
        raise NotABackup


def _backup(manifest: Any) -> Backup:
    try:
        if manifest["format"] != FORMAT or manifest["version"] != FORMAT_VERSION:
            raise NotABackup
        rows = {str(name): int(count) for name, count in manifest["tables"].items()}
        return Backup(
            created_at=datetime.fromisoformat(manifest["created_at"]).astimezone(UTC),
            database=str(manifest["database"]),
            revision=str(manifest["revision"]),
            rows=rows,
            evidence_files=int(manifest["evidence_files"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise NotABackup from error


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


async def restore_backup(
    archive: Path, engine: AsyncEngine, data_dir: Path | None, *, replace: bool = False
) -> Restored:
    """Put the database and the evidence copies of ``archive`` back.

    The database behind ``engine`` must hold no data unless ``replace`` is given
    (:class:`~storage.transfer.TargetNotEmpty`); it ends at the current schema with the
    archive's rows. Evidence copies go to ``data_dir``, replacing files of the same name.
    Nothing is changed when the archive is refused (:class:`NotABackup`,
    :class:`BackupTooNew`, :class:`NoEvidenceDirectory`).
    """
    backup = await asyncio.to_thread(read_backup, archive)
    if backup.revision not in known_revisions():
        raise BackupTooNew(backup.revision)
    if backup.evidence_files and data_dir is None:
        raise NoEvidenceDirectory(backup.evidence_files)
    if not replace:
        rows = await stored_rows(engine)
        if rows:
            raise TargetNotEmpty(rows)
    with tempfile.TemporaryDirectory(prefix="monitoring-wiederherstellung-") as work:
        copy = Path(work) / DATABASE
        await asyncio.to_thread(_extract, archive, DATABASE, copy)
        source = create_engine(_sqlite_url(copy))
        try:
            await upgrade(source)  # a backup of an older version
            copied = await copy_database(source, engine, replace=replace)
        finally:
            await source.dispose()
    files = 0
    if data_dir is not None:
        files = await asyncio.to_thread(_extract_evidence, archive, data_dir)
    return Restored(backup, copied, files)


def _extract(archive: Path, name: str, destination: Path) -> None:
    with tarfile.open(archive, mode="r:gz") as opened:
        source = opened.extractfile(name)
        assert source is not None
        with source, open(destination, "xb") as target:
            shutil.copyfileobj(source, target)


def _extract_evidence(archive: Path, data_dir: Path) -> int:
    """Write the archive's evidence copies under ``data_dir``; how many."""
    written = 0
    with tarfile.open(archive, mode="r:gz") as opened:
        for member in opened:
            _check_member(member)
            if not member.isreg() or member.name in (MANIFEST, DATABASE):
                continue
            target = data_dir.joinpath(*PurePosixPath(member.name).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + PARTIAL_SUFFIX)
            source = opened.extractfile(member)
            assert source is not None
            with source, open(partial, "wb") as handle:
                shutil.copyfileobj(source, handle)
            partial.replace(target)
            written += 1
    return written
