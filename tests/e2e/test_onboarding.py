"""Onboarding through the stand-in: strangers, /start, help and data protection."""

from __future__ import annotations

from seed.loader import load_catalogue
from storage.catalogue_sync import sync_catalogue
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


async def configure(world: World, city: str | None, **settings: str) -> None:
    """Load the catalogue naming ``city`` and restart the bot with ``settings`` changed."""
    async with world.sessions() as session, session.begin():
        await sync_catalogue(session, load_catalogue().model_copy(update={"city": city}))
    world.settings = world.settings.model_copy(update=settings)
    await world.restart_bot()


async def test_stranger_learns_the_city_and_whom_to_ask(world: World) -> None:
    answer = await world.say(world.stranger, "/start")
    assert "Ich bin der Bot der Stadt Mainz" in answer.text
    assert "Koordinierungsstelle (Büro für Migration und Integration)" in answer.text
    assert "Kontakt:" not in answer.text  # no CONTACT_LINE configured

    line = "vielfalt@musterstadt.example, Tel. 0123 45-678"
    await configure(world, "Musterstadt", coordination_office="Amt für Vielfalt", contact_line=line)
    answer = await world.say(world.stranger, "/start")
    assert answer.text.startswith("Guten Tag! Ich bin der Bot der Stadt Musterstadt für das")
    assert "Koordinierungsstelle (Amt für Vielfalt)" in answer.text
    assert answer.text.endswith(f"\nKontakt: {line}")
    assert "Mainz" not in answer.text
    assert "Büro für Migration" not in answer.text
    for text in ("/kontakte", "Hallo?", "/gibtsnicht"):  # refused, by rule and by fallback
        answer = await world.say(world.stranger, text)
        assert answer.text.startswith("Sie sind noch nicht freigeschaltet"), text
        assert "(Amt für Vielfalt)" in answer.text, text
        assert answer.text.endswith(f"\nKontakt: {line}"), text


async def test_privacy_names_controller_basis_retention_and_rights(world: World) -> None:
    answer = await world.say(world.stranger, "/datenschutz")
    assert "Verantwortlich: Stadt Mainz, Büro für Migration und Integration\n" in answer.text
    assert (
        "Rechtsgrundlage: Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit § 3 LDSG Rheinland-Pfalz"
        in answer.text
    )
    assert "Speicherdauer: Berichte und Belege für die Dauer des Monitorings" in answer.text
    assert "Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung" in answer.text
    assert "Beschwerde bei der Aufsichtsbehörde" in answer.text
    assert "Datenschutzbeauftragte" not in answer.text

    await configure(
        world,
        None,
        privacy_controller="Kreisstadt Muster <Verwaltung> & Co",
        privacy_contact="datenschutz@musterstadt.example",
        privacy_legal_basis="Art. 6 Abs. 1 lit. e DSGVO, § 3 HDSIG",
        privacy_retention="Zehn Jahre nach Ende des Konzepts.",
    )
    answer = await world.say(world.contact, "/datenschutz")
    assert "Verantwortlich: Kreisstadt Muster <Verwaltung> & Co\n" in answer.text
    assert "Datenschutzbeauftragte/r: datenschutz@musterstadt.example" in answer.text
    assert "Rechtsgrundlage: Art. 6 Abs. 1 lit. e DSGVO, § 3 HDSIG\n" in answer.text
    assert "Speicherdauer: Zehn Jahre nach Ende des Konzepts.\n" in answer.text
    assert "Mainz" not in answer.text


async def test_default_controller_without_a_city_is_the_office(world: World) -> None:
    await configure(world, None, coordination_office="Amt für Vielfalt")
    answer = await world.say(world.stranger, "/datenschutz")
    assert "Verantwortlich: Amt für Vielfalt\n" in answer.text
    answer = await world.say(world.stranger, "/start")
    assert answer.text.startswith("Guten Tag! Ich bin der Bot für das Monitoring")
