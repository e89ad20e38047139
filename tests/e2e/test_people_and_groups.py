"""Coordinators manage people; groups; signing off; forged and stale buttons."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Contact
from tests.e2e.conftest import World


async def test_roster_lists_contacts_and_offices_without_anyone(world: World) -> None:
    text = (await world.say(world.coordinator, "/kontakte")).text
    assert "Flüchtlingskoordination\n• Karl Kontakt" in text
    assert "Ämter ohne Ansprechperson (18):" in text
    assert "• Amt für Stadtentwicklung, Statistik und Wahlen" in text
    assert "Koordinierungsstelle: Clara Koordina" in text


async def test_deactivate_and_invite_again(world: World) -> None:
    choose = await world.say(world.coordinator, "/deaktivieren")
    assert choose.buttons == [["Karl Kontakt (Flüchtlingskoordination)"]]  # not oneself
    await world.press(world.coordinator, "Karl Kontakt (Flüchtlingskoordination)")
    assert "Zugang von Karl Kontakt (Flüchtlingskoordination) deaktivieren?" in (
        world.last(world.coordinator).text or ""
    )
    await world.press(world.coordinator, "Ja, deaktivieren")
    assert "ist deaktiviert" in world.last(world.coordinator).text

    answer = await world.say(world.contact, "/hilfe")
    assert "Einladung" not in answer.text or "Ihr Zugang" not in answer.text
    answer = await world.say(world.contact, "/abmelden")
    assert answer.text.startswith("Ihr Zugang ist deaktiviert")
    roster = (await world.say(world.coordinator, "/kontakte")).text
    assert "Karl" not in roster
    assert "Ämter ohne Ansprechperson (19):" in roster

    # invited again, the same account is reactivated
    await world.say(world.coordinator, "/einladen")
    await world.press(world.coordinator, "Flüchtlingskoordination")
    link = world.last(world.coordinator).text or ""
    token = link.rsplit("start=", 1)[1].strip()
    answer = await world.say(world.contact, f"/start {token}")
    assert answer.text.startswith("Willkommen, Karl Kontakt!")
    async with world.sessions() as session:
        rows = list(await session.scalars(select(Contact).where(Contact.telegram_user_id == 601)))
    assert [row.active for row in rows] == [True]


async def test_stale_deactivation_button_rechecked(world: World) -> None:
    await world.say(world.coordinator, "/deaktivieren")
    first = world.standin.last_message(world.coordinator.id)
    await world.say(world.coordinator, "/deaktivieren")
    await world.press(world.coordinator, "Karl Kontakt (Flüchtlingskoordination)")
    await world.press(world.coordinator, "Ja, deaktivieren")
    # the older list still shows Karl; pressing it now must not act again
    await world.settle(
        await world.standin.press_button(
            world.coordinator, "Karl Kontakt (Flüchtlingskoordination)", message_id=first.message_id
        )
    )
    assert first.plain_text == "Diese Person ist nicht mehr aktiv."


async def test_contact_cannot_press_coordinator_buttons(world: World) -> None:
    karl = await world.contact_row(601)
    assert karl is not None
    await world.say(world.contact, "/hilfe")  # a message to press a forged button on
    before = len(world.standin.calls_to("sendMessage"))
    await world.settle(
        await world.standin.press_callback_data(world.contact, f"v1:offok:{karl.id}")
    )
    sent = world.standin.calls_to("sendMessage")[before:]
    assert [m["text"] for m in sent] == ["Dieser Befehl ist der Koordinierungsstelle vorbehalten."]
    refreshed = await world.contact_row(601)
    assert refreshed is not None
    assert refreshed.active


async def test_forged_callback_data_gets_polite_answer(world: World) -> None:
    await world.say(world.coordinator, "/hilfe")
    for data in ("v0:offok:1", "v1:gibtsnicht", "kaputt", "v1:inv:99999", "v1:off:abc"):
        await world.settle(await world.standin.press_callback_data(world.coordinator, data))
    answers = [a.text for a in world.standin.callback_answers]
    assert answers.count("Diese Schaltfläche ist nicht mehr gültig.") >= 3
    assert world.standin.internal_errors == []
    contact = await world.contact_row(601)
    assert contact is not None
    assert contact.active


async def test_coordination_group_answers_coordinators_only(world: World) -> None:
    answer = await world.say(world.coordinator, "/kontakte", world.group)
    assert "Ansprechpersonen je Amt" in answer.text
    answer = await world.say(world.coordinator, "/einladen", world.group)
    assert answer.text == "Bitte nutzen Sie diesen Befehl im privaten Chat mit mir."
    await world.silent(world.contact, "/kontakte", world.group)
    await world.silent(world.stranger, "/start", world.group)
    await world.silent(world.coordinator, "Guten Morgen zusammen", world.group)


async def test_foreign_group_hears_nothing(world: World) -> None:
    for user in (world.coordinator, world.contact, world.stranger):
        await world.silent(user, "/kontakte", world.foreign_group)
        await world.silent(user, "/start", world.foreign_group)


async def test_sign_off_removes_account_keeps_nothing_personal(world: World) -> None:
    confirm = await world.say(world.contact, "/abmelden")
    assert confirm.buttons == [["Ja, Konto löschen", "Nein, behalten"]]
    await world.press(world.contact, "Nein, behalten")
    assert confirm.text == "Ihr Konto bleibt bestehen."
    assert await world.contact_row(601) is not None

    await world.say(world.contact, "/abmelden")
    await world.press(world.contact, "Ja, Konto löschen")
    assert world.last(world.contact).text == (
        "Ihr Konto wurde gelöscht. Vielen Dank für Ihre Mitarbeit!"
    )
    assert await world.contact_row(601) is None
    answer = await world.say(world.contact, "/hilfe")
    assert "/abmelden" not in answer.text


async def test_command_menus(world: World) -> None:
    private = dict(world.standin.commands("all_private_chats"))
    assert private["einladen"] == "Person einladen (Koordination)"
    assert "abmelden" in private
    group = dict(world.standin.commands("chat", chat_id=world.group.id))
    assert set(group) == {
        "hilfe",
        "kontakte",
        "runde",
        "status",
        "offen",
        "bitten",
        "verlauf",
        "export",
        "zusammenfassung",
    }


async def test_help_lists_only_what_works_in_that_chat(world: World) -> None:
    private = (await world.say(world.coordinator, "/hilfe")).text
    assert "/einladen" in private
    assert "/bericht" in private  # the coordinator enters reports for offices
    group = (await world.say(world.coordinator, "/hilfe", world.group)).text
    assert "/kontakte" in group
    for private_only in ("/einladen", "/bericht", "/zurueck", "/abbrechen", "/abmelden"):
        assert private_only not in group
    contact = (await world.say(world.contact, "/hilfe")).text
    assert "/bericht" in contact
    assert "/einladen" not in contact


async def test_buttons_obey_the_chat_rules_of_commands(world: World) -> None:
    """A forged invitation button in the group must not turn a message into a link."""
    await world.say(world.coordinator, "/kontakte", world.group)
    office = await world.office("Flüchtlingskoordination")
    for data in ("v1:inv:c", f"v1:inv:{office.id}"):
        await world.settle(
            await world.standin.press_callback_data(world.coordinator, data, chat=world.group)
        )
    texts_in_group = [m.plain_text or "" for m in world.standin.sent_messages(world.group.id)]
    assert not any("start=" in text or "Einladung" in text for text in texts_in_group)
    assert texts_in_group[-1] == "Bitte nutzen Sie diesen Befehl im privaten Chat mit mir."
    # the status buttons, meant for the group, still work there
    overview = await world.say(world.coordinator, "/status", world.group)
    await world.press(world.coordinator, overview.buttons[0][0], world.group)
    assert world.last(world.group).text.startswith("I Bildung")
