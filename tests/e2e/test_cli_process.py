"""The installed command line against the stand-in: invite via getMe, run, stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.standin import BotApiStandIn
from seed.loader import load_catalogue
from storage.database import create_engine
from storage.setup import init_database
from tests.e2e.conftest import TOKEN
from tests.environment import without_settings

SCRIPT = str(Path(sys.executable).parent / "monitoring-bot")


def environment(tmp_path: Path, standin: BotApiStandIn) -> dict[str, str]:
    env = without_settings(dict(os.environ))
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=standin.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        LOG_LEVEL="DEBUG",
    )
    return env


async def set_up(url: str) -> None:
    """The database at ``url`` as ``monitoring-bot init`` leaves it."""
    engine = create_engine(url)
    await init_database(engine, load_catalogue())
    await engine.dispose()


async def run_cli(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        SCRIPT, *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_invite_run_and_clean_shutdown(standin: BotApiStandIn, tmp_path: Path) -> None:
    env = environment(tmp_path, standin)
    await set_up(env["DATABASE_URL"])

    code, out, err = await run_cli(env, tmp_path, "invite", "--office", "Frauenbüro")
    assert code == 0, err
    link = out.strip().splitlines()[-1]
    assert link.startswith(f"https://t.me/{standin.bot_username}?start=")

    process = await asyncio.create_subprocess_exec(
        SCRIPT, "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await standin.wait_until(
            lambda: bool(standin.calls_to("getUpdates")), timeout=30, what="polling"
        )
        newcomer = standin.user(901, "Frieda", "Frauenbüro")
        await standin.send_text(newcomer, f"/start {link.rsplit('=', 1)[1]}")
        [welcome] = await standin.wait_for_messages(newcomer, timeout=10)
        assert (welcome.plain_text or "").startswith("Willkommen, Frieda Frauenbüro!")

        # Not a second bot on the same SQLite file, and no restore beside the running one.
        busy = f"Die Datenbank sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'} wird schon von "
        busy += f"einem laufenden Bot verwendet (Prozess {process.pid})."
        (tmp_path / "s.tar.gz").write_bytes(b"")
        for args in (("run",), ("restore", "--force", "s.tar.gz")):
            code, out, refused = await run_cli(env, tmp_path, *args)
            assert (code, out) == (1, ""), refused
            assert refused.count("\n") == 1, refused
            assert refused.startswith(busy), refused

        process.send_signal(signal.SIGTERM)
        _, err_bytes = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0
    log = err_bytes.decode()
    assert "Bot beendet, Datenbankverbindungen geschlossen." in log
    assert "getUpdates" in log  # httpx logged request URLs at DEBUG ...
    assert TOKEN.split(":")[1] not in log  # ... without the token
    assert "[REDACTED]" in log


async def test_summary_send_twice_posts_once(standin: BotApiStandIn, tmp_path: Path) -> None:
    group = standin.group(-1009, "Koordinierungsgruppe")
    env = environment(tmp_path, standin)
    env["COORDINATION_CHAT_ID"] = str(group.id)
    await set_up(env["DATABASE_URL"])

    code, out, err = await run_cli(env, tmp_path, "summary")
    assert code == 0, err
    assert out.startswith("Wochenzusammenfassung KW ")
    assert standin.sent_messages(group) == []

    code, out, err = await run_cli(env, tmp_path, "summary", "--send")
    assert code == 0, err
    assert "in die Koordinationsgruppe gepostet" in out
    posted = standin.sent_messages(group)
    assert [m.kind for m in posted] == ["text", "text", "photo"]
    assert (posted[0].plain_text or "").startswith("Wochenzusammenfassung KW ")

    code, out, err = await run_cli(env, tmp_path, "summary", "--send")
    assert code == 0, err
    assert "wurde bereits gepostet" in out
    assert len(standin.sent_messages(group)) == 3


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///daten.db", "bitte sqlite+aiosqlite://… statt sqlite://… angeben"),
        ("postgresql://postgres:geheim@127.0.0.1/test", "bitte postgresql+asyncpg://…"),
    ],
)
async def test_a_synchronous_database_url_is_one_line(
    standin: BotApiStandIn, tmp_path: Path, url: str, expected: str
) -> None:
    env = environment(tmp_path, standin)
    env["DATABASE_URL"] = url
    for command in ("init", "run"):
        code, out, err = await run_cli(env, tmp_path, command)
        assert (code, out) == (2, ""), err
        assert err.count("\n") == 1, err
        assert err.startswith("Ungültige Einstellung DATABASE_URL: braucht den asynchronen Treiber")
        assert expected in err
        assert "geheim" not in err


async def test_telegram_unreachable_or_token_rejected_is_one_line(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    env = environment(tmp_path, standin)
    await set_up(env["DATABASE_URL"])

    unreachable = {**env, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"}
    code, out, err = await run_cli(unreachable, tmp_path, "run")
    assert (code, out) == (1, "")
    assert err.startswith("Telegram ist unter http://127.0.0.1:9/bot nicht erreichbar (")
    assert err.count("\n") == 1, err
    assert TOKEN.split(":")[1] not in err

    rejected = {**env, "TELEGRAM_BOT_TOKEN": "999:falsch", "LOG_LEVEL": "INFO"}
    code, out, err = await run_cli(rejected, tmp_path, "run")
    assert (code, out) == (2, "")
    assert err.startswith("Telegram lehnt TELEGRAM_BOT_TOKEN ab.")
    assert err.count("\n") == 1, err
    assert "falsch" not in err


async def test_a_database_refusing_connections_is_one_line(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    env = environment(tmp_path, standin)
    env["DATABASE_URL"] = "postgresql+asyncpg://bot:geheim@127.0.0.1:9/monitoring"  # closed
    for command in ("init", "run"):
        code, out, err = await run_cli(env, tmp_path, command)
        assert (code, out) == (1, ""), err
        assert err.count("\n") == 1, err
        assert err.startswith(
            "Datenbank postgresql+asyncpg://bot:***@127.0.0.1:9/monitoring nicht erreichbar: "
        ), err
        assert "geheim" not in err


async def test_a_webhook_without_https_or_a_bad_secret_is_one_line(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    env = environment(tmp_path, standin)
    await set_up(env["DATABASE_URL"])
    cases = [
        ({}, ("run", "--webhook", "http://bot.example.org/telegram"), "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "bot.example.org"}, ("run",), "WEBHOOK_URL"),
        (
            {"WEBHOOK_SECRET": "mit Leerzeichen"},
            ("run", "--webhook", "https://x.example/t"),
            "WEBHOOK_SECRET",
        ),
    ]
    for extra, args, variable in cases:
        code, out, err = await run_cli({**env, **extra}, tmp_path, *args)
        assert (code, out) == (2, ""), err
        assert err.count("\n") == 1, err
        assert err.startswith(f"Ungültige Einstellung {variable}:"), err
        assert "Traceback" not in err
