"""An update fetched just before the bot process dies is handled after the restart.

python-telegram-bot confirms fetched updates to Telegram with its next ``getUpdates``,
before it handles them; without the inbox (storage.inbox) such an update was gone.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.standin import BotApiStandIn
from tests.e2e.test_cli_process import SCRIPT, environment, set_up


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        SCRIPT, "run", env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def test_an_update_confirmed_but_not_handled_survives_a_kill(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    env = environment(tmp_path, standin)
    await set_up(env["DATABASE_URL"])
    stranger = standin.user(902, "Gustav", "Gast")

    process = await start_bot(env, tmp_path)
    try:
        await standin.wait_until(
            lambda: bool(standin.calls_to("getUpdates")), timeout=30, what="polling"
        )
        # The bot is busy with a first update (its reply takes long) when a second arrives;
        # the polling loop fetches the second and confirms it with its next call.
        standin.delay("sendMessage", 60)
        await standin.send_text(stranger, "/datenschutz")
        second = await standin.send_text(stranger, "/hilfe")
        await standin.wait_until(
            lambda: any(
                int(call.get("offset") or 0) > second for call in standin.calls_to("getUpdates")
            ),
            timeout=30,
            what="the second update confirmed",
        )
        process.send_signal(signal.SIGKILL)
        await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    standin.delay("sendMessage", 0)
    process = await start_bot(env, tmp_path)
    try:
        await standin.wait_until(
            lambda: any(
                "/start – Einladungslink" in (m.plain_text or "")
                for m in standin.sent_messages(stranger)
            ),
            timeout=30,
            what="the reply to /hilfe after the restart",
        )
        await asyncio.sleep(1)  # a second reply would come now
        helps = [
            m
            for m in standin.sent_messages(stranger)
            if "/start – Einladungslink" in (m.plain_text or "")
        ]
        assert len(helps) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
