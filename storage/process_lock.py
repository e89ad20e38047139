"""One bot process per SQLite file.

Two bots on one SQLite file would both poll Telegram for the same updates and both run
the schedule; a restore or a copy beside a running bot would read or replace data under
its feet. So ``run`` holds an exclusive ``flock`` on a lock file next to the database
for as long as it lives, and ``restore`` and ``copy-database`` take the same lock
before they start. The kernel drops the lock when its process ends, by SIGKILL too, so
a crash never leaves a stale lock behind. PostgreSQL needs no such lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url


class DatabaseInUse(Exception):
    """Another process holds the database's lock (``pid``: its process id, if known)."""

    def __init__(self, path: Path, pid: int | None) -> None:
        super().__init__(f"{path} is locked by process {pid}")
        self.path, self.pid = path, pid


def lock_file(url: str) -> Path | None:
    """The lock file of a SQLite database file; None for other databases."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None  # a URI names no plain path to put a lock file beside
    path = Path(database)
    return path.with_name(path.name + ".lock")


@contextmanager
def sole_process(url: str) -> Iterator[None]:
    """Hold the database's lock while the block runs; :class:`DatabaseInUse` if another
    process holds it."""
    path = lock_file(url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(path, _holder(descriptor)) from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _holder(descriptor: int) -> int | None:
    """The process id the lock's holder wrote into the file, if it reads as one."""
    written = os.pread(descriptor, 32, 0).decode(errors="replace").strip()
    return int(written) if written.isdigit() else None
