"""The ids of handled updates are kept as long as Telegram may re-deliver them, no longer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage.models import ProcessedUpdate
from tests.e2e.conftest import World


async def handled(world: World) -> int:
    async with world.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0)


async def test_the_schedule_forgets_handled_updates_after_two_days(world: World) -> None:
    await world.say(world.coordinator, "/status")
    assert await handled(world) >= 1
    await world.tick(world.clock.now + timedelta(days=1))
    assert await handled(world) >= 1  # Telegram may still re-deliver it
    await world.tick(world.clock.now + timedelta(days=2))
    assert await handled(world) == 0
    # a new update is handled as usual afterwards
    assert (await world.say(world.coordinator, "/status")).text.startswith("Stand des")
