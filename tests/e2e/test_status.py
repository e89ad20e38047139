"""Coordinators' views through the stand-in, on reports stored as the dialogue stores them."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

import conversations.status
from storage.evidence import add_evidence
from storage.models import EvidenceKind, Measure, Obstacle, Office, Status
from storage.people import contact_by_telegram_id
from storage.reporting import current_round, item_for, start_draft
from tests.e2e.conftest import Said, World, store_report
from tests.e2e.test_reporting import add_person

KARL, WANDA, JANA, FIONA = 601, 611, 612, 613
SCRIPT = "<script>alert(1)</script> & Co"
TITLE_IV_1_1 = "Ausbau der Öffentlichkeitsarbeit."


@pytest.fixture
async def reported(world: World) -> World:
    """October: Karl reports IV.1.1. November (current): several offices report."""
    world.clock.now = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    await world.open_round()
    await store_report(
        world,
        KARL,
        "IV.1.1",
        "Flüchtlingskoordination",
        Said(Status.ON_TRACK),
        Said(Status.ACHIEVED),
    )
    world.clock.now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    await world.open_round()
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
        "I Bildung: ✅0 🟢0 🟡0 🔴0 ⚪0 · berichtet: 0 von 10 Meldungen",
        "II Ausbildung und berufliche Integration: ✅0 🟢0 🟡0 🔴0 ⚪0 · berichtet: 0 von 7 Meldungen",
        "III Wohnen: ✅0 🟢0 🟡0 🔴2 ⚪1 · berichtet: 3 von 15 Meldungen",
        "IV Zivilgesellschaftliches Engagement: ✅1 🟢2 🟡1 🔴0 ⚪0 · berichtet: 1 von 6 Meldungen",
        "V Gesundheit: ✅0 🟢1 🟡1 🔴0 ⚪0 · berichtet: 1 von 4 Meldungen",
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
    for query in ("Sport", "und"):
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
    assert "   Mittel- und langfristig: – ohne Bericht · Flüchtlingskoordination" in iv
    iii = (await reported.say(reported.coordinator, "/status Wohnen")).text
    assert (
        "   Kurzfristig: 🔴 gefährdet (gesamt, aus 2 von 5 Ämtern)\n"
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
    assert lines[0] == "Maßnahme III.1.1 – gesamt: 🟢 im Plan (aus 2 von 5 Ämtern)"


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
    await reported.open_round()
    await store_report(
        reported,
        KARL,
        "IV.1.1",
        "Flüchtlingskoordination",
        Said(Status.DELAYED),
        Said(Status.ACHIEVED),
    )
    text = (await reported.say(reported.coordinator, "/verlauf IV.1.1")).text
    assert text.splitlines() == [
        "Verlauf IV.1.1",
        TITLE_IV_1_1,
        "Zuständig: Flüchtlingskoordination",
        "",
        "Berichtsrunde ab 01.10.2026",
        "Flüchtlingskoordination · Karl Kontakt, 01.10.2026",
        "   Kurzfristig: 🟢 im Plan",
        "   Mittel- und langfristig: ✅ erreicht",
        "",
        "Berichtsrunde ab 02.12.2026",
        "Flüchtlingskoordination · Karl Kontakt, 02.12.2026",
        "   Kurzfristig: 🟡 verzögert",
        "   Mittel- und langfristig: ✅ erreicht",
    ]
    assert (await reported.say(reported.coordinator, "/verlauf")).text.startswith(
        "Bitte geben Sie eine Maßnahme an"
    )
    goal = await reported.say(reported.coordinator, "/verlauf IV.2")
    assert goal.text.startswith("IV.2 ist ein Ziel; der Verlauf gilt je Maßnahme.")
    assert [row[0].split()[0] for row in goal.buttons] == ["IV.2.1", "IV.2.2", "IV.2.3"]
    only_one = await reported.say(reported.coordinator, "/verlauf IV.1")  # a goal of one measure
    assert only_one.text.startswith("Verlauf IV.1.1\n")
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
    assert workbook.sheetnames[0] == "Übersicht"
    assert workbook.sheetnames[-1] == "Verlauf"
    assert len(workbook.sheetnames) == 7
    iv = workbook[workbook.sheetnames[4]]
    rows = [tuple(cell.value for cell in row) for row in iv.iter_rows(min_row=4)]
    delayed = [r for r in rows if r[0] == "IV.2.1" and r[6] == "verzögert"]
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

    pdf = await reported.say(reported.coordinator, "/export pdf")
    assert pdf.message.filename == "monitoring-2026-11-10.pdf"
    reader = PdfReader(BytesIO(pdf.message.file_bytes or b""))
    assert "IV.2.1" in "".join(page.extract_text() for page in reader.pages)
    assert (await reported.say(reported.coordinator, "/export word")).text.startswith(
        "Mit /export erhalten Sie"
    )


async def test_an_export_too_large_for_telegram_is_explained(
    reported: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversations.status, "DOCUMENT_LIMIT", 2_000)
    for command, option in (
        ("/export", "--format xlsx -o monitoring-2026-11-10.xlsx"),
        ("/export csv", "--format csv -o monitoring-stand-2026-11-10.csv"),
        ("/export pdf", "--format pdf -o monitoring-2026-11-10.pdf"),
    ):
        answer = await reported.say(reported.coordinator, command)
        assert answer.message.kind == "text"
        assert answer.text.startswith("Die Datei wäre mit ")
        assert f"monitoring-bot export {option}" in answer.text


# --- finding things: codes as people type them, words, offices ---------------------------------


@pytest.mark.parametrize("query", ["5.1.2", "V.1.2.", "v.1.2,", "5.1.2.", "„V.1.2“"])
async def test_codes_with_arabic_numerals_punctuation_and_any_case(
    reported: World, query: str
) -> None:
    answer = await reported.say(reported.coordinator, f"/status {query}")
    assert answer.text.startswith("Maßnahme V.1.2 – gesamt: 🟡 verzögert\n")
    history = await reported.say(reported.coordinator, f"/verlauf {query}")
    assert history.text.startswith("Verlauf V.1.2\n")


async def test_goal_by_arabic_numerals_and_unknown_codes(reported: World) -> None:
    assert (await reported.say(reported.coordinator, "/status 3.1")).text.startswith(
        "Ziel III.1 (III Wohnen)"
    )
    assert (await reported.say(reported.coordinator, "/status 3.1.")).text.startswith(
        "Ziel III.1 (III Wohnen)"
    )
    unknown = await reported.say(reported.coordinator, "/status 9.9.9")
    assert unknown.text.startswith("Den Code IX.9.9 gibt es nicht.")


async def test_a_word_found_in_one_measure_shows_it(reported: World) -> None:
    answer = await reported.say(reported.coordinator, "/status arbeitskreis")
    assert answer.text.startswith("Maßnahme V.2.1 – gesamt: – ohne Bericht\n")
    history = await reported.say(reported.coordinator, "/verlauf Arbeitskreis")
    assert history.text == "Zu V.2.1 gibt es noch keine Berichte."


async def test_a_word_found_in_several_measures_offers_them(reported: World) -> None:
    answer = await reported.say(reported.coordinator, "/status Traumatherapie")
    assert answer.text.splitlines() == [
        "„Traumatherapie“ steht in 2 Maßnahmen. Bitte wählen Sie:",
        "V.1.1 Angebote der psychosozialen Beratung, Therapie - einschließlich Traum…",
        "V.1.2 Für unbegleitete minderjährige Ausländer, die durch fluchtbedingte Be…",
    ]
    assert answer.buttons == [
        ["V.1.1 Angebote der psychosozialen Beratun…"],
        ["V.1.2 Für unbegleitete minderjährige Ausl…"],
    ]
    chosen = await reported.press(
        reported.coordinator, "V.1.2 Für unbegleitete minderjährige Ausl…"
    )
    assert chosen.text.startswith("Maßnahme V.1.2 – gesamt: 🟡 verzögert\n")

    await reported.say(reported.coordinator, "/verlauf trauma")
    history = await reported.press(
        reported.coordinator, "V.1.2 Für unbegleitete minderjährige Ausl…"
    )
    assert history.text.startswith("Verlauf V.1.2\n")
    assert "Amt für Jugend und Familie · Jana Jugend, 02.11.2026" in history.text


async def test_an_office_by_name_shows_its_measures(reported: World) -> None:
    for query in ("Amt für soziale Leistungen", "amt für SOZIALE leistungen", "Amt für soz"):
        answer = await reported.say(reported.coordinator, f"/status {query}")
        assert answer.text.splitlines()[:7] == [
            "Amt für soziale Leistungen",
            "Berichtsrunde 02.11.2026 bis 01.12.2026",
            "Zuständig für 4 Maßnahmen; in dieser Runde berichtet: 1 von 4",
            "",
            "III.1.1 Auftragsvergabe zur Erstellung eines Wohnungsmarktberichts für die Stadt "
            "Mainz, der auch… (mit 4 weiteren Ämtern)",
            "   Kurzfristig: 🔴 gefährdet, 02.11.2026",
            "   Mittelfristig: ⚪ nicht begonnen, 02.11.2026",
        ]
        assert "V.1.1 Angebote der psychosozialen Beratung" in answer.text
        assert "III.3.2 Entwicklung eines kommunalen Schutzkonzepts" in answer.text
        assert "Leitstelle Wohnen" not in answer.text  # only this office's own reports
    ambiguous = await reported.say(reported.coordinator, "/status Amt für")
    assert ambiguous.text.startswith("„Amt für“ ist nicht eindeutig oder unbekannt.")
    assert "   /status Amt für soziale Leistungen" in ambiguous.text.splitlines()

    choose = await reported.say(reported.coordinator, "/verlauf amt für soziale leistungen")
    assert choose.text.startswith(
        "Amt für soziale Leistungen: Den Verlauf welcher Maßnahme möchten Sie sehen?"
    )
    assert [row[0].split()[0] for row in choose.buttons] == [
        "III.1.1", "III.1.2", "III.3.2", "V.1.1",
    ]  # fmt: skip
    history = await reported.press(reported.coordinator, choose.buttons[0][0])
    assert history.text.startswith("Verlauf III.1.1\n")


async def test_a_contact_finds_only_the_measures_of_their_offices(reported: World) -> None:
    karl = reported.contact
    assert (
        await reported.say(karl, "/status Traumatherapie")
    ).text == "„Traumatherapie“ steht nur in Maßnahmen, die nicht zu Ihren Ämtern gehören."
    assert (
        await reported.say(karl, "/verlauf Traumatherapie")
    ).text == "„Traumatherapie“ steht nur in Maßnahmen, die nicht zu Ihren Ämtern gehören."
    assert (
        await reported.say(karl, "/status Amt für soziale Leistungen")
    ).text == "Die Maßnahmen von Amt für soziale Leistungen gehören nicht zu denen Ihrer Ämter."
    assert (
        await reported.say(karl, "/status 5.1.2")
    ).text == "V.1.2 gehört nicht zu den Maßnahmen Ihrer Ämter."
    # "Kultur" is in IV.3.2 (his) and V.2.1 (not his): he gets his one measure
    assert (await reported.say(karl, "/status Kultur")).text.startswith("Maßnahme IV.3.2 ")
    own = await reported.say(karl, "/status Flüchtlingskoordination")
    assert own.text.startswith("Flüchtlingskoordination\n")
    # a button for a measure he may not see (forged, or from before he lost the office)
    foreign = (await reported.say(reported.coordinator, "/status Traumatherapie")).message
    data = foreign.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    await reported.say(karl, "/status")
    await reported.settle(await reported.standin.press_callback_data(karl, data))
    assert reported.last(karl).text == "Diese Schaltfläche ist nicht mehr gültig."


async def test_field_view_names_the_offices_of_measures_without_reports(reported: World) -> None:
    text = (await reported.say(reported.coordinator, "/status Gesundheit")).text
    assert (
        "V.1.1 Angebote der psychosozialen Beratung, Therapie - einschließlich Traumatherapie – "
        "werden v…\n"
        "   Kurzfristig: – ohne Bericht · Amt für soziale Leistungen\n"
        "   Langfristig: – ohne Bericht · Amt für soziale Leistungen\n"
    ) in text
    assert (
        "   Mittel- und langfristig: – ohne Bericht (gesamt)\n"
        "      Büro für Migration und Integration: – ohne Bericht\n"
        "      Sozialplanung: – ohne Bericht\n"
    ) in text  # V.2.1, shared


# --- history worth reading -----------------------------------------------------------------


async def send_evidence(world: World, user_id: int, code: str, office: str, name: str) -> None:
    """A document sent while reporting (to the draft that ``store_report`` then submits)."""
    async with world.sessions() as session, session.begin():
        contact = await contact_by_telegram_id(session, user_id)
        round_ = await current_round(session, world.clock().astimezone(world.settings.zone).date())
        office_row = await session.scalar(select(Office).where(Office.name == office))
        measure = await session.scalar(select(Measure).where(Measure.code == code))
        assert contact is not None
        assert round_ is not None
        assert office_row is not None
        assert measure is not None
        item = await item_for(session, contact, measure.id, office_row.id)
        assert item is not None
        draft = await start_draft(session, round_, item, contact, world.clock())
        await add_evidence(
            session, report=draft, question="review", kind=EvidenceKind.DOCUMENT,
            file_id=f"file-{name}", file_unique_id=f"unique-{name}", file_name=name,
            mime_type="application/pdf", file_size=1_234_567, caption="Bescheid & Antrag",
            contact_id=contact.id, received_at=world.clock(),
        )  # fmt: skip


async def test_history_per_round_and_office_with_versions_and_a_picture(reported: World) -> None:
    world = reported
    # November (running): Karl's version 1 of IV.2.1 is in; he corrects it three days later
    world.clock.now = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)
    await send_evidence(world, KARL, "IV.2.1", "Flüchtlingskoordination", "Bescheid.pdf")
    world.clock.now = datetime(2026, 11, 5, 10, 30, tzinfo=UTC)
    await store_report(
        world, KARL, "IV.2.1", "Flüchtlingskoordination",
        Said(Status.ON_TRACK, "Zuschuss bewilligt"), Said(Status.ON_TRACK),
        indicator="2 Vereine gefördert",
    )  # fmt: skip
    # December: a colleague of the same office reports
    world.clock.now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    await world.open_round()
    await add_person(world, FIONA, "Fiona Flucht", "Flüchtlingskoordination")
    world.clock.now = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    await store_report(
        world, FIONA, "IV.2.1", "Flüchtlingskoordination",
        Said(Status.AT_RISK, "Verein aufgelöst", (Obstacle.STAFF, Obstacle.OTHER), "Raum fehlt",
             support="Gespräch mit dem Dezernat"),
        Said(Status.DELAYED, obstacles=()),
    )  # fmt: skip
    before = len(world.standin.sent_messages(world.coordinator.id))
    text = (await world.say(world.coordinator, "/verlauf IV.2.1")).text
    assert text.split("\n\n")[1:] == [
        "Berichtsrunde ab 02.11.2026\n"
        "Flüchtlingskoordination · Version 1 vom 02.11.2026, 09:00 Uhr · Karl Kontakt\n"
        "   Kurzfristig: 🟡 verzögert\n"
        "      Getan: Antrag liegt\n"
        "      Hindernis: Finanzierung\n"
        "      Unterstützung erbeten: Bitte Zuschuss klären\n"
        "   Mittel- und langfristig: 🟢 im Plan\n"
        "Flüchtlingskoordination · Version 2, korrigiert am 05.11.2026, 11:30 Uhr · Karl Kontakt\n"
        "   Kurzfristig: 🟢 im Plan\n"
        "      Getan: Zuschuss bewilligt\n"
        "   Mittel- und langfristig: 🟢 im Plan\n"
        "   Zahlen/Belege: 2 Vereine gefördert\n"
        "   📄 Bescheid.pdf · 1,2 MB – „Bescheid & Antrag“",
        "Berichtsrunde ab 02.12.2026\n"
        "Flüchtlingskoordination · Fiona Flucht, 03.12.2026\n"
        "   Kurzfristig: 🔴 gefährdet\n"
        "      Getan: Verein aufgelöst\n"
        "      Hindernis: Personal, Sonstiges: Raum fehlt\n"
        "      Unterstützung erbeten: Gespräch mit dem Dezernat\n"
        "   Mittel- und langfristig: 🟡 verzögert",
    ]
    sent = world.standin.sent_messages(world.coordinator.id)[before:]
    assert [m.kind for m in sent] == ["text"]  # two rounds: no picture yet

    # January: a third round, and the picture comes with the history
    world.clock.now = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    await world.open_round()
    await store_report(
        world,
        KARL,
        "IV.2.1",
        "Flüchtlingskoordination",
        Said(Status.DELAYED),
        Said(Status.ACHIEVED),
    )
    before = len(world.standin.sent_messages(world.coordinator.id))
    picture = await world.say(world.coordinator, "/verlauf IV.2.1")
    sent = world.standin.sent_messages(world.coordinator.id)[before:]
    assert [m.kind for m in sent] == ["text", "photo"]
    assert picture.message.kind == "photo"
    assert picture.message.filename == "verlauf.png"
    assert (picture.message.file_bytes or b"").startswith(b"\x89PNG")
    assert picture.text == "Verlauf IV.2.1: Stand der Zielhorizonte je Berichtsrunde (3 Runden)"
    assert "Berichtsrunde ab 04.01.2027" in sent[0].plain_text  # type: ignore[operator]

    # a contact of the office reads the same history
    karl = await world.say(world.contact, "/verlauf 4.2.1")
    assert karl.message.kind == "photo"


async def test_a_long_history_is_split_between_rounds(reported: World) -> None:
    world = reported
    long_note = ("Sehr ausführlicher Bericht mit Einzelheiten. " * 40).strip()  # 1,800 characters
    days = [datetime(2026, 12, 2, 8, 0, tzinfo=UTC), datetime(2027, 1, 4, 8, 0, tzinfo=UTC)]
    days += [datetime(2027, month, 1, 8, 0, tzinfo=UTC) for month in (2, 3, 4)]
    for when in days:
        world.clock.now = when
        await world.open_round()
        await store_report(
            world, KARL, "IV.1.1", "Flüchtlingskoordination",
            Said(Status.ON_TRACK, long_note), Said(Status.ACHIEVED, long_note),
        )  # fmt: skip
    before = len(world.standin.sent_messages(world.coordinator.id))
    await world.say(world.coordinator, "/verlauf IV.1.1")
    sent = world.standin.sent_messages(world.coordinator.id)[before:]
    texts_sent = [m.plain_text or "" for m in sent if m.kind == "text"]
    assert [m.kind for m in sent][-1] == "photo"
    assert len(texts_sent) >= 3
    assert all(len(m.text or "") <= 4096 for m in sent if m.kind == "text")
    assert texts_sent[0].startswith("Verlauf IV.1.1\n")
    # every round begins a message or follows a whole one: none is cut in two
    for part in texts_sent[1:]:
        assert part.startswith("Berichtsrunde ab ")
    rounds = [line for part in texts_sent for line in part.splitlines() if "Berichtsrunde" in line]
    assert rounds == [
        "Berichtsrunde ab 01.10.2026", "Berichtsrunde ab 02.12.2026",
        "Berichtsrunde ab 04.01.2027", "Berichtsrunde ab 01.02.2027",
        "Berichtsrunde ab 01.03.2027", "Berichtsrunde ab 01.04.2027",
    ]  # fmt: skip
    notes = [line for part in texts_sent for line in part.splitlines() if "Getan:" in line]
    assert notes == [f"      Getan: {long_note}"] * 10  # every line arrived whole


async def test_counts_say_what_they_count(reported: World) -> None:
    """Parts (a measure for one office) are counted, a contact's own view counts their own
    offices' parts, and a shared measure's overall status says what it rests on."""
    own = await reported.say(reported.contact, "/status")
    assert (
        "III Wohnen: ✅0 🟢0 🟡0 🔴1 ⚪0 · Ihre Ämter: 1 von 2 Meldungen berichtet"
        in own.text.splitlines()
    )
    field = await reported.say(reported.coordinator, "/status Wohnen")
    [shared] = [line for line in field.text.splitlines() if line.startswith("III.1.1 ")]
    assert shared.endswith(" · 2 von 5 Ämtern berichtet")
    measure = await reported.say(reported.coordinator, "/status III.1.1")
    assert measure.text.startswith("Maßnahme III.1.1 – gesamt: 🔴 gefährdet (aus 2 von 5 Ämtern)")
