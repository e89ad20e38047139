"""The operator's commands for the data: ``backup``, ``restore`` and ``copy-database``.

The work itself is in :mod:`storage.backup` and :mod:`storage.transfer`; here are the
checks of the arguments and every message, each one line in German.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import EXIT_OK, EXIT_USAGE, CommandError
from bot.config.settings import ASYNC_DRIVERS, Settings
from bot.render import texts
from conversations.framework import utcnow
from seed.loader import load_catalogue
from storage.backup import (
    BackupTooNew,
    DatabaseMissing,
    NoEvidenceDirectory,
    NotABackup,
    restore_backup,
    write_backup,
)
from storage.database import create_engine
from storage.process_lock import DatabaseInUse, sole_process
from storage.setup import SchemaOutdated, init_database
from storage.transfer import CountMismatch, TargetNotEmpty, copy_database

NOT_SET_UP = (
    "Die Datenbank {label} ist noch nicht eingerichtet oder veraltet. "
    "Bitte zuerst 'monitoring-bot init' ausführen."
)


def label(url: str | URL) -> str:
    """A database address as it may be shown: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def one_line(error: BaseException) -> str:
    """The gist of an error in one line (the driver's message, not SQLAlchemy's wrapping)."""
    detail = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(detail).strip().splitlines()
    return lines[0] if lines else type(detail).__name__


async def reachable(engine: AsyncEngine) -> None:
    """Connect once, so an unreachable database is one line before any work starts."""
    try:
        async with engine.connect():
            pass
    except (SQLAlchemyError, OSError) as error:
        raise CommandError(
            f"Datenbank {label(engine.url)} nicht erreichbar: {one_line(error)}"
        ) from None


def _alone(settings: Settings, url: str, work: Callable[[], Awaitable[int]]) -> int:
    """:func:`_run` while holding the lock of the SQLite file ``url`` (see
    storage.process_lock): never beside a running bot, and no bot starts meanwhile."""
    try:
        with sole_process(url):
            return _run(settings, work)
    except DatabaseInUse as error:
        raise CommandError(
            texts.database_in_use(label(url), error.pid, texts.IN_USE_MAINTENANCE)
        ) from None


