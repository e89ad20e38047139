"""A coordinator enters an office's report (an answer by e-mail or phone) end to end."""

from __future__ import annotations

import csv
import io

from tests.e2e.conftest import World
from tests.e2e.test_reporting import reports, tap
from tests.e2e.test_scheduling import KARL, utc

ENTERED = "erfasst von Clara Koordina für Stadtplanungsamt"


async def test_a_coordinator_reports_for_an_office_without_contacts(world: World) -> None:
    clara = world.coordinator
    world.clock.now = utc(2026, 12, 1, 9, 0)
    await world.open_round()
    offices = await world.say(clara, "/bericht")
    assert offices.text.startswith("Für welches Amt erfassen Sie einen Bericht")
    labels = [row[0] for row in offices.buttons]
    assert "Stadtplanungsamt (ohne Ansprechperson)" in labels
    assert "Flüchtlingskoordination" in labels  # Karl's office: it has a contact
    chosen = await tap(world, clara, "Stadtplanungsamt (ohne Ansprechperson)")
    assert chosen.text.startswith("Erfassung für Stadtplanungsamt\nBerichtsrunde bis 31.12.2026")
    assert ["Der Reihe nach"] not in chosen.buttons
    first = await tap(world, clara, "III.1.1")
    assert first.text.startswith("Maßnahme III.1.1 · erfasst für Stadtplanungsamt\n")
    await tap(world, clara, "🟢 im Plan")
    await world.say(clara, "Per E-Mail vom 30.11.: Flächen geprüft")  # the note of target 2
    await tap(world, clara, "🟡 verzögert")
    await tap(world, clara, "Fertig")
    await tap(world, clara, "Nein")
    await tap(world, clara, "Absenden")
    done = world.standin.sent_messages(clara.id)[-2].plain_text or ""
    assert done.startswith("✅ III.1.1 · erfasst für Stadtplanungsamt abgesendet (Version 1).")
    # the office has no other measure
    assert world.last(clara).text.startswith("Für Stadtplanungsamt ist in dieser Runde alles")
    [report] = [r for r in await reports(world, "III.1.1") if r.submitted_at is not None]
    assert report.on_behalf

    # marked in every view, the history and the export
    view = await world.say(clara, "/status III.1.1")
    assert "Stadtplanungsamt: 🟢 im Plan · erfasst von Clara Koordina, 01.12.2026" in view.text
    assert f"Version 1 · {ENTERED}:" in view.text
    history = await world.say(clara, "/verlauf III.1.1")
    assert f"Stadtplanungsamt · {ENTERED}, 01.12.2026" in history.text
    await world.say(clara, "/export csv")
    past = world.last(clara).message.file
    assert past is not None
    rows = list(csv.reader(io.StringIO(past.content.decode("utf-8-sig")), delimiter=";"))
    author_column = rows[0].index("Von")
    assert {row[author_column] for row in rows[1:] if row[1] == "III.1.1"} == {ENTERED}


async def test_the_office_s_contacts_hear_of_a_report_entered_for_them(world: World) -> None:
    clara = world.coordinator
    world.clock.now = utc(2026, 12, 1, 9, 0)
    await world.open_round()
    await world.say(clara, "/bericht")
    await tap(world, clara, "Flüchtlingskoordination")
    await tap(world, clara, "III.2.1")
    await tap(world, clara, "🟢 im Plan")
    before = len(world.standin.sent_messages(KARL))
    await tap(world, clara, "Absenden")
    assert world.last(clara).text.startswith(
        "Maßnahme III.4.1 · erfasst für Flüchtlingskoordination"
    )
    [told] = world.standin.sent_messages(KARL)[before:]
    assert told.plain_text == (
        "Clara Koordina (Koordinierungsstelle) hat für Flüchtlingskoordination den Bericht zu "
        "III.2.1 erfasst (Version 1)."
    )
    # Karl's own overview shows the measure as reported
    overview = await world.say(world.contact, "/bericht")
    assert ["✅ III.2.1"] in overview.buttons
