"""Issue 11 end to end: few taps, notes typed at the status, several obstacles, evidence.

Each test drives the real bot through the Bot API stand-in, as a person on a phone would.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from bot.telegram_request import ATTEMPTS
from storage.models import Evidence, EvidenceKind, HorizonTarget, Obstacle, Status
from tests.e2e.conftest import World
from tests.e2e.test_reporting import open_round, reports, tap

PDF = b"%PDF-1.4\nunterschriebene Vereinbarung\n"
PHOTO = b"\xff\xd8\xff\xe0 unterschriebenes Protokoll"


def read_copy(data_dir: Path, stored_path: str) -> bytes:
    return Path(data_dir, stored_path).read_bytes()


def half_written(data_dir: Path) -> list[Path]:
    """Copies left under their temporary name."""
    return list(Path(data_dir).rglob("*.teil"))


async def evidence_rows(world: World) -> list[Evidence]:
    async with world.sessions() as session:
        return list(await session.scalars(select(Evidence).order_by(Evidence.id)))


async def test_a_two_target_measure_costs_four_taps_and_five_calls(world: World) -> None:
    """From the tap in the overview to the submission: 4 taps, one message of its own that
    each tap turns into the next question, and 5 of Telegram's rate-limited calls (each
    tap one, the submission two: its confirmation and the next measure)."""
    karl = world.contact
    await open_round(world)
    await world.say(karl, "/bericht")
    before = len(world.standin.sent_messages(karl.id))
    calls = len(world.standin.calls_to("sendMessage") + world.standin.calls_to("editMessageText"))
    taps = 0
    for label in ("III.4.1", "🟢 im Plan", "🟢 im Plan", "Absenden"):
        await tap(world, karl, label)
        taps += 1
    sent = world.standin.sent_messages(karl.id)[before:]
    assert taps == 4
    after = world.standin.calls_to("sendMessage") + world.standin.calls_to("editMessageText")
    assert len(after) - calls == 5
    # the measure's message, and the next measure's first question
    assert len(sent) == 2
    assert (sent[-1].plain_text or "").startswith("Maßnahme III.2.1")
    versions = [v.plain_text or "" for v in sent[0].edit_history] + [sent[0].plain_text or ""]
    assert versions[0].startswith("Maßnahme III.4.1\n")
    assert versions[1].startswith(
        "III.4.1 · Kurzfristig, Stand: 🟢 im Plan\n\nIII.4.1 · Mittel- und langfristig (2/2)"
    )
    assert versions[2].startswith("III.4.1 · Ihre Angaben\n")  # lists every answer
    assert versions[3:] == ["✅ III.4.1 abgesendet (Version 1). Noch offen: 5."]
    # every text once per question: the target of each horizon and the indicator
    shown = "\n".join(v.plain_text or "" for m in sent for v in m.edit_history)
    [draft] = await reports(world, "III.4.1")
    assert draft.submitted_at is not None
    async with world.sessions() as session:
        targets = list(
            await session.scalars(
                select(HorizonTarget).where(
                    HorizonTarget.id.in_([a.horizon_target_id for a in draft.answers])
                )
            )
        )
    for target in targets:
        assert shown.count(target.target) == 1
    assert shown.count("Erfolgsindikator:") == 1
    assert [(a.status, a.note) for a in draft.answers] == [
        (Status.ON_TRACK, ""), (Status.ON_TRACK, ""),
    ]  # fmt: skip
    assert draft.indicator_note == ""


async def test_several_obstacles_and_a_few_words_for_other(world: World) -> None:
    karl = world.contact
    await open_round(world)
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    question = await tap(world, karl, "🔴 gefährdet")
    assert question.buttons == [
        ["Personal", "Finanzierung"], ["Recht/Verwaltung", "Kooperation/Partner"],
        ["Daten/Information", "Sonstiges"], ["Fertig"],
    ]  # fmt: skip
    await tap(world, karl, "Personal")
    toggled = await tap(world, karl, "Sonstiges")
    assert toggled.message_id == question.message_id  # the same message, redrawn
    assert toggled.buttons[0] == ["☑ Personal", "Finanzierung"]
    assert toggled.buttons[2] == ["Daten/Information", "☑ Sonstiges"]
    [draft] = await reports(world, "III.2.1")
    assert draft.answers[0].obstacles is None  # toggling stores nothing yet

    await world.restart_bot()  # the selection lives in the buttons
    await tap(world, karl, "☑ Personal")  # off again
    await tap(world, karl, "Finanzierung")
    words = await tap(world, karl, "Fertig")
    assert words.message_id == question.message_id
    assert words.text.startswith("III.2.1 · Mittelfristig, Hindernis: Finanzierung, Sonstiges\n\n")
    assert words.text.endswith("Was steht sonst im Weg? Ein paar Worte genügen.")
    await world.say(karl, "Kein Raum frei")
    await tap(world, karl, "Nein")
    review = world.last(karl)
    assert "   Hindernis: Finanzierung, Sonstiges: Kein Raum frei\n" in review.text
    [draft] = await reports(world, "III.2.1")
    assert draft.answers[0].obstacles == (Obstacle.FUNDING, Obstacle.OTHER)
    assert draft.answers[0].obstacle_note == "Kein Raum frei"

    # changing the obstacles starts from what was chosen, and dropping "Sonstiges" drops
    # its words
    await tap(world, karl, "Ändern")
    change = await tap(world, karl, "Mittelfristig: Hindernis")
    assert "Bisher: Finanzierung, Sonstiges" in change.text
    assert ["Daten/Information", "☑ Sonstiges"] in change.buttons
    await tap(world, karl, "☑ Sonstiges")
    await tap(world, karl, "Fertig")
    [draft] = await reports(world, "III.2.1")
    assert (draft.answers[0].obstacles, draft.answers[0].obstacle_note) == (
        (Obstacle.FUNDING,), None,
    )  # fmt: skip


async def test_a_note_is_typed_at_the_status_and_shown_once(world: World) -> None:
    karl = world.contact
    await open_round(world)
    await world.say(karl, "/bericht")
    first = await tap(world, karl, "III.4.1")
    again = await world.say(karl, "Zwei Kurse gestartet")
    assert first.message.plain_text == "III.4.1 · Kurzfristig, Getan: Zwei Kurse gestartet"
    assert again.text.startswith("III.4.1 · Kurzfristig (1/2)")  # no header a second time
    assert again.text.endswith(
        "Ihre Notiz: Zwei Kurse gestartet\nWie ist der Stand? Was sich getan hat, können Sie "
        "vorher eintippen (freiwillig)."
    )
    await tap(world, karl, "🟢 im Plan")
    [draft] = await reports(world, "III.4.1")
    first_target = min(draft.answers, key=lambda a: a.horizon_target_id)
    assert (first_target.status, first_target.note) == (Status.ON_TRACK, "Zwei Kurse gestartet")


async def test_evidence_as_photo_and_document_survives_a_restart(world: World) -> None:
    karl, clara = world.contact, world.coordinator
    await open_round(world)
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    # a photo of a signed document at the status question (where notes are typed)
    await world.settle(await world.standin.send_photo(karl, content=PHOTO, caption="Seite 1"))
    collapsed, again = world.standin.sent_messages(karl.id)[-2:]
    assert collapsed.plain_text == "III.2.1 · 📎 Beleg gespeichert: Foto"
    assert (again.plain_text or "").startswith("III.2.1 · Mittelfristig (1/1)")
    await tap(world, karl, "🟢 im Plan")
    # a PDF at the review, where the indicator is answered
    await world.settle(
        await world.standin.send_document(karl, filename="Vereinbarung.pdf", content=PDF)
    )
    review = world.last(karl)
    assert "📎 Dateien: Vereinbarung.pdf, Foto" in review.text
    await world.say(karl, "1 Vereinbarung unterschrieben")
    await tap(world, karl, "Absenden")

    rows = await evidence_rows(world)
    assert [(r.kind, r.file_name, r.file_size, r.caption) for r in rows] == [
        (EvidenceKind.PHOTO, None, len(PHOTO), "Seite 1"),
        (EvidenceKind.DOCUMENT, "Vereinbarung.pdf", len(PDF), None),
    ]
    assert [r.question for r in rows][1] == "rv"
    karl_row = await world.contact_row(karl.id)
    assert karl_row is not None
    assert {r.contact_id for r in rows} == {karl_row.id}
    # the copies outlive the chat: they are in DATA_DIR
    data_dir = world.settings.data_dir
    assert data_dir is not None
    assert [read_copy(data_dir, r.stored_path or "") for r in rows] == [PHOTO, PDF]
    assert all(r.stored_path and r.stored_path.startswith("belege/") for r in rows)

    await world.restart_bot()

    view = await world.say(clara, "/status III.2.1")
    assert "\nBelege (mit den Schaltflächen erneut senden)\n📄 Vereinbarung.pdf · " in view.text
    assert "📷 Foto · Flüchtlingskoordination · Karl Kontakt · 25.11.2026" in view.text
    assert view.buttons == [["📄 1: Vereinbarung.pdf"], ["📷 2: Foto"]]
    sent = await world.press(clara, "📄 1: Vereinbarung.pdf")
    assert sent.message.kind == "document"
    assert sent.message.file is not None
    assert sent.message.file.content == PDF
    assert sent.text == "Beleg zu III.2.1 · Flüchtlingskoordination · Karl Kontakt"
    await world.settle(
        await world.standin.press_button(clara, "📷 2: Foto", message_id=view.message_id)
    )
    photo = world.last(clara)
    assert photo.message.kind == "photo"
    assert photo.message.file is not None
    assert photo.message.file.content == PHOTO
    # the export lists the files beside the measure's rows for the office
    await world.say(clara, "/export csv")
    current = world.standin.sent_messages(clara.id)[-2]
    assert current.file is not None
    table = csv.reader(io.StringIO(current.file.content.decode("utf-8-sig")), delimiter=";")
    header, *lines = table
    assert header[-2:] == ["Zahlen/Belege", "Belege (Dateien)"]
    [line] = [r for r in lines if r[header.index("Code")] == "III.2.1"]
    assert line[-2:] == [
        "1 Vereinbarung unterschrieben",
        "Vereinbarung.pdf (Karl Kontakt, 25.11.2026); Foto (Karl Kontakt, 25.11.2026)",
    ]
    # a contact sees the list, but has no buttons to fetch files
    own = await world.say(karl, "/status III.2.1")
    assert "Vereinbarung.pdf" in own.text
    assert own.buttons == []


async def test_files_that_cannot_be_evidence_are_explained(world: World) -> None:
    karl = world.contact
    await open_round(world)
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    await world.settle(
        await world.standin.send_document(
            karl, filename="film.mp4", content=b"x", mime_type="video/mp4"
        )
    )
    hint = world.standin.sent_messages(karl.id)[-2]
    assert (hint.plain_text or "").startswith("Diese Dateiart nehme ich nicht als Beleg an.")
    await world.settle(
        await world.standin.send_document(
            karl, filename="scan.pdf", content=PDF, file_size=25_000_000
        )
    )
    hint = world.standin.sent_messages(karl.id)[-2]
    assert (hint.plain_text or "").startswith(
        "Diese Datei ist 25 MB groß; Telegram gibt Bots nur Dateien bis 20 MB heraus"
    )
    await world.settle(await world.standin.send_voice(karl))  # a voice note is taken
    assert world.standin.sent_messages(karl.id)[-2].plain_text == (
        "III.2.1 · 📎 Beleg gespeichert: Sprachnachricht"
    )
    assert [(r.kind, r.file_name) for r in await evidence_rows(world)] == [
        (EvidenceKind.VOICE, None)
    ]


async def test_evidence_of_a_paused_report_is_not_taken(world: World) -> None:
    karl = world.contact
    await open_round(world)
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    await world.say(karl, "/abbrechen")
    await world.settle(await world.standin.send_document(karl, filename="a.pdf", content=PDF))
    assert world.last(karl).text.startswith("Ihr Bericht ist pausiert")
    assert await evidence_rows(world) == []


async def test_a_failed_download_is_fetched_by_the_schedule(world: World) -> None:
    """Telegram fails while the copy is fetched: the file is kept by its id, and the
    minute's schedule fetches the copy later; a file that keeps failing is given up."""
    karl = world.contact
    await open_round(world)
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    # three downloads fail, each after the bot's own repeated attempts
    world.standin.fail_next(
        "getFile", error_code=502, description="Bad Gateway", times=3 * ATTEMPTS
    )
    await world.settle(await world.standin.send_document(karl, filename="a.pdf", content=PDF))
    assert world.standin.sent_messages(karl.id)[-2].plain_text == (
        "III.2.1 · 📎 Beleg gespeichert: a.pdf"
    )  # the person is not bothered with it
    [row] = await evidence_rows(world)
    assert (row.stored_path, row.copy_attempts) == (None, 1)

    await world.tick(world.clock())  # fails again (502)
    await world.tick(world.clock())  # and again
    [row] = await evidence_rows(world)
    assert (row.stored_path, row.copy_attempts) == (None, 3)
    await world.tick(world.clock())  # Telegram answers again
    [row] = await evidence_rows(world)
    assert row.stored_path is not None
    assert world.settings.data_dir is not None
    assert read_copy(world.settings.data_dir, row.stored_path) == PDF
    assert not half_written(world.settings.data_dir)

    world.standin.fail_next("getFile", error_code=400, description="Bad Request: gone", times=5)
    await world.settle(await world.standin.send_document(karl, filename="b.pdf", content=PDF))
    for _ in range(6):  # four more failures, then no more tries (Telegram would answer now)
        await world.tick(world.clock())
    _, given_up = await evidence_rows(world)
    assert (given_up.stored_path, given_up.copy_attempts) == (None, 5)
