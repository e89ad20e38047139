"""The reporting dialogue end to end: rounds, questions, review, corrections, safety."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.standin import FakeUser
from storage.models import Contact, Measure, Obstacle, Office, Report, Role, Status
from storage.people import add_contact
from tests.e2e.conftest import Answer, World

KARL_CODES = ["III.2.1", "III.4.1", "IV.1.1", "IV.2.1", "IV.3.1", "IV.3.2"]
ASK_STATUS = "Wie ist der Stand? Was sich getan hat, können Sie vorher eintippen (freiwillig)."
INDICATOR_PROMPT = "Zahlen oder Belege dazu können Sie jetzt eintippen"


async def add_person(world: World, user_id: int, name: str, *offices: str) -> FakeUser:
    async with world.sessions() as session, session.begin():
        rows = list(await session.scalars(select(Office).where(Office.name.in_(offices))))
        await add_contact(
            session, telegram_user_id=user_id, display_name=name, role=Role.CONTACT,
            offices=rows, now=world.clock(),
        )  # fmt: skip
    user = world.standin.user(user_id, *name.split(" ", 1))
    world.standin.open_chat(user)
    return user


async def open_round(world: World) -> Answer:
    return await world.open_round()


async def tap(world: World, user: FakeUser, label: str) -> Answer:
    """Press ``label`` and return the bot's newest message to ``user`` afterwards."""
    return await world.press(user, label)


async def reports(world: World, code: str) -> list[Report]:
    async with world.sessions() as session:
        return list(
            await session.scalars(
                select(Report)
                .join(Measure, Measure.id == Report.measure_id)
                .where(Measure.code == code)
                .order_by(Report.id)
                .options(selectinload(Report.answers))
            )
        )


async def answer_iii_2_1(world: World, user: FakeUser) -> None:
    """III.2.1 has one target (mittelfristig): delayed, with a note, obstacle and support."""
    await world.say(user, "Entwurf liegt beim Dezernat.")  # the note, typed before the status
    await tap(world, user, "🟡 verzögert")
    await tap(world, user, "Personal")
    await tap(world, user, "Fertig")
    await tap(world, user, "Ja")
    await world.say(user, "Bitte Termin mit dem Dezernat.")


async def reported_in_october(world: World, report: Callable[[], Awaitable[None]]) -> None:
    """October's round with III.2.1 reported by ``report``, then November's round open."""
    world.clock.now = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    await open_round(world)
    await world.say(world.contact, "/bericht")
    await tap(world, world.contact, "III.2.1")
    await report()
    await tap(world, world.contact, "Absenden")
    world.clock.now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    await open_round(world)
    await world.say(world.contact, "/bericht")


@pytest.fixture
async def round_open(world: World) -> World:
    await open_round(world)
    return world


async def test_no_round_no_report(world: World) -> None:
    answer = await world.say(world.contact, "/bericht")
    assert answer.text.startswith("Derzeit ist keine Berichtsrunde geöffnet.")


async def test_round_opening_announces_and_overview(world: World) -> None:
    confirmation = await open_round(world)
    assert confirmation.text == (
        "Clara Koordina hat die Berichtsrunde 25.11.2026 bis 24.12.2026 geöffnet. "
        "1 Ansprechperson benachrichtigt."
    )
    announcement = world.last(world.contact)
    assert announcement.text.startswith("Neue Berichtsrunde bis 24.12.2026.")
    assert "6 Maßnahmen, etwa 8 Minuten" in announcement.text
    assert (await open_round(world)).text.startswith(
        "Heute wurde bereits eine Berichtsrunde geöffnet"
    )

    overview = await world.say(world.contact, "/report")  # /bericht shows what is due ...
    assert overview.text.startswith(
        "Berichtsrunde bis 24.12.2026\nOffen: 6 Maßnahmen, 11 Zielhorizonte, etwa 8 Minuten."
    )
    assert overview.buttons == [["Der Reihe nach"], *[[code] for code in KARL_CODES]]
    # ... "Jetzt berichten" under the announcement goes straight to the first question
    question = await tap(world, world.contact, "Jetzt berichten")
    assert question.text.startswith(f"Maßnahme {KARL_CODES[0]}\n")
    assert question.text.endswith(ASK_STATUS)


async def test_contact_cannot_open_round(world: World) -> None:
    answer = await world.say(world.contact, "/runde")
    assert answer.text == "Dieser Befehl ist der Koordinierungsstelle vorbehalten."


