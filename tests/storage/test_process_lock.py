"""One process per SQLite file: the lock is held while a process lives, and no longer."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from subprocess import PIPE

import pytest

from storage.process_lock import DatabaseInUse, lock_file, sole_process

HOLD = (
    "import sys\n"
    "from storage.process_lock import sole_process\n"
    "with sole_process(sys.argv[1]):\n"
    "    print('held', flush=True)\n"
    "    sys.stdin.read()\n"
)


async def test_a_second_holder_is_refused_until_the_first_dies(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLD, url, stdin=PIPE, stdout=PIPE
    )
    assert holder.stdout is not None
    assert (await holder.stdout.readline()).strip() == b"held"
    with pytest.raises(DatabaseInUse) as refused, sole_process(url):
        pass
    assert refused.value.pid == holder.pid

    holder.kill()  # SIGKILL: no clean-up, the kernel drops the lock
    await holder.wait()
    # and now this process holds it
    with sole_process(url), pytest.raises(DatabaseInUse), sole_process(url):
        pass


def test_only_sqlite_files_are_locked(tmp_path: Path) -> None:
    assert lock_file(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}") == tmp_path / "x.sqlite3.lock"
    assert lock_file("sqlite+aiosqlite:///:memory:") is None
    assert lock_file("postgresql+asyncpg://postgres@127.0.0.1/test") is None
    with sole_process("postgresql+asyncpg://postgres@127.0.0.1/test"):
        pass
