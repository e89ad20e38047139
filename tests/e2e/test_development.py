"""The 📊 button under /status: the status chart, and from three rounds on the development."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.standin import FakeUser, SentMessage
from storage.models import Status
from tests.e2e.conftest import Said, World, store_report

KARL = 601  # the contact of the Flüchtlingskoordination (fields III and IV)


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


async def chart(world: World, user: FakeUser) -> list[SentMessage]:
    """What the bot sends when ``user`` presses the chart button under /status."""
    await world.say(user, "/status")
    before = len(world.standin.sent_messages(user.id))
    await world.press(user, "📊 Diagramm")
    return world.standin.sent_messages(user.id)[before:]


async def a_round(world: World, when: datetime, status: Status) -> None:
    world.clock.now = when
    await world.open_round()
    await store_report(
        world, KARL, "IV.1.1", "Flüchtlingskoordination", Said(status), Said(Status.ON_TRACK)
    )


async def test_the_development_comes_with_the_third_round(world: World) -> None:
    await a_round(world, datetime(2026, 10, 1, 8, 0, tzinfo=UTC), Status.NOT_STARTED)
    await a_round(world, datetime(2026, 11, 2, 8, 0, tzinfo=UTC), Status.DELAYED)
    two_rounds = await chart(world, world.coordinator)
    assert [(m.kind, m.filename) for m in two_rounds] == [("photo", "status.png")]

    await a_round(world, datetime(2026, 12, 1, 8, 0, tzinfo=UTC), Status.ACHIEVED)
    status, development = await chart(world, world.coordinator)
    assert (status.kind, status.filename) == ("photo", "status.png")
    assert (development.kind, development.filename) == ("photo", "entwicklung.png")
    assert development.plain_text == (
        "Entwicklung je Handlungsfeld: Stand der Zielhorizonte in den letzten 3 Berichtsrunden"
    )
    # five fields of action: three rows of two panels
    assert png_size(development.file_bytes or b"") == (1000, 750)

    # Karl's office has measures in two fields: one row of panels
    _status, his = await chart(world, world.contact)
    assert his.filename == "entwicklung.png"
    assert png_size(his.file_bytes or b"") == (1000, 250)