async def test_a_whole_measure_in_order(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    world.standin.mark_read(karl.id)
    await world.standin.press_button(karl, "Der Reihe nach")
    [question] = await world.standin.wait_for_messages(karl.id, count=1)  # one message
    assert (question.plain_text or "").startswith(
        "Maßnahme III.2.1\nRegelmäßige Aktualisierung und Fortschreibung"
    )
    assert "Erfolgsindikator" not in (question.plain_text or "")  # asked at the end, once
    assert "\n\nIII.2.1 · Mittelfristig (1/1)\nZiel: Das Papier wird erstellt" in (
        question.plain_text or ""
    )
    # what "mittelfristig" means in this plan, where the horizon is asked
    assert "\nMittelfristig: Derzeit in Vorbereitung, bzw. Fertigstellung bis in fünf Jahren\n" in (
        question.plain_text or ""
    )
    assert question.buttons == [
        ["✅ erreicht", "🟢 im Plan"], ["🟡 verzögert", "🔴 gefährdet"], ["⚪ nicht begonnen", "⚫ entfällt"],
    ]  # fmt: skip

    await answer_iii_2_1(world, karl)
    # the typed note collapsed the question into one line; the question came again below
    assert question.plain_text == "III.2.1 · Mittelfristig, Getan: Entwurf liegt beim Dezernat."
    assert question.buttons == []
    # each tap turned the question into its answer's line with the next question below
    # (one message for the taps); the typed text collapsed it into one line
    lines = [m.plain_text for m in world.standin.sent_messages(karl.id)[-3:-1]]
    assert lines == [
        "III.2.1 · Mittelfristig, Getan: Entwurf liegt beim Dezernat.",
        "III.2.1 · Mittelfristig, Unterstützung (Text): Bitte Termin mit dem Dezernat.",
    ]
    review = world.last(karl)
    assert review.text == (
        "III.2.1 · Ihre Angaben\n"
        "Mittelfristig: 🟡 verzögert\n"
        "   Getan: Entwurf liegt beim Dezernat.\n"
        "   Hindernis: Personal\n"
        "   Unterstützung gewünscht: Bitte Termin mit dem Dezernat.\n"
        "\n"
        "Erfolgsindikator: Eine aktualisierte Version des Arbeitspapiers mit überprüften "
        "Leitlinien und Standards für Gemeinschaftsunterkünfte liegt vor und wird online zur "
        "Verfügung gestellt.\n"
        "Zahlen oder Belege dazu können Sie jetzt eintippen oder als Foto, Dokument oder "
        "Sprachnachricht senden (freiwillig). Dann „Absenden“."
    )
    assert review.buttons == [["Absenden", "Ändern", "Später"]]
    assert [r.submitted_at for r in await reports(world, "III.2.1")] == [None]  # a draft

    world.standin.mark_read(karl.id)
    await world.standin.press_button(karl, "Absenden")
    # the next measure follows at once, without a "Weiter?" in between
    [question] = await world.standin.wait_for_messages(karl.id, count=1)
    assert review.text == (
        "✅ III.2.1 abgesendet (Version 1). Ihre Bitte um Unterstützung ist bei der "
        "Koordinierungsstelle angekommen. Noch offen: 5."
    )
    assert (question.plain_text or "").startswith("Maßnahme III.4.1")
    assert "\n\nIII.4.1 · Kurzfristig (1/2)" in (question.plain_text or "")

    [report] = await reports(world, "III.2.1")
    assert report.version == 1
    assert report.submitted_at == world.clock()
    karl_row = await world.contact_row(karl.id)
    assert karl_row is not None
    assert report.author_id == karl_row.id
    assert report.indicator_note == ""
    [answer] = report.answers
    assert (answer.status, answer.note, answer.obstacles) == (
        Status.DELAYED, "Entwurf liegt beim Dezernat.", (Obstacle.STAFF,),
    )  # fmt: skip
    assert (answer.support_requested, answer.support_note) == (
        True,
        "Bitte Termin mit dem Dezernat.",
    )


async def test_every_answer_is_stored_at_once_and_survives_a_restart(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.4.1")
    await tap(world, karl, "🟢 im Plan")
    [draft] = await reports(world, "III.4.1")
    assert draft.answers[0].status is Status.ON_TRACK  # committed before the next question

    paused = await world.say(karl, "/abbrechen")
    assert paused.text.startswith("Pausiert. Ihre Antworten sind gespeichert")
    question_before = world.standin.sent_messages(karl.id)[-2]
    # the tapped question turned into its answer's line, the next question below it
    line, asked = (question_before.plain_text or "").split("\n\n", 1)
    assert line == "III.4.1 · Kurzfristig, Stand: 🟢 im Plan"
    assert asked.startswith("III.4.1 · Mittel- und langfristig (2/2)")

    await world.restart_bot()

    resumed = await world.say(karl, "/bericht")
    assert resumed.text.startswith("Maßnahme III.4.1")  # one message: header and question
    assert resumed.text.endswith(asked)
    # the button of the question asked before the restart still works
    await world.settle(
        await world.standin.press_button(karl, "🟢 im Plan", message_id=question_before.message_id)
    )
    # that message turned into the review
    assert (question_before.plain_text or "").startswith("III.4.1 · Ihre Angaben")
    [draft] = await reports(world, "III.4.1")
    assert [(a.status, a.note) for a in draft.answers] == [
        (Status.ON_TRACK, ""), (Status.ON_TRACK, ""),
    ]  # fmt: skip


async def test_going_back(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    first = await world.say(karl, "/zurueck")
    assert (
        world.standin.sent_messages(karl.id)[-2].plain_text
        == "Sie sind schon bei der ersten Frage dieser Maßnahme."
    )
    assert first.text.endswith(ASK_STATUS)
    await world.say(karl, "Noch nichts.")
    await tap(world, karl, "🔴 gefährdet")
    back = await world.say(karl, "/zurueck")
    assert back.text.endswith(ASK_STATUS)
    assert "Bisher: 🔴 gefährdet\nIhre Notiz: Noch nichts.\n" in back.text
    await tap(world, karl, "✅ erreicht")
    # going back kept the note; with "erreicht" there are no obstacle questions: on to the
    # review, where the indicator is asked
    assert INDICATOR_PROMPT in world.last(karl).text
    [draft] = await reports(world, "III.2.1")
    assert (draft.answers[0].status, draft.answers[0].note) == (Status.ACHIEVED, "Noch nichts.")
    assert (await world.say(karl, "/abbrechen")).text.startswith("Pausiert.")


async def test_change_and_correct_after_submitting(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    await answer_iii_2_1(world, karl)
    menu = await tap(world, karl, "Ändern")
    assert menu.buttons == [
        ["Mittelfristig: Stand"], ["Mittelfristig: Getan"], ["Mittelfristig: Hindernis"],
        ["Mittelfristig: Unterstützung"], ["Mittelfristig: Unterstützung (Text)"], ["Zahlen/Belege"],
        ["Zurück zur Übersicht"],
    ]  # fmt: skip
    await tap(world, karl, "Zahlen/Belege")
    await world.say(karl, "3 Entwürfe")
    await tap(world, karl, "Absenden")
    assert world.standin.sent_messages(karl.id)[-2].plain_text == (
        "✅ III.2.1 abgesendet (Version 1). Ihre Bitte um Unterstützung ist bei der "
        "Koordinierungsstelle angekommen. Noch offen: 5."
    )

    overview = await world.say(karl, "/bericht")
    assert ["✅ III.2.1"] in overview.buttons
    correction = await tap(world, karl, "✅ III.2.1")
    assert correction.text.startswith("Maßnahme III.2.1")  # a copy, straight to review
    assert "\n\nIII.2.1 · Ihre Angaben" in correction.text
    assert "Zahlen/Belege: 3 Entwürfe" in correction.text
    await tap(world, karl, "Ändern")
    await tap(world, karl, "Mittelfristig: Stand")
    after = await tap(world, karl, "✅ erreicht")
    assert after.text.startswith("III.2.1 · Ihre Angaben\nMittelfristig: ✅ erreicht")
    assert "Hindernis" not in after.text
    await tap(world, karl, "Absenden")

    first, second = await reports(world, "III.2.1")
    assert (first.version, second.version) == (1, 2)
    assert first.answers[0].status is Status.DELAYED  # history is never overwritten
    assert first.answers[0].obstacles == (Obstacle.STAFF,)
    assert second.answers[0].status is Status.ACHIEVED
    assert second.answers[0].obstacles is None
    assert second.indicator_note == "3 Entwürfe"


async def test_unchanged_carries_the_last_report_over(world: World) -> None:
    karl = world.contact
    await reported_in_october(world, lambda: answer_iii_2_1(world, karl))
    question = await tap(world, karl, "III.2.1")
    assert "Zuletzt (01.10.2026): 🟡 verzögert – „Entwurf liegt beim Dezernat.“" in question.text
    assert question.buttons[:2] == [["Alles unverändert"], ["Unverändert"]]
    review = await tap(world, karl, "Unverändert")  # this target as last time, then on
    assert review.message_id == question.message_id  # the question turned into the review
    assert review.text.startswith(
        "III.2.1 · Ihre Angaben\nMittelfristig: 🟡 verzögert (unverändert)\n"
    )
    assert INDICATOR_PROMPT in review.text  # note, obstacle, support carried
    assert "Mittelfristig: 🟡 verzögert (unverändert)" in review.text
    assert "Hindernis: Personal" in review.text
    await tap(world, karl, "Absenden")
    october, november = await reports(world, "III.2.1")
    assert october.round_id != november.round_id
    assert november.answers[0].carried_over
    assert november.answers[0].note == "Entwurf liegt beim Dezernat."


async def test_bad_inputs_are_answered_and_change_nothing(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    status_question = await tap(world, karl, "III.2.1")

    too_long = await world.say(karl, "x" * 2001)
    assert too_long.text.startswith("Ihr Text hat 2001 Zeichen; erlaubt sind höchstens 2000.")
    [draft] = await reports(world, "III.2.1")
    assert draft.answers[0].note is None

    await tap(world, karl, "🔴 gefährdet")
    reply = await world.say(karl, "läuft gut")  # text while only buttons are expected
    assert (
        world.standin.sent_messages(karl.id)[-2].plain_text
        == "Bitte wählen Sie eine der Schaltflächen."
    )
    assert reply.text.endswith("dann „Fertig“.")
    await world.settle(await world.standin.send_photo(karl))  # no evidence at a button question
    hint = world.standin.sent_messages(karl.id)[-2]
    assert (hint.plain_text or "").startswith("Belege nehme ich bei der Frage nach dem Stand")
    await world.settle(await world.standin.send_sticker(karl))
    assert world.standin.sent_messages(karl.id)[-2].plain_text == (
        "Bitte wählen Sie eine der Schaltflächen."
    )

    # an old button of an answered question (a person taps a button they saw before)
    [old] = [
        button["callback_data"]
        for row in (status_question.message.edit_history[0].reply_markup or {})["inline_keyboard"]
        for button in row
        if button["text"] == "✅ erreicht"
    ]
    await world.settle(
        await world.standin.press_callback_data(karl, old, message_id=status_question.message_id)
    )
    stale, current = world.standin.sent_messages(karl.id)[-2:]
    assert stale.plain_text == "Diese Frage ist nicht mehr aktuell."
    assert (current.plain_text or "").endswith("dann „Fertig“.")
    await world.say(karl, "/zurueck")
    await tap(world, karl, "🟢 im Plan")

    # forged data
    await world.settle(await world.standin.press_callback_data(karl, "v1:a:99999:st.1:delayed"))
    assert (
        world.standin.sent_messages(karl.id)[-2].plain_text == "Diese Frage ist nicht mehr aktuell."
    )

    # text with markup is stored as typed and shown escaped
    review = await world.say(karl, "<b>fett</b> & Co")
    assert "Zahlen/Belege: <b>fett</b> & Co" in review.text
    assert "&lt;b&gt;fett&lt;/b&gt; &amp; Co" in (review.message.text or "")
    [draft] = await reports(world, "III.2.1")
    assert (draft.answers[0].status, draft.answers[0].obstacles) == (Status.ON_TRACK, None)
    assert draft.indicator_note == "<b>fett</b> & Co"


async def test_double_tap_and_redelivery_change_nothing(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    question = await tap(world, karl, "III.4.1")
    before = len(world.standin.sent_messages(karl.id))
    edits = len(world.standin.calls_to("editMessageText"))
    first_tap = await world.standin.press_button(karl, "🟢 im Plan", message_id=question.message_id)
    second_tap = await world.standin.press_button(
        karl, "🟢 im Plan", message_id=question.message_id
    )
    await world.settle(first_tap)
    await world.settle(second_tap)
    assert world.standin.sent_messages(karl.id)[before:] == []  # no "nicht mehr aktuell"
    assert len(world.standin.calls_to("editMessageText")) == edits + 1  # one next question
    assert question.text.startswith(
        "III.4.1 · Kurzfristig, Stand: 🟢 im Plan\n\nIII.4.1 · Mittel- und langfristig (2/2)"
    )

    update_id = await world.standin.send_text(karl, "Erster Text")
    await world.settle(update_id)
    count = len(world.standin.sent_messages(karl.id))
    assert world.last(karl).text.startswith("III.4.1 · Mittel- und langfristig (2/2)")
    assert world.last(karl).text.endswith(f"Ihre Notiz: Erster Text\n{ASK_STATUS}")
    for delivery in (2, 3):  # Telegram delivers the same update again, twice
        world.standin.redeliver(update_id)
        await world.settle(update_id, times=delivery)
    assert len(world.standin.sent_messages(karl.id)) == count
    [draft] = await reports(world, "III.4.1")
    first, second = sorted(draft.answers, key=lambda a: a.horizon_target_id)
    assert (first.status, first.note, second.status, second.note) == (
        Status.ON_TRACK,
        "",
        None,
        "Erster Text",  # typed at the second target's question: its note
    )


async def test_shared_measure_each_office_reports_its_part(round_open: World) -> None:
    world = round_open
    wanda = await add_person(
        world, 611, "Wanda Wohnen", "Leitstelle Wohnen", "Amt für soziale Leistungen"
    )
    overview = await world.say(wanda, "/bericht")
    assert overview.buttons == [
        ["Der Reihe nach"],
        ["III.1.1 · Leitstelle Wohnen"], ["III.1.1 · Amt für soziale Leistungen"],
        ["III.1.2 · Leitstelle Wohnen"], ["III.1.2 · Amt für soziale Leistungen"],
        ["III.3.2 · Amt für soziale Leistungen"], ["V.1.1 · Amt für soziale Leistungen"],
    ]  # fmt: skip
    world.standin.mark_read(wanda.id)
    await world.standin.press_button(wanda, "III.1.1 · Amt für soziale Leistungen")
    [header] = await world.standin.wait_for_messages(wanda.id, count=1)
    assert (header.plain_text or "").startswith("Maßnahme III.1.1 · Amt für soziale Leistungen")
    for label in ("⚪ nicht begonnen", "🟢 im Plan"):
        await tap(world, wanda, label)
    await tap(world, wanda, "Absenden")
    assert world.standin.sent_messages(wanda.id)[-2].plain_text == (
        "✅ III.1.1 · Amt für soziale Leistungen abgesendet (Version 1). Noch offen: 5."
    )
    overview = await world.say(wanda, "/bericht")
    assert ["✅ III.1.1 · Amt für soziale Leistungen"] in overview.buttons
    assert ["III.1.1 · Leitstelle Wohnen"] in overview.buttons
    # Karl (Flüchtlingskoordination) sees only his own office's measures
    karl_overview = await world.say(world.contact, "/bericht")
    assert [row[0] for row in karl_overview.buttons[1:]] == KARL_CODES


async def test_two_contacts_of_one_office_at_the_same_time(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    kira = await add_person(world, 612, "Kira Kollegin", "Flüchtlingskoordination")
    for user in (karl, kira):
        await world.say(user, "/bericht")
        await tap(world, user, "III.2.1")
    await tap(world, karl, "🟢 im Plan")
    await world.say(kira, "Stelle unbesetzt")
    await tap(world, kira, "🔴 gefährdet")
    await world.say(karl, "Läuft")
    assert world.last(karl).text.startswith("III.2.1 · Ihre Angaben")
    await tap(world, kira, "Personal")
    await tap(world, kira, "Fertig")
    await tap(world, kira, "Nein")
    await tap(world, kira, "Absenden")
    await tap(world, karl, "Absenden")
    by_kira, by_karl = sorted(await reports(world, "III.2.1"), key=lambda r: r.version or 0)
    async with world.sessions() as session:
        authors = {c.id: c.display_name for c in await session.scalars(select(Contact))}
    assert (authors[by_kira.author_id or 0], by_kira.version) == ("Kira Kollegin", 1)
    assert (authors[by_karl.author_id or 0], by_karl.version) == ("Karl Kontakt", 2)
    assert by_kira.answers[0].status is Status.AT_RISK
    assert by_karl.answers[0].status is Status.ON_TRACK
    assert by_karl.answers[0].obstacles is None
    assert (by_karl.indicator_note, by_kira.answers[0].note) == ("Läuft", "Stelle unbesetzt")


# --- a pause is a pause ------------------------------------------------------------------------

NOT_TAKEN = (
    "Ihr Bericht ist pausiert, deshalb habe ich diese Nachricht nicht als Antwort gespeichert."
)


async def test_after_a_pause_chat_text_is_not_an_answer(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")  # now at the status, which takes a typed note
    await world.say(karl, "/abbrechen")

    offer = await world.say(karl, "ok danke, mache ich morgen")
    assert offer.text.startswith(NOT_TAKEN)
    assert offer.buttons == [["Bericht fortsetzen"]]
    await world.settle(await world.standin.send_photo(karl))
    assert world.last(karl).text.startswith(NOT_TAKEN)
    [draft] = await reports(world, "III.2.1")
    assert draft.answers[0].note is None  # nothing stored
    assert draft.submitted_at is None

    question = await world.press(karl, "Bericht fortsetzen")
    assert question.text.endswith(ASK_STATUS)
    await world.say(karl, "Liste ist online.")
    [draft] = await reports(world, "III.2.1")
    assert draft.answers[0].note == "Liste ist online."  # an answer after resuming counts


async def test_after_a_long_silence_chat_text_is_not_an_answer(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    world.clock.advance(minutes=20)
    await world.say(karl, "Kurz danach getippt.")  # a reply minutes later is an answer
    world.clock.advance(days=1)  # the next day, no /abbrechen
    offer = await world.say(karl, "ok danke, mache ich morgen")
    assert offer.text.startswith(NOT_TAKEN)
    [draft] = await reports(world, "III.2.1")
    assert draft.answers[0].note == "Kurz danach getippt."  # kept, not replaced by chat text
    await world.say(karl, "/bericht")  # resuming by command works as well
    await world.say(karl, "Am nächsten Tag nachgetragen.")
    [draft] = await reports(world, "III.2.1")
    assert draft.answers[0].note == "Am nächsten Tag nachgetragen."


async def test_later_on_the_review_pauses_too(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    await tap(world, karl, "🟢 im Plan")  # now the review, which takes the indicator
    await tap(world, karl, "Später")
    assert (await world.say(karl, "Passt so")).text.startswith(NOT_TAKEN)
    [draft] = await reports(world, "III.2.1")
    assert (draft.answers[0].note, draft.indicator_note, draft.submitted_at) == ("", None, None)


async def test_text_while_no_question_is_open_gets_a_hint(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    hint = await world.say(karl, "Hallo, wie geht das?")
    assert hint.text.startswith("Gerade ist keine Frage offen; Ihre Nachricht habe ich nicht")
    assert await reports(world, "III.2.1") == []


# --- corrections keep what was there -----------------------------------------------------------


async def test_changing_an_answer_shows_it_and_keeps_it_unless_replaced(round_open: World) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    await answer_iii_2_1(world, karl)
    await tap(world, karl, "Ändern")
    question = await tap(world, karl, "Mittelfristig: Getan")
    assert "Bisher: Entwurf liegt beim Dezernat." in question.text
    assert question.text.endswith("Schreiben Sie ein paar Worte.")
    assert question.buttons == [["Beibehalten", "Entfernen"]]
    review = await tap(world, karl, "Beibehalten")
    assert "Getan: Entwurf liegt beim Dezernat." in review.text
    [draft] = await reports(world, "III.2.1")
    assert draft.answers[0].note == "Entwurf liegt beim Dezernat."

    await tap(world, karl, "Ändern")
    await tap(world, karl, "Mittelfristig: Getan")
    await world.say(karl, "Entwurf ist fertig.")
    await tap(world, karl, "Ändern")
    status = await tap(world, karl, "Mittelfristig: Stand")
    assert "Bisher: 🟡 verzögert" in status.text
    assert status.buttons[0] == ["Beibehalten"]
    await tap(world, karl, "Beibehalten")
    await tap(world, karl, "Ändern")
    await tap(world, karl, "Mittelfristig: Getan")
    review = await tap(world, karl, "Entfernen")  # removing is its own button
    assert "Getan:" not in review.text
    [draft] = await reports(world, "III.2.1")
    assert (draft.answers[0].status, draft.answers[0].note) == (Status.DELAYED, "")
    assert draft.answers[0].obstacles == (Obstacle.STAFF,)  # nothing else was touched


async def test_a_changed_carried_answer_is_no_longer_unchanged(world: World) -> None:
    karl = world.contact
    await reported_in_october(world, lambda: answer_iii_2_1(world, karl))
    await tap(world, karl, "III.2.1")
    await tap(world, karl, "Unverändert")
    await tap(world, karl, "Ändern")
    await tap(world, karl, "Mittelfristig: Getan")
    review = await world.say(karl, "Entwurf ist beim Stadtrat.")
    assert "Mittelfristig: 🟡 verzögert\n" in review.text  # no "(unverändert)" any more
    [_, november] = await reports(world, "III.2.1")
    assert not november.answers[0].carried_over


async def test_indicator_shows_the_last_answer_and_takes_it_over(world: World) -> None:
    karl = world.contact

    async def on_track_with_evidence() -> None:
        await tap(world, karl, "🟢 im Plan")
        await world.say(karl, "3 Entwürfe")

    await reported_in_october(world, on_track_with_evidence)
    await tap(world, karl, "III.2.1")
    review = await tap(world, karl, "🔴 gefährdet")  # not unchanged
    await tap(world, karl, "Finanzierung")
    await tap(world, karl, "Fertig")
    review = await tap(world, karl, "Nein")
    assert review.text.endswith("Zuletzt (01.10.2026): „3 Entwürfe“")
    assert review.buttons == [["Zahlen/Belege unverändert"], ["Absenden", "Ändern", "Später"]]
    taken = await tap(world, karl, "Zahlen/Belege unverändert")
    assert taken.message_id == review.message_id  # the review, with the figures taken over
    assert "Zahlen/Belege: 3 Entwürfe" in review.text
    assert review.buttons == [["Absenden", "Ändern", "Später"]]
    [_, november] = await reports(world, "III.2.1")
    assert november.indicator_note == "3 Entwürfe"


async def test_reopening_a_submitted_measure_says_which_version_was_sent(
    round_open: World,
) -> None:
    world, karl = round_open, round_open.contact
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    await answer_iii_2_1(world, karl)
    await tap(world, karl, "Absenden")
    await world.say(karl, "/bericht")
    reopened = await tap(world, karl, "✅ III.2.1")
    assert (
        "\nVersion 1 wurde am 25.11.2026 um 10:00 Uhr abgesendet; Ihre Änderungen werden "
        "Version 2.\n\nIII.2.1 · Ihre Angaben"
    ) in reopened.text


async def test_all_unchanged_reports_a_measure_in_one_tap(world: World) -> None:
    karl = world.contact
    world.clock.now = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    await open_round(world)
    await world.say(karl, "/bericht")
    first = await tap(world, karl, "III.4.1")  # two targets
    assert "Alles unverändert" not in [b for row in first.buttons for b in row]  # no report yet
    for label in ("🟢 im Plan", "Läuft.", "🟡 verzögert", "Personal", "Fertig", "Nein"):
        if label == "Läuft.":
            await world.say(karl, label)
        else:
            await tap(world, karl, label)
    await world.say(karl, "12 Teilnehmende")
    await tap(world, karl, "Absenden")

    world.clock.now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    await open_round(world)
    await world.say(karl, "/bericht")
    question = await tap(world, karl, "III.4.1")
    assert question.buttons[0] == ["Alles unverändert"]
    world.standin.mark_read(karl.id)
    await world.standin.press_button(karl, "Alles unverändert")
    [header] = await world.standin.wait_for_messages(karl.id, count=1)
    assert question.text == (
        "✅ III.4.1: alles wie zuletzt übernommen und abgesendet (Version 1). Noch offen: 5."
    )
    assert (header.plain_text or "").startswith("Maßnahme ")  # the next measure follows
    assert "III.4.1" not in (header.plain_text or "")
    _, november = await reports(world, "III.4.1")
    assert november.submitted_at is not None
    assert [(a.status, a.note, a.carried_over) for a in november.answers] == [
        (Status.ON_TRACK, "", True), (Status.DELAYED, "Läuft.", True),
    ]  # fmt: skip
    assert november.answers[1].obstacles == (Obstacle.STAFF,)
    assert november.indicator_note == "12 Teilnehmende"
    # the measure the bot opened next is untouched: /bericht shows the overview again
    overview = await world.say(karl, "/bericht")
    assert overview.text.startswith("Berichtsrunde bis")
    assert ["✅ III.4.1"] in overview.buttons
