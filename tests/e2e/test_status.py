"""Coordinators' views through the stand-in, on reports stored as the dialogue stores them."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import openpyxl
import pytest

import conversations.status
from storage.models import Obstacle, Status
from tests.e2e.conftest import Said, World, store_report
from tests.e2e.test_reporting import add_person

KARL, WANDA, JANA = 601, 611, 612
SCRIPT = "<script>alert(1)</script> & Co"


@pytest.fixture
async def reported(world: World) -> World:
    """October: Karl reports IV.1.1. November (current): several offices report."""
    world.clock.now = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    await world.say(world.coordinator, "/runde")
    await store_report(
        world,
        KARL,
        "IV.1.1",
        "Flüchtlingskoordination",
        Said(Status.ON_TRACK),
        Said(Status.ACHIEVED),
    )
    world.clock.now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    await world.say(world.coordinator, "/runde")
    await store_report(
        world, KARL, "IV.2.1", "Flüchtlingskoordination",
        Said(Status.DELAYED, "Antrag liegt", (Obstacle.FUNDING,), support="Bitte Zuschuss klären"),
        Said(Status.ON_TRACK),
    )  # fmt: skip
    await store_report(
        world,
        KARL,
        "III.2.1",
        "Flüchtlingskoordination",
        Said(Status.AT_RISK, SCRIPT),
        indicator="3 Entwürfe",
    )
    await add_person(
        world, WANDA, "Wanda Wohnen", "Leitstelle Wohnen", "Amt für soziale Leistungen"
    )
    await add_person(world, JANA, "Jana Jugend", "Amt für Jugend und Familie")
    await store_report(
        world, WANDA, "III.1.1", "Leitstelle Wohnen", Said(Status.ON_TRACK), Said(Status.ON_TRACK)
    )
    await store_report(
        world,
        WANDA,
        "III.1.1",
        "Amt für soziale Leistungen",
        Said(Status.AT_RISK),
        Said(Status.NOT_STARTED),
    )
    await store_report(
        world, JANA, "V.1.2", "Amt für Jugend und Familie",
        Said(Status.ON_TRACK), Said(Status.DELAYED, obstacles=(Obstacle.STAFF,)), indicator="12 Plätze",
    )  # fmt: skip
    world.clock.now = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
    return world


async def test_overview(reported: World) -> None:
    answer = await reported.say(reported.coordinator, "/status")
    assert answer.text.splitlines()[:8] == [
        "Stand des Integrationskonzepts",
        "Berichtsrunde 02.11.2026 bis 01.12.2026",
        "",
        "I Bildung: ✅0 🟢0 🟡0 🔴0 ⚪0 · 0/7 Maßnahmen berichtet",
        "II Ausbildung und berufliche Integration: ✅0 🟢0 🟡0 🔴0 ⚪0 · 0/4 Maßnahmen berichtet",
        "III Wohnen: ✅0 🟢0 🟡0 🔴2 ⚪1 · 1/6 Maßnahmen berichtet",
        "IV Zivilgesellschaftliches Engagement: ✅1 🟢2 🟡1 🔴0 ⚪0 · 1/6 Maßnahmen berichtet",
        "V Gesundheit: ✅0 🟢1 🟡1 🔴0 ⚪0 · 1/3 Maßnahmen berichtet",
    ]
    assert answer.buttons[-1] == ["📊 Diagramm"]
    assert answer.buttons[4] == ["V Gesundheit"]
    field = await reported.press(reported.coordinator, "V Gesundheit")
    assert field.text.startswith("V Gesundheit\nBerichtsrunde 02.11.2026 bis 01.12.2026")


@pytest.mark.parametrize("query", ["Gesundheit", "gesundheit", "Gesundhiet", "V", "v", "5"])
async def test_field_found_by_name_numeral_number_and_despite_typos(
    reported: World, query: str
) -> None:
    answer = await reported.say(reported.coordinator, f"/status {query}")
    assert answer.text.startswith("V Gesundheit\n")


async def test_field_by_prefix_and_choices_for_unknown(reported: World) -> None:
    assert (await reported.say(reported.coordinator, "/status Zivil")).text.startswith(
        "IV Zivilgesellschaftliches Engagement\n"
    )
    assert (
        await reported.say(reported.coordinator, "/status ausbildung und berufliche integration")
    ).text.startswith("II ")
    for query in ("Kultur", "und"):
        answer = await reported.say(reported.coordinator, f"/status {query}")
        assert answer.text.startswith(
            f"„{query}“ ist nicht eindeutig oder unbekannt. Möglich sind:"
        )
        assert "/status V – Gesundheit" in answer.text


async def test_field_view_marks_stale_obstacles_support_and_shared_measures(
    reported: World,
) -> None:
    iv = (await reported.say(reported.coordinator, "/status IV")).text
    assert (
        "   Kurzfristig: 🟢 im Plan · Flüchtlingskoordination, 01.10.2026 ⏳" in iv
    )  # IV.1.1, last round
    assert "   Kurzfristig: 🟡 verzögert 🧱 🆘 · Flüchtlingskoordination, 02.11.2026\n" in iv + "\n"
    assert "   Mittel- und langfristig: – ohne Bericht" in iv
    iii = (await reported.say(reported.coordinator, "/status Wohnen")).text
    assert (
        "   Kurzfristig: 🔴 gefährdet (gesamt)\n"
        "      Leitstelle Wohnen: 🟢 im Plan, 02.11.2026\n"
        "      Stadtplanungsamt: – ohne Bericht\n"
        "      Amt für Stadtentwicklung, Statistik und Wahlen: – ohne Bericht\n"
        "      Amt für soziale Leistungen: 🔴 gefährdet, 02.11.2026\n"
    ) in iii
    assert (
        "🧱 Hindernis · 🆘 Unterstützung erbeten · ⏳ Bericht älter als die laufende Runde" in iii
    )


async def test_measure_detail_with_history_and_escaped_text(reported: World) -> None:
    answer = await reported.say(reported.coordinator, "/status iii.2.1")
    text = answer.text
    assert text.startswith("Maßnahme III.2.1 – gesamt: 🔴 gefährdet\nRegelmäßige Aktualisierung")
    assert "Zuständig: Flüchtlingskoordination" in text
    assert f"      Getan: {SCRIPT}" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in (answer.message.text or "")
    assert "Zahlen und Belege zum Erfolgsindikator\n   Flüchtlingskoordination: 3 Entwürfe" in text
    assert (
        "   02.11.2026 · Flüchtlingskoordination · Version 1 · Karl Kontakt: Mittelfristig 🔴"
        in text
    )


async def test_goal_and_unknown_codes(reported: World) -> None:
    goal = (await reported.say(reported.coordinator, "/status III.1")).text
    assert goal.startswith("Ziel III.1 (III Wohnen)")
    assert "   III.1.1 🔴 gefährdet · offen – Auftragsvergabe" in goal
    assert "   III.1.2 – ohne Bericht · offen" in goal
    unknown = await reported.say(reported.coordinator, "/status IX.9.9")
    assert unknown.text.startswith("Den Code IX.9.9 gibt es nicht.")


async def test_long_output_is_split_between_lines(reported: World) -> None:
    long_note = ("Sehr ausführlicher Bericht mit Einzelheiten. " * 44).strip()  # ~1,980 characters
    await store_report(
        reported, WANDA, "III.1.1", "Leitstelle Wohnen",
        Said(Status.ON_TRACK, long_note), Said(Status.ON_TRACK, long_note),
    )  # fmt: skip
    await store_report(
        reported, WANDA, "III.1.1", "Amt für soziale Leistungen",
        Said(Status.ON_TRACK, long_note), Said(Status.ON_TRACK, long_note),
    )  # fmt: skip
    before = len(reported.standin.sent_messages(reported.coordinator.id))
    await reported.say(reported.coordinator, "/status III.1.1")
    parts = reported.standin.sent_messages(reported.coordinator.id)[before:]
    assert len(parts) >= 2
    assert all(len(p.plain_text or "") <= 4096 for p in parts)
    lines = "\n".join(p.plain_text or "" for p in parts).splitlines()
    assert lines.count(f"      Getan: {long_note}") == 4  # every line arrived whole
    assert lines[0] == "Maßnahme III.1.1 – gesamt: 🟢 im Plan"


async def test_outstanding_per_office_with_contacts(reported: World) -> None:
    text = (await reported.say(reported.coordinator, "/offen")).text
    assert text.startswith("Noch offen in der Runde bis 01.12.2026")
    assert (
        "Flüchtlingskoordination: III.4.1, IV.1.1, IV.3.1, IV.3.2\n   Ansprechperson: Karl Kontakt"
        in text
    )
    assert "Stadtplanungsamt: III.1.1\n   ⚠️ keine Ansprechperson" in text
    assert "Amt für Jugend und Familie: I.4.2\n   Ansprechperson: Jana Jugend" in text
    assert "Leitstelle Wohnen: III.1.2" in text
    # offices in the order they first appear in the plan
    assert (
        text.index("Fachstelle")
        < text.index("Büro für Migration")
        < text.index("Flüchtlingskoordination:")
    )


async def test_history_over_rounds(reported: World) -> None:
    reported.clock.now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    await reported.say(reported.coordinator, "/runde")
    await store_report(
        reported,
        KARL,
        "IV.1.1",
        "Flüchtlingskoordination",
        Said(Status.DELAYED),
        Said(Status.ACHIEVED),
    )
    text = (await reported.say(reported.coordinator, "/verlauf IV.1.1")).text
    assert text.splitlines()[2:] == [
        "01.10.2026: Kurzfristig 🟢 · Mittel- und langfristig ✅",
        "02.12.2026: Kurzfristig 🟡 · Mittel- und langfristig ✅",
    ]
    assert (await reported.say(reported.coordinator, "/verlauf")).text.startswith(
        "Bitte geben Sie eine Maßnahme an"
    )
    assert (await reported.say(reported.coordinator, "/verlauf IV.1")).text.startswith(
        "IV.1 ist ein Ziel"
    )
    assert (
        await reported.say(reported.coordinator, "/verlauf I.1.1")
    ).text == "Zu I.1.1 gibt es noch keine Berichte."


async def test_contact_sees_own_offices_only(reported: World) -> None:
    karl = reported.contact
    text = (await reported.say(karl, "/status")).text
    assert [line.split(":")[0] for line in text.splitlines()[3:5]] == [
        "III Wohnen", "IV Zivilgesellschaftliches Engagement",
    ]  # fmt: skip
    assert "V Gesundheit" not in text
    assert (await reported.say(karl, "/status III")).text.count("III.1.1") == 0  # not his office
    assert (
        await reported.say(karl, "/status V.1.2")
    ).text == "V.1.2 gehört nicht zu den Maßnahmen Ihrer Ämter."
    assert (
        await reported.say(karl, "/verlauf V.1.2")
    ).text == "V.1.2 gehört nicht zu den Maßnahmen Ihrer Ämter."
    assert (
        await reported.say(karl, "/offen")
    ).text == "Dieser Befehl ist der Koordinierungsstelle vorbehalten."
    assert (
        await reported.say(karl, "/export")
    ).text == "Dieser Befehl ist der Koordinierungsstelle vorbehalten."


async def test_strangers_and_groups(reported: World) -> None:
    for command in ("/status", "/status V", "/offen", "/verlauf V.1.2", "/export"):
        answer = await reported.say(reported.stranger, command)
        assert answer.text.startswith("Sie sind noch nicht freigeschaltet"), command
    in_group = await reported.say(reported.coordinator, "/status", reported.group)
    assert in_group.text.startswith("Stand des Integrationskonzepts")
    await reported.silent(reported.contact, "/status", reported.group)
    await reported.silent(reported.coordinator, "/status", reported.foreign_group)


async def test_chart_and_export(reported: World) -> None:
    await reported.say(reported.coordinator, "/status")
    picture = await reported.press(reported.coordinator, "📊 Diagramm")
    assert picture.message.kind == "photo"
    assert (picture.message.file_bytes or b"").startswith(b"\x89PNG")

    workbook_message = await reported.say(reported.coordinator, "/export")
    assert workbook_message.message.kind == "document"
    assert workbook_message.message.filename == "monitoring-2026-11-10.xlsx"
    workbook = openpyxl.load_workbook(BytesIO(workbook_message.message.file_bytes or b""))
    assert workbook.sheetnames[-1] == "Verlauf"
    assert len(workbook.sheetnames) == 6
    iv = workbook[workbook.sheetnames[3]]
    rows = [tuple(cell.value for cell in row) for row in iv.iter_rows(min_row=2)]
    delayed = [r for r in rows if r[0] == "IV.2.1" and r[5] == "verzögert"]
    assert len(delayed) == 1
    history = [tuple(c.value for c in row) for row in workbook["Verlauf"].iter_rows(min_row=2)]
    assert len(history) == 2 + 2 + 1 + 2 + 2 + 2  # answers of the six stored reports

    before = len(reported.standin.sent_messages(reported.coordinator.id))
    await reported.say(reported.coordinator, "/export csv")
    files = reported.standin.sent_messages(reported.coordinator.id)[before:]
    assert [f.filename for f in files] == [
        "monitoring-stand-2026-11-10.csv",
        "monitoring-verlauf-2026-11-10.csv",
    ]
    assert "IV.2.1" in (files[0].file_bytes or b"").decode("utf-8-sig")
    assert (await reported.say(reported.coordinator, "/export pdf")).text.startswith(
        "Mit /export erhalten Sie"
    )


async def test_an_export_too_large_for_telegram_is_explained(
    reported: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversations.status, "DOCUMENT_LIMIT", 2_000)
    for command, option in (
        ("/export", "--format xlsx -o monitoring-2026-11-10.xlsx"),
        ("/export csv", "--format csv -o monitoring-stand-2026-11-10.csv"),
    ):
        answer = await reported.say(reported.coordinator, command)
        assert answer.message.kind == "text"
        assert answer.text.startswith("Die Datei wäre mit ")
        assert f"monitoring-bot export {option}" in answer.text
