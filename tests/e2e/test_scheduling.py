"""The schedule with the real JobQueue job and a controllable clock, never by waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.render import texts
from bot.runtime import SCHEDULE_JOB
from bot.telegram_request import ATTEMPTS
from conversations.framework import Services
from conversations.scheduled import SummaryOutcome, post_summary_if_due
from storage.claims import claim_notice
from storage.database import session_factory
from storage.models import Contact, ReportingRound, Status, WeeklySummary
from tests.e2e.conftest import Said, World, store_report
from tests.e2e.test_reporting import KARL_CODES, add_person

KARL = 601


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def texts_to(world: World, chat_id: int) -> list[str]:
    return [m.plain_text or "" for m in world.standin.sent_messages(chat_id)]


async def rounds(world: World) -> list[tuple[str, str]]:
    async with world.sessions() as session:
        rows = await session.scalars(select(ReportingRound).order_by(ReportingRound.opens_on))
        return [(r.opens_on.isoformat(), r.due_on.isoformat()) for r in rows]


async def test_the_schedule_is_one_repeating_job(world: World) -> None:
    assert world.app.job_queue is not None
    [job] = world.app.job_queue.get_jobs_by_name(SCHEDULE_JOB)
    assert job.job.trigger.interval.total_seconds() == 60


async def test_round_opens_on_cadence_once_and_notifies(world: World) -> None:
    await world.tick(utc(2026, 12, 1, 6, 59))  # Tuesday 07:59 local: before working hours
    assert await rounds(world) == []
    await world.tick(utc(2026, 12, 1, 7, 0))
    assert await rounds(world) == [("2026-12-01", "2026-12-31")]
    [announcement] = world.standin.sent_messages(KARL)
    assert (announcement.plain_text or "").startswith("Neue Berichtsrunde bis 31.12.2026.")
    assert announcement.buttons == [["Jetzt berichten"]]
    [notice] = [t for t in texts_to(world, world.group.id) if t.startswith("Neue Berichtsrunde")]
    assert notice.startswith(
        "Neue Berichtsrunde 01.12.2026 bis 31.12.2026 geöffnet; 1 Ansprechperson benachrichtigt."
    )
    assert "Ämter ohne aktive Ansprechperson: Fachstelle „Frühe Hilfen" in notice

    await world.tick(utc(2026, 12, 1, 7, 1))
    await world.restart_bot()
    await world.tick(utc(2026, 12, 2, 9, 0))
    assert await rounds(world) == [("2026-12-01", "2026-12-31")]
    assert len(world.standin.sent_messages(KARL)) == 1
    assert sum(t.startswith("Neue Berichtsrunde") for t in texts_to(world, world.group.id)) == 1


async def test_no_second_round_in_a_period_a_coordinator_opened_by_hand(world: World) -> None:
    # the bot was down at the start of December; a coordinator opens a round on the 10th
    world.clock.now = utc(2026, 12, 10, 9, 0)
    await world.open_round()
    assert await rounds(world) == [("2026-12-10", "2027-01-09")]
    for when in (utc(2026, 12, 10, 9, 1), utc(2026, 12, 11, 9, 0), utc(2026, 12, 31, 9, 0)):
        await world.tick(when)
    assert await rounds(world) == [("2026-12-10", "2027-01-09")]
    # Karl heard of the coordinator's round only, the group of no round the scheduler opened
    assert sum("Neue Berichtsrunde" in t for t in texts_to(world, KARL)) == 1
    assert not any(t.startswith("Neue Berichtsrunde") for t in texts_to(world, world.group.id))
    # January's round does not replace the coordinator's, which runs until 9 January ...
    await world.tick(utc(2027, 1, 4, 7, 0))
    assert await rounds(world) == [("2026-12-10", "2027-01-09")]
    assert sum("Neue Berichtsrunde" in t for t in texts_to(world, KARL)) == 1
    # ... and opens once that one has ended
    await world.tick(utc(2027, 1, 11, 9, 0))
    assert await rounds(world) == [("2026-12-10", "2027-01-09"), ("2027-01-01", "2027-01-31")]


async def test_no_round_opens_on_a_public_holiday(world: World) -> None:
    await world.tick(utc(2027, 1, 1, 9, 0))  # New Year's Day, a Friday (Mainz: HOLIDAYS=RP)
    assert await rounds(world) == []
    await world.tick(utc(2027, 1, 4, 7, 0))  # Monday 08:00 local, the first working day
    assert await rounds(world) == [("2027-01-01", "2027-01-31")]


async def test_reminders_when_due_in_working_hours_to_unfinished_people_only(world: World) -> None:
    wanda = await add_person(world, 611, "Wanda Wohnen", "Leitstelle Wohnen")
    kira = await add_person(world, 612, "Kira Kollegin", "Flüchtlingskoordination")
    await world.tick(utc(2026, 12, 2, 8, 0))  # Wednesday: the December round opens
    # Karl's office (also Kira's) reports everything: neither is reminded
    for code in KARL_CODES:
        targets = {"III.2.1": 1}.get(code, 2)
        await store_report(
            world, KARL, code, "Flüchtlingskoordination", *[Said(Status.ON_TRACK)] * targets
        )
    before = {user: len(world.standin.sent_messages(user)) for user in (KARL, wanda.id, kira.id)}

    await world.tick(utc(2026, 12, 4, 10, 0))  # Friday: day 3 is Friday the 4th
    await world.tick(utc(2026, 12, 5, 10, 0))  # Saturday
    [reminder] = world.standin.sent_messages(wanda.id)[before[wanda.id] :]
    assert (reminder.plain_text or "").startswith(
        "Erinnerung: Bis 31.12.2026 sind für Ihre Ämter noch 2 Maßnahmen offen."
    )
    assert reminder.buttons == [["Jetzt berichten", "Später erinnern"]]
    assert len(world.standin.sent_messages(KARL)) == before[KARL]
    assert len(world.standin.sent_messages(kira.id)) == before[kira.id]

    await world.tick(utc(2026, 12, 4, 16, 59))  # again the same day: nothing new
    assert len(world.standin.sent_messages(wanda.id)) == before[wanda.id] + 1
    await world.tick(utc(2026, 12, 8, 6, 59))  # day 7 (Tuesday 8th) before 08:00 local
    assert len(world.standin.sent_messages(wanda.id)) == before[wanda.id] + 1
    await world.tick(utc(2026, 12, 8, 7, 0))
    assert len(world.standin.sent_messages(wanda.id)) == before[wanda.id] + 2


@pytest.mark.parametrize(
    ("back", "reminder"),
    [
        (utc(2026, 12, 9, 10, 0), "Erinnerung: Bis 31.12.2026 sind"),  # day 7 (8th) passed
        (utc(2026, 12, 31, 10, 0), "Heute ist der letzte Tag der Berichtsrunde."),  # due day
    ],
    ids=["after-day-7", "on-the-due-day"],
)
async def test_after_downtime_one_reminder_the_latest_due(
    world: World, back: datetime, reminder: str
) -> None:
    await world.tick(utc(2026, 12, 1, 8, 0))  # the round opens; then the bot is down
    before = len(world.standin.sent_messages(KARL))
    await world.tick(back)  # the day-3 reminder (and the day-7 one) fell into the downtime
    await world.tick(back + timedelta(minutes=1))
    await world.tick(back + timedelta(hours=2))
    [sent] = texts_to(world, KARL)[before:]
    assert sent.startswith(reminder)


async def test_snooze_until_next_working_day(world: World) -> None:
    wanda = await add_person(world, 611, "Wanda Wohnen", "Leitstelle Wohnen")
    await world.tick(utc(2026, 12, 1, 8, 0))  # Tuesday: round opens
    await world.tick(utc(2026, 12, 4, 8, 0))  # Friday: day-3 reminder
    await world.press(wanda, "Später erinnern")
    assert world.last(wanda).text == "Gut, ich erinnere Sie am 07.12.2026 wieder."
    count = len(world.standin.sent_messages(wanda.id))
    await world.tick(utc(2026, 12, 4, 15, 0))  # same Friday
    assert len(world.standin.sent_messages(wanda.id)) == count
    await world.tick(utc(2026, 12, 7, 7, 0))  # Monday 08:00 local
    assert len(world.standin.sent_messages(wanda.id)) == count + 1
    assert world.last(wanda).text.startswith("Erinnerung:")


async def test_blocked_person_is_marked_unreachable_and_not_retried(world: World) -> None:
    await world.tick(utc(2026, 12, 1, 8, 0))
    world.standin.block(KARL)
    await world.tick(utc(2026, 12, 4, 8, 0))
    attempts = [c for c in world.standin.calls_to("sendMessage") if c["chat_id"] == KARL]
    async with world.sessions() as session:
        karl = await session.scalar(select(Contact).where(Contact.telegram_user_id == KARL))
        assert karl is not None
        assert karl.unreachable_since == utc(2026, 12, 4, 8, 0)
    await world.tick(utc(2026, 12, 8, 8, 0))  # day 7: no new attempt
    assert [c for c in world.standin.calls_to("sendMessage") if c["chat_id"] == KARL] == attempts
    roster = await world.say(world.coordinator, "/kontakte")
    assert "• Karl Kontakt ⚠️ nicht erreichbar (hat den Bot blockiert)" in roster.text
    # after the due date the coordination learns who is unreachable and what is overdue
    await world.tick(utc(2027, 1, 4, 8, 0))
    escalation = next(t for t in texts_to(world, world.group.id) if t.startswith("Überfällig"))
    assert escalation.startswith("Überfällig: Berichtsrunde bis 31.12.2026")
    assert (
        "• Flüchtlingskoordination: III.2.1, III.4.1, IV.1.1, IV.2.1, IV.3.1, IV.3.2" in escalation
    )
    assert "Nicht erreichbar (Bot blockiert): Karl Kontakt" in escalation
    await world.tick(utc(2027, 1, 4, 9, 0))
    assert sum(t.startswith("Überfällig") for t in texts_to(world, world.group.id)) == 1
    # writing to the bot again makes the person reachable
    world.standin.unblock(KARL)
    await world.say(world.contact, "/hilfe")
    async with world.sessions() as session:
        karl = await session.scalar(select(Contact).where(Contact.telegram_user_id == KARL))
        assert karl is not None
        assert karl.unreachable_since is None


SUMMARY_STARTS = ("Wochenzusammenfassung", "Neu ", "Derzeit", "Keine Maßnahme", "Noch offen")


async def summary_parts(world: World) -> list[str]:
    """First lines of the summary messages in the group ("photo" for the chart)."""
    return [
        m.kind if m.kind == "photo" else (m.plain_text or "").split("\n")[0]
        for m in world.standin.sent_messages(world.group.id)
        if m.kind == "photo" or (m.plain_text or "").startswith(SUMMARY_STARTS)
    ]


async def test_weekly_summary_content_and_once(world: World) -> None:
    await world.tick(utc(2026, 11, 30, 7, 59))  # Monday 08:59 local
    assert await summary_parts(world) == []
    await store_report(
        world, KARL, "IV.2.1", "Flüchtlingskoordination",
        Said(Status.AT_RISK, obstacles=(), support="Bitte Raum klären"), Said(Status.ON_TRACK),
    )  # fmt: skip
    await world.tick(utc(2026, 11, 30, 8, 0))  # 09:00 local
    assert await summary_parts(world) == [
        "Wochenzusammenfassung KW 49/2026",
        "Derzeit 🔴 gefährdet: IV.2.1",
        "Noch offen in der Runde bis 30.11.2026",
        "photo",
    ]  # three messages and one picture
    text = "\n".join(texts_to(world, world.group.id))
    assert "IV Zivilgesellschaftliches Engagement: ✅0 🟢1 🟡0 🔴1 ⚪0" in text
    assert "• IV.2.1 (Flüchtlingskoordination, –): Bitte Raum klären" in text

    count = len(world.standin.sent_messages(world.group.id))
    await world.tick(utc(2026, 11, 30, 9, 0))
    await world.restart_bot()
    await world.tick(utc(2026, 12, 2, 12, 0))  # opens December's round, escalates November's
    assert len(await summary_parts(world)) == 4

    # /zusammenfassung shows the summary on demand and does not count as the weekly post
    await world.say(world.coordinator, "/zusammenfassung")
    assert world.standin.sent_messages(world.coordinator.id)[-1].kind == "photo"
    # next week: changes against the posted one
    await store_report(world, KARL, "III.2.1", "Flüchtlingskoordination", Said(Status.DELAYED))
    await world.tick(utc(2026, 12, 9, 10, 0))  # Wednesday: bot was down on Monday, catches up
    new = [
        m.plain_text or ""
        for m in world.standin.sent_messages(world.group.id)[count:]
        if m.kind == "text"
    ]
    week = "\n".join(t for t in new if not t.startswith(("Neue Berichtsrunde",)))
    assert "Wochenzusammenfassung KW 50/2026" in week
    assert "Neu 🟡 verzögert: III.2.1" in week
    assert "III Wohnen: ✅0 🟢0 🟡1 🔴0 ⚪0 (🟡+1 seit Vorwoche)" in week


async def test_summary_survives_errors_without_posting_twice(world: World) -> None:
    await world.tick(utc(2026, 11, 30, 7, 0))  # round opens (08:00 local), summary not yet due
    start = len(world.standin.sent_messages(world.group.id))
    world.standin.fail_next("sendMessage", error_code=500, times=ATTEMPTS)  # and its repetitions
    world.standin.fail_next(
        "sendPhoto", error_code=429, retry_after=1
    )  # waited out by the rate limiter
    # the first part fails with a server error: nothing counted as posted
    await world.tick(utc(2026, 11, 30, 8, 0))
    await world.tick(utc(2026, 11, 30, 8, 1))  # the retry posts every part once
    await world.tick(utc(2026, 11, 30, 8, 2))
    sent = world.standin.sent_messages(world.group.id)[start:]
    heads = [m.kind if m.kind == "photo" else (m.plain_text or "").split("\n")[0] for m in sent]
    assert heads.count("Wochenzusammenfassung KW 49/2026") == 1
    assert heads.count("photo") == 1
    assert len(sent) <= 4

    # a second bot process finds the week posted and stays quiet
    other = Services(world.settings, session_factory(world.app.bot_data["engine"]), world.clock)
    outcome = await post_summary_if_due(world.app.bot, other, utc(2026, 11, 30, 9, 0))
    assert outcome is SummaryOutcome.ALREADY_POSTED
    assert len(world.standin.sent_messages(world.group.id)) == start + len(sent)


def group_calls(world: World) -> Callable[[], int]:
    """Counts the sendMessage calls to the group so far (also those still being answered)."""
    return lambda: sum(
        c["chat_id"] == world.group.id for c in world.standin.calls_to("sendMessage")
    )


async def until(condition: Callable[[], bool], tick: asyncio.Task[None]) -> None:
    while not condition():
        assert not tick.done(), "the tick ended before"
        await asyncio.sleep(0.005)


async def test_summary_resumes_after_its_second_part_failed(world: World) -> None:
    await world.tick(utc(2026, 11, 30, 7, 0))  # round opens (08:00 local), summary not yet due
    # The stand-in fails "the next" call; to let the first part through and fail the second
    # once, each message is answered late and the fault is armed while the second waits.
    calls, start = group_calls(world), group_calls(world)()
    world.standin.delay("sendMessage", 0.2)
    tick = asyncio.create_task(world.tick(utc(2026, 11, 30, 8, 0)))
    await until(lambda: calls() == start + 2, tick)
    world.standin.fail_next("sendMessage", error_code=500, times=ATTEMPTS)  # and repetitions
    world.standin.delay("sendMessage", 0)
    await tick
    assert await summary_parts(world) == ["Wochenzusammenfassung KW 49/2026"]

    await world.tick(utc(2026, 11, 30, 8, 1))  # the retry goes on with the second part
    await world.tick(utc(2026, 11, 30, 8, 2))
    parts = await summary_parts(world)
    assert len(parts) == 4
    assert len(set(parts)) == 4  # each part exactly once
    assert (parts[0], parts[-1]) == ("Wochenzusammenfassung KW 49/2026", "photo")
    async with world.sessions() as session:
        row = await session.scalar(select(WeeklySummary))
        assert row is not None
        assert (row.parts_sent, row.posted_at) == (4, utc(2026, 11, 30, 8, 1))


async def test_a_slow_summary_keeps_its_claim(world: World) -> None:
    """Each part sent renews the lease from the clock, not from when the tick began."""
    await world.tick(utc(2026, 11, 30, 7, 0))
    began = utc(2026, 11, 30, 8, 0)
    later = began + timedelta(minutes=12)  # past a lease taken when the tick began
    other = Services(world.settings, session_factory(world.app.bot_data["engine"]), lambda: later)
    calls, start = group_calls(world), group_calls(world)()
    world.standin.delay("sendMessage", 0.2)
    tick = asyncio.create_task(world.tick(began))
    await until(lambda: calls() == start + 1, tick)
    world.clock.advance(minutes=6)  # sending is slow: the first part went out at 08:06
    await until(lambda: calls() == start + 2, tick)
    # a second bot process, at 08:12, while the first is still posting
    outcome = await post_summary_if_due(world.app.bot, other, later)
    world.standin.delay("sendMessage", 0)
    await tick
    assert outcome is SummaryOutcome.BUSY
    parts = await summary_parts(world)
    assert len(parts) == len(set(parts)) == 4


async def test_summary_in_the_weeks_of_the_clock_changes(world: World) -> None:
    for before, at in (
        (utc(2026, 3, 30, 6, 59), utc(2026, 3, 30, 7, 0)),  # CEST: 09:00 local is 07:00 UTC
        (utc(2026, 10, 26, 7, 59), utc(2026, 10, 26, 8, 0)),  # CET: 09:00 local is 08:00 UTC
    ):
        await world.tick(before)
        heads = await summary_parts(world)
        await world.tick(at)
        assert len(await summary_parts(world)) > len(heads), at


async def test_a_snooze_belongs_to_its_round(world: World) -> None:
    wanda = await add_person(world, 611, "Wanda Wohnen", "Leitstelle Wohnen")
    await world.tick(utc(2026, 12, 1, 8, 0))  # the December round opens
    await world.tick(utc(2026, 12, 31, 8, 0))  # its last day: the due-day reminder
    assert world.last(wanda).text.startswith("Heute ist der letzte Tag der Berichtsrunde.")
    await world.press(wanda, "Später erinnern")  # until Monday 4 January (1 Jan: holiday)
    count = len(world.standin.sent_messages(wanda.id))

    await world.tick(utc(2027, 1, 4, 7, 0))  # Monday 08:00: the January round opens
    await world.tick(utc(2027, 1, 4, 9, 0))
    await world.tick(utc(2027, 1, 5, 9, 0))
    new = texts_to(world, wanda.id)[count:]
    assert len(new) == 1  # the opening message only: no reminder for December's snooze
    assert new[0].startswith("Neue Berichtsrunde bis 31.01.2027.")
    await world.tick(utc(2027, 1, 8, 7, 0))  # day 7 of the January round
    assert world.last(wanda).text.startswith("Erinnerung: Bis 31.01.2027 sind")


async def test_no_reminder_on_the_day_a_late_round_opened(world: World) -> None:
    await world.tick(utc(2026, 12, 10, 9, 0))  # the bot was down since November
    assert await rounds(world) == [("2026-12-01", "2026-12-31")]
    for when in (utc(2026, 12, 10, 9, 1), utc(2026, 12, 10, 15, 0), utc(2026, 12, 11, 9, 0)):
        await world.tick(when)
    [opening] = texts_to(world, KARL)  # days 3 and 7 fell before the round existed
    assert opening.startswith("Neue Berichtsrunde bis 31.12.2026.")
    await world.tick(utc(2026, 12, 31, 9, 0))
    assert texts_to(world, KARL)[-1].startswith("Heute ist der letzte Tag der Berichtsrunde.")


async def test_at_most_one_reminder_a_day(world: World) -> None:
    await world.tick(utc(2026, 12, 1, 8, 0))  # the round opens
    # On day 7 another process has just reminded Karl (after a snooze, say) ...
    async with world.sessions() as session, session.begin():
        karl = await session.scalar(select(Contact).where(Contact.telegram_user_id == KARL))
        round_ = await session.scalar(select(ReportingRound))
        assert karl is not None
        assert round_ is not None
        await claim_notice(session, round_.id, karl.id, "snooze-2026-12-08", utc(2026, 12, 8, 7, 5))
    before = len(texts_to(world, KARL))
    await world.tick(utc(2026, 12, 8, 9, 0))  # ... so the day-7 reminder waits a day
    assert len(texts_to(world, KARL)) == before
    await world.tick(utc(2026, 12, 9, 9, 0))
    assert texts_to(world, KARL)[before:][0].startswith("Erinnerung: Bis 31.12.2026 sind")
    assert len(texts_to(world, KARL)) == before + 1


async def test_absent_contacts_are_not_reminded_and_coordinators_see_it(world: World) -> None:
    wanda = await add_person(world, 611, "Wanda Wohnen", "Leitstelle Wohnen")
    await world.tick(utc(2026, 12, 1, 8, 0))  # Tuesday: the round opens
    world.clock.now = utc(2026, 12, 1, 9, 0)
    choice = await world.say(wanda, "/abwesend")
    assert choice.text == "Bis wann sind Sie abwesend? So lange erhalten Sie keine Erinnerungen."
    assert [row[0] for row in choice.buttons] == [
        "bis Freitag, 04.12.2026", "bis Dienstag, 08.12.2026", "bis Dienstag, 15.12.2026",
        "bis Dienstag, 29.12.2026",
    ]  # fmt: skip
    done = await world.press(wanda, "bis Dienstag, 08.12.2026")
    assert done.text.startswith("Eingetragen: abwesend bis einschließlich 08.12.2026.")

    count = len(world.standin.sent_messages(wanda.id))
    await world.tick(utc(2026, 12, 4, 8, 0))  # day 3
    await world.tick(utc(2026, 12, 8, 8, 0))  # day 7, still away
    assert len(world.standin.sent_messages(wanda.id)) == count
    outstanding = await world.say(world.coordinator, "/offen")
    assert "Wanda Wohnen (abwesend bis 08.12.2026)" in outstanding.text
    roster = await world.say(world.coordinator, "/kontakte")
    assert "• Wanda Wohnen – abwesend bis 08.12.2026" in roster.text

    await world.tick(utc(2026, 12, 9, 8, 0))  # back: the latest due reminder, once
    await world.tick(utc(2026, 12, 9, 9, 0))
    [reminder] = texts_to(world, wanda.id)[count:]
    assert reminder.startswith("Erinnerung: Bis 31.12.2026 sind")
    assert "abwesend" not in (await world.say(world.coordinator, "/offen")).text


async def test_back_early_from_an_absence(world: World) -> None:
    wanda = await add_person(world, 611, "Wanda Wohnen", "Leitstelle Wohnen")
    await world.tick(utc(2026, 12, 1, 8, 0))
    world.clock.now = utc(2026, 12, 1, 9, 0)
    await world.say(wanda, "/abwesend")
    await world.press(wanda, "bis Dienstag, 29.12.2026")
    again = await world.say(wanda, "/abwesend")
    assert again.text.startswith("Sie sind als abwesend eingetragen bis einschließlich 29.12.2026.")
    back = await world.press(wanda, "Ich bin wieder da")
    assert back.text == "Willkommen zurück! Erinnerungen erhalten Sie wieder wie gewohnt."
    await world.tick(utc(2026, 12, 4, 8, 0))
    assert world.last(wanda).text.startswith("Erinnerung: Bis 31.12.2026 sind")


async def test_a_forged_absence_date_beyond_the_choices_is_refused(world: World) -> None:
    """Only the days /abwesend offers (at most four weeks on) can be chosen; button data
    forged to say 31.12.9999 would silence every reminder for good."""
    await world.say(world.contact, "/abwesend")
    await world.settle(await world.standin.press_callback_data(world.contact, "v1:away:99991231"))
    assert world.last(world.contact).text == texts.STALE_BUTTON
    row = await world.contact_row(world.contact.id)
    assert row is not None
    assert row.absent_until is None
