"""/offen end to end: open work per office, the contacts' state, reminders by hand."""

from __future__ import annotations

from datetime import date

from storage.models import Status
from tests.e2e.conftest import Said, World, store_report
from tests.e2e.test_reporting import add_person
from tests.e2e.test_scheduling import KARL, utc


async def test_offen_for_a_field_reminds_once_a_day(world: World) -> None:
    world.clock.now = utc(2026, 12, 1, 9, 0)  # Tuesday: the round opens
    wanda = await add_person(world, 611, "Wanda Wohnen", "Leitstelle Wohnen")
    await add_person(world, 612, "Sina Sozial", "Amt für soziale Leistungen")
    await world.open_round()
    world.clock.now = utc(2026, 12, 4, 8, 0)  # Friday, a reminder day (09:00 local)
    await store_report(world, KARL, "III.2.1", "Flüchtlingskoordination", Said(Status.ON_TRACK))
    # Sina is away until Friday; she is listed but not reminded
    away = await world.contact_row(612)
    assert away is not None
    async with world.sessions() as session, session.begin():
        row = await session.merge(away)
        row.absent_until = date(2026, 12, 4)

    blocked = await add_person(world, 613, "Bodo Blockiert", "Leitstelle Wohnen")
    world.standin.block(blocked.id)
    async with world.sessions() as session, session.begin():
        found = await world.contact_row(613)
        assert found is not None
        row = await session.merge(found)
        row.unreachable_since = world.clock()
    view = await world.say(world.coordinator, "/offen Wohnen")
    lines = view.text.splitlines()
    assert lines[0] == "Noch offen in der Runde bis 31.12.2026 · III Wohnen"
    assert "Flüchtlingskoordination: III.4.1" in lines  # III.2.1 is reported
    assert "Leitstelle Wohnen: III.1.1, III.1.2" in lines
    assert "   Ansprechpersonen: Bodo Blockiert (hat den Bot blockiert) und Wanda Wohnen" in lines
    assert "   Ansprechperson: Sina Sozial (abwesend bis 04.12.2026)" in lines
    assert "   ⚠️ keine Ansprechperson" in lines
    assert "IV." not in view.text  # only the field asked for
    assert view.buttons == [
        ["🔔 Alle erinnern"], ["🔔 Leitstelle Wohnen"], ["🔔 Flüchtlingskoordination"],
    ]  # fmt: skip

    before = {user: len(world.standin.sent_messages(user)) for user in (KARL, 611, 612)}
    told = await world.press(world.coordinator, "🔔 Leitstelle Wohnen")
    assert told.text == ("Erinnert: Wanda Wohnen.\nAbwesend oder nicht erreichbar: Bodo Blockiert.")
    [reminder] = world.standin.sent_messages(611)[before[611] :]
    assert "31.12.2026" in (reminder.plain_text or "")
    assert reminder.buttons == [["Jetzt berichten", "Später erinnern"]]
    # "all": Karl is reminded, Wanda not a second time today, Sina (away) not at all
    again = await world.say(world.coordinator, "/offen Wohnen")
    await world.settle(
        await world.standin.press_button(
            world.coordinator, "🔔 Alle erinnern", message_id=again.message_id
        )
    )
    summary = world.last(world.coordinator).text.splitlines()
    assert summary == [
        "Erinnert: Karl Kontakt.",
        "Heute schon benachrichtigt: Wanda Wohnen.",
        "Abwesend oder nicht erreichbar: Bodo Blockiert und Sina Sozial.",
        summary[3],
    ]
    assert summary[3].startswith("Ohne Ansprechperson: ")
    assert len(world.standin.sent_messages(611)) == before[611] + 1  # once a day
    assert len(world.standin.sent_messages(612)) == before[612]
    assert len(world.standin.sent_messages(KARL)) == before[KARL] + 1
    # the scheduled reminder due today does not come on top of the manual one
    await world.tick(utc(2026, 12, 4, 10, 0))
    assert len(world.standin.sent_messages(611)) == before[611] + 1
    assert len(world.standin.sent_messages(KARL)) == before[KARL] + 1
    assert wanda.id == 611


async def test_offen_names_unknown_fields_and_works_without_a_round(world: World) -> None:
    answer = await world.say(world.coordinator, "/offen")
    assert answer.text == "Derzeit ist keine Berichtsrunde geöffnet."
    await world.open_round()
    unknown = await world.say(world.coordinator, "/offen Kultur")
    assert unknown.text.startswith("„Kultur“ ist nicht eindeutig oder unbekannt.")
