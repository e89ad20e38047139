"""Invitations: created in chat, redeemed with /start, single-use, expiring."""

from __future__ import annotations

import re

from sqlalchemy import select

from storage.models import Invitation, Role
from tests.e2e.conftest import World

LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


async def invite_link(world: World, office_label: str) -> str:
    choose = await world.say(world.coordinator, "/einladen")
    assert choose.text == "Wen möchten Sie einladen? Bitte wählen Sie das Amt."
    labels = [label for row in choose.buttons for label in row]
    assert len(labels) == 20  # 19 offices and the coordination
    await world.press(world.coordinator, office_label)
    edited = world.last(world.coordinator)
    assert edited.message_id == choose.message_id  # the choice was replaced by the link
    match = LINK.search(edited.text)
    assert match is not None, edited.text
    assert match.group(1) == world.standin.bot_username
    assert len(match.group(2)) <= 64
    return str(match.group(2))


async def test_invitation_binds_account_and_greets(world: World) -> None:
    token = await invite_link(world, "Amt für Jugend und Familie")
    newcomer = world.standin.user(801, "Nora", "Neu")
    answer = await world.say(newcomer, f"/start {token}")
    assert answer.text.startswith(
        "Willkommen, Nora Neu! Sie sind jetzt Ansprechperson für: Amt für Jugend und Familie."
    )
    assert "/hilfe" in answer.text
    contact = await world.contact_row(801)
    assert contact is not None
    assert contact.role is Role.CONTACT
    async with world.sessions() as session:
        stored = list(await session.scalars(select(Invitation.token_hash)))
    assert token not in stored  # only the hash is stored
    assert len(stored) == 1


async def test_second_office_for_the_same_person(world: World) -> None:
    token = await invite_link(world, "Sozialplanung")
    answer = await world.say(world.contact, f"/start {token}")
    assert "Flüchtlingskoordination und Sozialplanung" in answer.text


async def test_coordinator_invitation(world: World) -> None:
    token = await invite_link(world, "Koordinierungsstelle (Koordination)")
    newcomer = world.standin.user(802, "Kim", "Koord")
    answer = await world.say(newcomer, f"/start {token}")
    assert "für die Koordinierungsstelle eingetragen" in answer.text
    assert "/einladen" in answer.text


async def test_used_token_is_refused_and_changes_nothing(world: World) -> None:
    token = await invite_link(world, "Frauenbüro")
    await world.say(world.standin.user(803, "Erste", "Person"), f"/start {token}")
    second = world.standin.user(804, "Zweite", "Person")
    answer = await world.say(second, f"/start {token}")
    assert answer.text.startswith("Dieser Einladungslink wurde bereits verwendet")
    assert await world.contact_row(804) is None


async def test_expired_token_is_refused(world: World) -> None:
    token = await invite_link(world, "Frauenbüro")
    world.clock.advance(days=14, seconds=1)
    late = world.standin.user(805, "Lena", "Spät")
    answer = await world.say(late, f"/start {token}")
    assert answer.text.startswith("Dieser Einladungslink ist abgelaufen")
    assert await world.contact_row(805) is None


async def test_unknown_token_is_refused(world: World) -> None:
    for token in ("nichtvorhanden123", "x" * 65, "ungültig!"):
        answer = await world.say(world.stranger, f"/start {token}")
        assert answer.text.startswith("Dieser Einladungslink ist ungültig"), token
    assert await world.contact_row(world.stranger.id) is None


async def test_contact_cannot_invite(world: World) -> None:
    answer = await world.say(world.contact, "/einladen")
    assert answer.text == "Dieser Befehl ist der Koordinierungsstelle vorbehalten."


async def test_onboarding_continues_into_the_running_round(world: World) -> None:
    await world.open_round()
    token = await invite_link(world, "Amt für Jugend und Familie")
    before = len(world.standin.sent_messages(world.coordinator.id))
    newcomer = world.standin.user(803, "Nora", "Neu")
    await world.settle(await world.standin.send_text(newcomer, f"/start {token}"))
    welcome, due = world.standin.sent_messages(newcomer.id)
    assert (welcome.plain_text or "").startswith("Willkommen, Nora Neu!")
    assert (due.plain_text or "").startswith("Die Berichtsrunde läuft bis")
    assert "Für Sie offen: " in (due.plain_text or "")
    assert due.buttons == [["Jetzt berichten"]]
    [told] = world.standin.sent_messages(world.coordinator.id)[before:]
    assert told.plain_text == (
        "Nora Neu hat Ihre Einladung angenommen und ist jetzt Ansprechperson für "
        "Amt für Jugend und Familie."
    )
    first = await world.press(newcomer, "Jetzt berichten")
    assert first.text.endswith("vorher eintippen (freiwillig).")  # straight to the first question


async def test_without_a_round_the_welcome_is_all(world: World) -> None:
    token = await invite_link(world, "Koordinierungsstelle (Koordination)")
    newcomer = world.standin.user(804, "Kim", "Koord")
    await world.settle(await world.standin.send_text(newcomer, f"/start {token}"))
    assert len(world.standin.sent_messages(newcomer.id)) == 1
    assert world.last(world.coordinator).text == (
        "Kim Koord hat Ihre Einladung angenommen und ist jetzt für die Koordinierungsstelle "
        "eingetragen."
    )
