"""Notices to people that were claimed but never delivered are sent later, once.

A process that dies in the middle of a broadcast (a round opening, reminders, a notice to
the coordination) has claimed every notice of it before sending the first. Each notice
keeps its message until it is delivered; a later tick sends what was lost: after a lease
for the notice of a process that may still be sending, at once after a restart on a
database only one bot uses (on PostgreSQL, once the claiming process is gone: see the
kill test).
"""

from __future__ import annotations

from datetime import timedelta

from bot.telegram_request import ATTEMPTS
from storage.claims import NOTICE_LEASE
from tests.e2e.conftest import World
from tests.e2e.test_reporting import add_person
from tests.e2e.test_scheduling import KARL, utc

OPENING = utc(2026, 12, 1, 7, 0)  # Tuesday 08:00 in Mainz: the round is due to open


def openings(world: World, chat_id: int) -> int:
    return sum(
        (m.plain_text or "").startswith("Neue Berichtsrunde bis")
        for m in world.standin.sent_messages(chat_id)
    )


async def broadcast_broken_off(world: World) -> list[int]:
    """Three people; the opening broadcast breaks off (Telegram fails every message of it
    for good, the coordination's announcement too, as if the process had died before
    sending). Their chat ids."""
    wanda = await add_person(world, 602, "Wanda Wohnen", "Leitstelle Wohnen")
    sina = await add_person(world, 603, "Sina Sozial", "Amt für soziale Leistungen")
    people = [KARL, wanda.id, sina.id]
    world.standin.fail_next("sendMessage", error_code=502, times=ATTEMPTS * (len(people) + 1))
    await world.tick(OPENING)
    assert [openings(world, chat) for chat in people] == [0, 0, 0]
    return people


async def test_a_broadcast_broken_off_is_finished_after_the_lease_once(world: World) -> None:
    people = await broadcast_broken_off(world)

    await world.tick(OPENING + timedelta(minutes=1))  # maybe still on its way elsewhere
    assert [openings(world, chat) for chat in people] == [0, 0, 0]

    await world.tick(OPENING + NOTICE_LEASE + timedelta(minutes=1))
    assert [openings(world, chat) for chat in people] == [1, 1, 1]
    await world.tick(OPENING + NOTICE_LEASE + timedelta(minutes=2))
    assert [openings(world, chat) for chat in people] == [1, 1, 1]


async def test_after_a_restart_the_lost_notices_go_out_at_once(world: World) -> None:
    people = await broadcast_broken_off(world)
    world.clock.now = OPENING + timedelta(minutes=1)
    await world.restart_bot()  # a new process: nobody else is sending them

    await world.tick(OPENING + timedelta(minutes=2))
    assert [openings(world, chat) for chat in people] == [1, 1, 1]
    resent = world.last(world.contact)
    assert resent.buttons == [["Jetzt berichten"]]  # the button works as it would have
    question = await world.press(world.contact, "Jetzt berichten")
    assert "Wie ist der Stand?" in question.text
    await world.tick(OPENING + timedelta(minutes=3))
    assert [openings(world, chat) for chat in people] == [1, 1, 1]


def in_group(world: World, start: str) -> int:
    return sum(
        (m.plain_text or "").startswith(start) for m in world.standin.sent_messages(world.group.id)
    )


async def test_the_coordination_learns_of_an_opening_broken_off(world: World) -> None:
    """The announcement to the coordination comes after the people's notices: a broadcast
    broken off loses it too, until the notices lost are sent; then it comes once."""
    people = await broadcast_broken_off(world)
    assert in_group(world, "Neue Berichtsrunde") == 0
    world.clock.now = OPENING + timedelta(minutes=1)
    await world.restart_bot()

    await world.tick(OPENING + timedelta(minutes=2))
    assert [openings(world, chat) for chat in people] == [1, 1, 1]
    assert in_group(world, "Neue Berichtsrunde 01.12.2026 bis 31.12.2026 geöffnet; 3 ") == 1
    await world.tick(OPENING + timedelta(minutes=3))
    assert in_group(world, "Neue Berichtsrunde") == 1


async def test_an_escalation_lost_on_its_way_is_sent_once_later(world: World) -> None:
    world.settings = world.settings.model_copy(update={"auto_rounds": False})
    await world.restart_bot()
    await world.open_round()  # 25.11. to 24.12.2026
    overdue = utc(2026, 12, 29, 10, 0)  # Tuesday after the due date, working hours
    world.standin.fail_next("sendMessage", error_code=502, times=ATTEMPTS)
    await world.tick(overdue)  # the escalation is the tick's first message: lost
    assert in_group(world, "Überfällig") == 0

    await world.tick(overdue + timedelta(minutes=1))  # still within the lease
    assert in_group(world, "Überfällig") == 0
    await world.tick(overdue + NOTICE_LEASE + timedelta(minutes=1))
    assert in_group(world, "Überfällig: Berichtsrunde bis 24.12.2026") == 1
    await world.tick(overdue + NOTICE_LEASE + timedelta(minutes=2))
    assert in_group(world, "Überfällig") == 1


def reminders(world: World, chat_id: int) -> int:
    return sum(
        (m.plain_text or "").startswith("Erinnerung:") for m in world.standin.sent_messages(chat_id)
    )


async def test_reminders_lost_with_their_process_go_out_once_after_a_restart(
    world: World,
) -> None:
    wanda = await add_person(world, 602, "Wanda Wohnen", "Leitstelle Wohnen")
    await world.tick(OPENING)  # the round opens; everybody is told
    people = [KARL, wanda.id]
    day_three = utc(2026, 12, 4, 8, 0)  # Friday 09:00: the first reminder is due
    world.standin.fail_next("sendMessage", error_code=502, times=ATTEMPTS * len(people))
    await world.tick(day_three)
    assert [reminders(world, chat) for chat in people] == [0, 0]
    world.clock.now = day_three + timedelta(minutes=1)
    await world.restart_bot()

    await world.tick(day_three + timedelta(minutes=2))
    assert [reminders(world, chat) for chat in people] == [1, 1]
    await world.tick(day_three + timedelta(minutes=3))
    await world.tick(day_three + NOTICE_LEASE + timedelta(minutes=3))
    assert [reminders(world, chat) for chat in people] == [1, 1]
