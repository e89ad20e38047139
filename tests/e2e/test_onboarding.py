"""Onboarding through the stand-in: strangers, /start, help and data protection."""

from __future__ import annotations

from tests.e2e.conftest import World


async def test_stranger_start_explains_and_shows_no_data(world: World) -> None:
    answer = await world.say(world.stranger, "/start")
    assert "Monitoring des Integrationskonzepts" in answer.text
    assert "Koordinierungsstelle" in answer.text
    assert "Einladungslink" in answer.text
    assert answer.buttons == []


async def test_stranger_gets_nothing_else(world: World) -> None:
    for text in ("/kontakte", "/einladen", "/abmelden", "Hallo?", "/gibtsnicht"):
        answer = await world.say(world.stranger, text)
        assert answer.text.startswith("Sie sind noch nicht freigeschaltet"), text
        assert "Karl" not in answer.text


async def test_known_person_start_and_help(world: World) -> None:
    answer = await world.say(world.contact, "/start")
    assert answer.text.startswith(
        "Guten Tag, Karl Kontakt! Sie berichten für: Flüchtlingskoordination."
    )
    assert "/abmelden" in answer.text
    assert "/einladen" not in answer.text
    help_text = (await world.say(world.coordinator, "/hilfe")).text
    assert "/einladen – Person einladen" in help_text
    assert "/kontakte" in help_text
    assert (await world.say(world.coordinator, "/help")).text == help_text


async def test_privacy_for_everyone(world: World) -> None:
    answer = await world.say(world.stranger, "/datenschutz")
    assert "Telegram-Kennung" in answer.text
    assert "/abmelden" in answer.text
