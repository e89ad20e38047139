"""The ids of handled updates are kept as long as Telegram may re-deliver them, no longer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage.models import ProcessedUpdate, ReceivedUpdate
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


async def inbox_ids(world: World) -> list[int]:
    async with world.sessions() as session:
        return list(await session.scalars(select(ReceivedUpdate.update_id)))


async def test_every_handled_update_leaves_the_inbox(world: World) -> None:
    """A handled update leaves the inbox with its claim (in the handler's transaction); one
    no handler claims (a foreign group's message, a re-delivery) leaves it after the
    handlers. None of them comes back after a restart."""
    foreign = world.standin.group(-4242, "Stammtisch")
    answered = await world.standin.send_text(world.coordinator, "/status")
    ignored = await world.standin.send_text(world.coordinator, "Hallo", foreign)
    await world.settle(answered)
    await world.settle(ignored)
    assert await inbox_ids(world) == []
    world.standin.redeliver(answered)
    await world.settle(answered, times=2)
    assert await inbox_ids(world) == []
    replies = len(world.standin.sent_messages(world.coordinator.id))

    await world.restart_bot()
    assert (await world.say(world.coordinator, "/hilfe")).text  # the bot is up again
    assert len(world.standin.sent_messages(world.coordinator.id)) == replies + 1
