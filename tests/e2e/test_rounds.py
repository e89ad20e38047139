"""/runde end to end: a running round is shown, and changed only after a confirmation."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import ReportingRound, Status
from tests.e2e.conftest import Said, World, store_report
from tests.e2e.test_scheduling import KARL, rounds, texts_to, utc


async def round_rows(world: World) -> list[ReportingRound]:
    async with world.sessions() as session:
        return list(await session.scalars(select(ReportingRound).order_by(ReportingRound.id)))


async def test_a_stray_runde_in_the_group_changes_nothing(world: World) -> None:
    world.clock.now = utc(2026, 12, 1, 9, 0)
    group, clara = world.group, world.coordinator
    menu = await world.say(clara, "/runde", group)
    assert menu.text.startswith("Zurzeit läuft keine Berichtsrunde.")
    assert menu.buttons == [["Runde öffnen …"]]
    ask = await world.press(clara, "Runde öffnen …", group)
    assert ask.text.startswith("Neue Berichtsrunde vom 01.12.2026 bis 31.12.2026 öffnen?")
    assert ask.buttons == [["Ja, Runde öffnen"], ["Abbrechen"]]
    assert await rounds(world) == []  # nothing yet
    cancelled = await world.press(clara, "Abbrechen", group)
    assert cancelled.text == "Abgebrochen; an der Berichtsrunde hat sich nichts geändert."
    assert await rounds(world) == []
    assert world.standin.sent_messages(KARL) == []

    # confirmed in the group: the group sees who did it
    done = await world.open_round(group)
    assert done.text == (
        "Clara Koordina hat die Berichtsrunde 01.12.2026 bis 31.12.2026 geöffnet. "
        "1 Ansprechperson benachrichtigt."
    )
    assert await rounds(world) == [("2026-12-01", "2026-12-31")]
    # a second /runde shows the running round instead of opening another one
    menu = await world.say(clara, "/runde", group)
    assert menu.text == (
        "Laufende Berichtsrunde: 01.12.2026 bis 31.12.2026\n"
        "Berichtet: 0 von 42 Meldungen (je Maßnahme und zuständigem Amt).\n"
        "Was möchten Sie tun?"
    )
    assert menu.buttons == [
        ["Frist verlängern …"], ["Vorzeitig schließen …"], ["Nächste Runde öffnen …"],
    ]  # fmt: skip


async def test_extending_the_due_date_tells_who_still_has_to_report(world: World) -> None:
    world.clock.now = utc(2026, 12, 1, 9, 0)
    await world.open_round()
    wanda_done = await world.say(world.coordinator, "/runde")
    assert "Berichtet: 0 von 42" in wanda_done.text
    await store_report(world, KARL, "III.2.1", "Flüchtlingskoordination", Said(Status.ON_TRACK))
    menu = await world.say(world.coordinator, "/runde")
    assert "Berichtet: 1 von 42" in menu.text
    choices = await world.press(world.coordinator, "Frist verlängern …")
    assert choices.text == "Die Runde ist bis 31.12.2026 fällig. Bis wann soll sie laufen?"
    assert choices.buttons == [
        ["+7 Tage: bis 07.01.2027"], ["+14 Tage: bis 14.01.2027"], ["+28 Tage: bis 28.01.2027"],
        ["Abbrechen"],
    ]  # fmt: skip
    confirm = await world.press(world.coordinator, "+14 Tage: bis 14.01.2027")
    assert confirm.text.startswith("Frist von 31.12.2026 auf 14.01.2027 verlängern?")
    before = len(world.standin.sent_messages(KARL))
    done = await world.press(world.coordinator, "Ja, verlängern")
    assert done.text == "Clara Koordina hat die Frist der Berichtsrunde bis 14.01.2027 verlängert."
    assert await rounds(world) == [("2026-12-01", "2027-01-14")]
    [told] = world.standin.sent_messages(KARL)[before:]
    assert (told.plain_text or "").startswith(
        "Die Frist der Berichtsrunde wurde verlängert: bis 14.01.2027.\nFür Sie offen: 5 Maßnahmen"
    )
    # done in a private chat: the group hears of it too
    assert texts_to(world, world.group.id)[-1] == done.text
    # the old confirmation pressed again changes nothing more
    await world.settle(
        await world.standin.press_callback_data(
            world.coordinator, "v1:rd:ok:ext:1:20270114", message_id=done.message_id
        )
    )
    stale = world.standin.sent_messages(world.coordinator.id)[-2]
    assert (stale.plain_text or "").startswith("Die Berichtsrunde hat sich inzwischen geändert")
    assert world.standin.sent_messages(world.coordinator.id)[-3].plain_text == done.text
    assert await rounds(world) == [("2026-12-01", "2027-01-14")]


async def test_a_closed_round_takes_no_reports_reminders_or_escalation(world: World) -> None:
    world.clock.now = utc(2026, 12, 1, 9, 0)
    await world.open_round()
    await world.say(world.coordinator, "/runde")
    ask = await world.press(world.coordinator, "Vorzeitig schließen …")
    assert ask.text.startswith("Die Runde vom 01.12.2026 (fällig 31.12.2026) jetzt schließen?")
    done = await world.press(world.coordinator, "Ja, schließen")
    assert done.text == (
        "Clara Koordina hat die Berichtsrunde vom 01.12.2026 geschlossen (0 von 42 Meldungen "
        "berichtet)."
    )
    [closed] = await round_rows(world)
    assert closed.closed_at is not None
    answer = await world.say(world.contact, "/bericht")
    assert answer.text.startswith("Derzeit ist keine Berichtsrunde geöffnet.")
    before = len(world.standin.sent_messages(KARL))
    group_before = len(texts_to(world, world.group.id))
    for when in (utc(2026, 12, 4, 9, 0), utc(2026, 12, 31, 9, 0), utc(2027, 1, 1, 10, 0)):
        await world.tick(when)  # reminder days, the due date, after it
    assert world.standin.sent_messages(KARL)[before:] == []  # no reminder
    assert not any("nicht berichtet" in t for t in texts_to(world, world.group.id)[group_before:])
    menu = await world.say(world.coordinator, "/runde")
    assert menu.text.startswith("Zurzeit läuft keine Berichtsrunde.")


async def test_the_next_round_replaces_the_running_one_and_its_notices(world: World) -> None:
    world.clock.now = utc(2026, 12, 1, 9, 0)
    await world.open_round()
    world.clock.now = utc(2026, 12, 10, 9, 0)
    menu = await world.say(world.coordinator, "/runde")
    assert menu.buttons[2] == ["Nächste Runde öffnen …"]
    ask = await world.press(world.coordinator, "Nächste Runde öffnen …")
    assert ask.text.startswith(
        "Neue Berichtsrunde vom 10.12.2026 bis 09.01.2027 öffnen? Die laufende Runde "
        "(01.12.2026 bis 31.12.2026, 0 von 42 Meldungen) wird dabei geschlossen"
    )
    await world.press(world.coordinator, "Ja, nächste Runde öffnen")
    first, second = await round_rows(world)
    assert first.closed_at is not None
    assert second.closed_at is None
    assert (second.opens_on.isoformat(), second.due_on.isoformat()) == ("2026-12-10", "2027-01-09")
    announcements = [t for t in texts_to(world, KARL) if t.startswith("Neue Berichtsrunde")]
    assert announcements[-1].startswith("Neue Berichtsrunde bis 09.01.2027.")
    # the replaced round's due date passes without an escalation for it
    group_before = len(texts_to(world, world.group.id))
    await world.tick(utc(2027, 1, 4, 9, 0))
    assert not any("31.12.2026" in t for t in texts_to(world, world.group.id)[group_before:])
    # a button offered for the replaced round is stale now and changes nothing
    await world.settle(
        await world.standin.press_callback_data(world.coordinator, f"v1:rd:ok:close:{first.id}:0")
    )
    stale = world.standin.sent_messages(world.coordinator.id)[-2]
    assert (stale.plain_text or "").startswith("Die Berichtsrunde hat sich inzwischen geändert")
    assert world.last(world.coordinator).text.startswith("Laufende Berichtsrunde: 10.12.2026")
    _, still_open = await round_rows(world)
    assert still_open.closed_at is None