def _run(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    """Run ``work``; failures of the database or of files become one line (exit code 1)."""

    async def guarded() -> int:
        try:
            return await work()
        except SchemaOutdated:
            raise CommandError(
                NOT_SET_UP.format(label=label(settings.effective_database_url))
            ) from None
        except CountMismatch as error:
            tables = ", ".join(sorted(error.differences))
            raise CommandError(
                f"Die Zeilenzahl stimmt nach dem Kopieren nicht überein ({tables}); "
                "es wurde nichts übernommen."
            ) from None
        except SQLAlchemyError as error:
            raise CommandError(f"Datenbankfehler: {one_line(error)}") from None
        except OSError as error:
            raise CommandError(f"Dateifehler: {one_line(error)}") from None

    return asyncio.run(guarded())


def _count(number: int, one: str, several: str) -> str:
    return f"{number} {one if number == 1 else several}"


def _summary(tables: int, rows: int, files: int | None = None) -> str:
    parts = [_count(tables, "Tabelle", "Tabellen"), _count(rows, "Zeile", "Zeilen")]
    if files is not None:
        parts.append(_count(files, "Beleg", "Belege"))
    return ", ".join(parts)


# --- backup ----------------------------------------------------------------------------------


def backup(file: Path, settings: Settings, out: TextIO) -> int:
    if file.is_dir():
        raise CommandError(
            f"{file} ist ein Verzeichnis; bitte einen Dateinamen angeben.", EXIT_USAGE
        )
    if not file.parent.is_dir():
        raise CommandError(f"Das Verzeichnis {file.parent} gibt es nicht.", EXIT_USAGE)
    url = settings.effective_database_url

    async def work() -> int:
        engine = create_engine(url)
        try:
            if engine.dialect.name != "sqlite":
                await reachable(engine)
            try:
                made = await write_backup(engine, settings.data_dir, file, utcnow())
            except DatabaseMissing:
                raise SchemaOutdated from None
            except sqlite3.Error as error:
                raise CommandError(f"Datenbank {label(url)} nicht lesbar: {error}") from None
        finally:
            await engine.dispose()
        summary = _summary(made.tables, made.total, made.evidence_files)
        print(f"Sicherung geschrieben: {file} ({summary}).", file=out)
        return EXIT_OK

    return _run(settings, work)


# --- restore ---------------------------------------------------------------------------------


def restore(file: Path, force: bool, settings: Settings, out: TextIO) -> int:
    if not file.is_file():
        raise CommandError(f"Sicherung {file} nicht gefunden.", EXIT_USAGE)
    catalogue = load_catalogue(settings.catalogue_path)  # a broken one is refused up front
    url = settings.effective_database_url

    async def work() -> int:
        engine = create_engine(url)
        try:
            await reachable(engine)
            try:
                restored = await restore_backup(file, engine, settings.data_dir, replace=force)
            except NotABackup:
                raise CommandError(
                    f"{file} ist keine Sicherung des Monitoring-Bots.", EXIT_USAGE
                ) from None
            except BackupTooNew as error:
                raise CommandError(
                    f"Die Sicherung stammt von einer neueren Version des Bots (Schema "
                    f"{error.revision}); bitte zuerst die neue Version installieren.",
                    EXIT_USAGE,
                ) from None
            except NoEvidenceDirectory as error:
                raise CommandError(
                    f"Die Sicherung enthält {_count(error.files, 'Beleg', 'Belege')}, aber "
                    "DATA_DIR ist leer; "
                    "bitte DATA_DIR setzen.",
                    EXIT_USAGE,
                ) from None
            except TargetNotEmpty as error:
                raise CommandError(
                    f"Die Datenbank {label(url)} enthält bereits Daten "
                    f"({_count(error.rows, 'Zeile', 'Zeilen')}); "
                    "mit --force wird sie durch die Sicherung ersetzt.",
                    EXIT_USAGE,
                ) from None
            synced = await init_database(engine, catalogue)
        finally:
            await engine.dispose()
        made = restored.backup.created_at.astimezone(settings.zone)
        copied = restored.copied
        summary = _summary(copied.tables, copied.total, restored.evidence_files)
        print(
            f"Sicherung vom {made:%d.%m.%Y %H:%M} zurückgespielt nach {label(url)} ({summary}).",
            file=out,
        )
        print(f"Datenbank {label(url)} ist auf dem neuesten Stand.", file=out)
        print(synced.describe(), file=out)
        return EXIT_OK

    return _alone(settings, url, work)


# --- copy-database ---------------------------------------------------------------------------


def target_url(value: str) -> str:
    """``--to`` as an address the bot can use; one line (exit code 2) otherwise."""
    expected = "--to: erwartet sqlite+aiosqlite:///… oder postgresql+asyncpg://…"
    try:
        url = make_url(value)
    except ArgumentError:
        raise CommandError(expected, EXIT_USAGE) from None
    wanted = ASYNC_DRIVERS.get(url.get_backend_name())
    if wanted is None:
        raise CommandError(expected, EXIT_USAGE)
    if url.drivername != wanted:
        raise CommandError(
            f"--to braucht den asynchronen Treiber: bitte {wanted}://… statt "
            f"{url.drivername}://… angeben",
            EXIT_USAGE,
        )
    if url.get_backend_name() == "postgresql" and importlib.util.find_spec("asyncpg") is None:
        raise CommandError(
            "--to: für PostgreSQL fehlt das Paket asyncpg: bitte mit "
            ".venv/bin/pip install -e '.[postgres]' installieren",
            EXIT_USAGE,
        )
    return value


def same_database(first: str, second: str) -> bool:
    a, b = make_url(first), make_url(second)
    if a.get_backend_name() == b.get_backend_name() == "sqlite":
        return bool(a.database and b.database) and (
            Path(a.database or "").resolve() == Path(b.database or "").resolve()
        )
    return a.set(drivername=b.drivername) == b


def copy_to(to: str, settings: Settings, out: TextIO) -> int:
    destination = target_url(to)
    source_url = settings.effective_database_url
    if same_database(source_url, destination):
        raise CommandError(
            "--to nennt die konfigurierte Datenbank selbst; bitte eine andere angeben.",
            EXIT_USAGE,
        )

    async def work() -> int:
        source, target = create_engine(source_url), create_engine(destination)
        try:
            await reachable(source)
            await reachable(target)
            try:
                copied = await copy_database(source, target)
            except TargetNotEmpty as error:
                raise CommandError(
                    f"Die Zieldatenbank {label(destination)} enthält bereits Daten "
                    f"({_count(error.rows, 'Zeile', 'Zeilen')}); bitte eine leere Datenbank angeben.",
                    EXIT_USAGE,
                ) from None
        finally:
            await source.dispose()
            await target.dispose()
        print(
            f"Kopiert nach {label(destination)}: {_summary(copied.tables, copied.total)}; "
            "die Zeilenzahl jeder Tabelle stimmt überein.",
            file=out,
        )
        print(
            "Setzen Sie nun DATABASE_URL auf die neue Datenbank und starten Sie den Bot neu.",
            file=out,
        )
        return EXIT_OK

    return _alone(settings, source_url, work)
