"""Guessing invitation links: after 5 failed attempts in an hour, /start refuses for a while."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.standin import FakeUser
from storage.models import Invitation, Office, Role
from storage.people import create_invitation
from tests.e2e.conftest import World

BLOCKED = (
    "Zu viele ungültige Einladungslinks. Bitte versuchen Sie es in einer Stunde erneut oder "
    "wenden Sie sich an die Koordinierungsstelle."
)
UNKNOWN = "Dieser Einladungslink ist ungültig."


async def valid_token(world: World) -> str:
    async with world.sessions() as session, session.begin():
        office = await session.scalar(select(Office).where(Office.name == "Frauenbüro"))
        return await create_invitation(
            session, role=Role.CONTACT, office=office, now=world.clock(),
            valid_for=timedelta(days=14),
        )  # fmt: skip


async def fail(world: World, person: FakeUser, times: int) -> None:
    """``times`` attempts with tokens of the right shape that do not exist."""
    for _ in range(times):
        answer = await world.say(person, f"/start {secrets.token_urlsafe(24)}")
        assert answer.text.startswith(UNKNOWN)


def notice(name: str, user_id: int) -> str:
    return (
        f"⚠️ {name} (Telegram-ID {user_id}) hat innerhalb einer Stunde 5 ungültige "
        "Einladungslinks geöffnet. Weitere Versuche lehnt der Bot eine Stunde lang ab. Soll "
        "die Person mitarbeiten, erstellen Sie bitte mit /einladen einen neuen Link für sie."
    )


def texts_in(world: World, chat_id: int, since: int = 0) -> list[str]:
    return [m.plain_text or "" for m in world.standin.sent_messages(chat_id)[since:]]


async def test_five_failures_refuse_even_a_valid_token_until_the_hour_is_over(
    world: World,
) -> None:
    guesser = world.standin.user(821, "Mallory", "Rate")
    token = await valid_token(world)
    told_before = len(world.standin.sent_messages(world.group.id))
    await fail(world, guesser, 5)

    assert (await world.say(guesser, f"/start {token}")).text == BLOCKED
    await world.restart_bot()  # the count is stored, not kept in memory
    world.clock.advance(minutes=30)
    assert (await world.say(guesser, f"/start {token}")).text == BLOCKED
    assert (await world.say(guesser, "/start ungültig!")).text == BLOCKED
    assert await world.contact_row(guesser.id) is None
    async with world.sessions() as session:
        assert await session.scalar(select(Invitation.used_at)) is None  # never checked

    # The coordination heard of it once, by name and Telegram id, without any token.
    notices = texts_in(world, world.group.id, told_before)
    assert notices == [notice("Mallory Rate", 821)]

    # Someone else is not affected.
    other = world.standin.user(822, "Nora", "Neu")
    assert (await world.say(other, "/start nichtvorhanden123")).text.startswith(UNKNOWN)

    world.clock.advance(minutes=30, seconds=1)  # an hour after the fifth failure
    welcome = await world.say(guesser, f"/start {token}")
    assert welcome.text.startswith("Willkommen, Mallory Rate!")
    assert texts_in(world, world.group.id, told_before) == notices


async def test_a_successful_redemption_clears_the_count(world: World) -> None:
    person = world.standin.user(823, "Paula", "Tippfehler")
    await fail(world, person, 4)
    first = await world.say(person, f"/start {await valid_token(world)}")
    assert first.text.startswith("Willkommen, Paula Tippfehler!")
    await fail(world, person, 4)
    second = await world.say(person, f"/start {await valid_token(world)}")
    assert second.text.startswith("Willkommen, Paula Tippfehler!")


async def test_the_coordination_is_told_once_per_person_and_day(world: World) -> None:
    guesser = world.standin.user(824, "Mallory", "Rate")
    before = len(world.standin.sent_messages(world.group.id))
    await fail(world, guesser, 5)
    world.clock.advance(hours=1, seconds=1)
    await fail(world, guesser, 5)  # blocked again the same day: no second notice
    assert (await world.say(guesser, "/start abc")).text == BLOCKED
    assert texts_in(world, world.group.id, before) == [notice("Mallory Rate", 824)]

    world.clock.advance(days=1)
    await fail(world, guesser, 5)
    assert texts_in(world, world.group.id, before) == [notice("Mallory Rate", 824)] * 2


@pytest.mark.no_group
async def test_without_a_group_each_coordinator_is_told_privately(world: World) -> None:
    guesser = world.standin.user(825, "Max", "Muster", username="maxm")
    before = len(world.standin.sent_messages(world.coordinator.id))
    await fail(world, guesser, 5)
    assert texts_in(world, world.coordinator.id, before) == [notice("Max Muster", 825)]
    assert texts_in(world, world.contact.id) == []
