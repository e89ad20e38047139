"""The scheduler's work: open rounds, remind, escalate, post the weekly summary.

One repeating JobQueue job (every minute, wired in :mod:`bot.jobs`) asks, for the current moment, what is due; the
answer comes from the timetable and the database, never from the scheduler's memory. So
a tick that fires late, twice, in two processes, or after days of downtime does each
thing once: every message is claimed in the database (a round, a notice or a summary
row; see :mod:`storage.claims`) before it is sent, and the claim is committed first.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.config.timetable import DUE_KIND
from bot.render import texts
from bot.render.background import off_loop
from bot.render.chart import status_chart
from bot.render.formatting import day
from bot.render.outstanding import outstanding
from bot.render.summary import WeeklySummaryText, weekly_summary
from conversations.evidence import copy_missing
from conversations.framework import (
    Attachment,
    Reply,
    Services,
    TelegramBot,
    coordination_chats,
    deliver,
    deliver_all,
    keep_notice,
    keyboard,
    notice_reply,
)
from conversations.reporting import estimate_minutes, opening_notices, reminder_buttons
from storage import inbox
from storage.claims import (
    Alive,
    alive,
    claim_notice,
    claim_round_opening,
    claim_summary,
    forget_old_updates,
    mark_summary_posted,
    record_summary_part,
    release_summary,
    renew_summary_lease,
    retake_notice,
    undelivered_notices,
)
from storage.database import is_unavailable
from storage.models import Contact, ReportingRound
from storage.people import active_contacts, active_offices, reachable_contacts
from storage.process_lock import lock_file
from storage.reporting import WorkItem, current_round, submitted_items, work_items
from storage.scheduling import (
    last_due_round,
    noticed,
    previous_summary,
    reported_in_round,
    summary_of_week,
)
from storage.status import contacts_by_office
from storage.support import open_requests

log = logging.getLogger(__name__)
OVERDUE = "ueberfaellig"
OPENED = "eroeffnet"


async def run_schedule(bot: TelegramBot, svc: Services, now: datetime) -> None:
    steps: tuple[Callable[[TelegramBot, Services, datetime], Awaitable[object]], ...] = (
        resend_lost_notices,
        open_round_if_due,
        send_reminders,
        escalate_overdue,
        post_summary_if_due,
        copy_missing,
        forget_handled_updates,
    )
    for step in steps:
        try:
            await step(bot, svc, now)
        except Exception as error:  # one failing step must not keep the others from running
            if is_unavailable(error):  # the next tick does it: what is due stays due
                log.warning("Zeitplan: %s wartet auf die Datenbank (%s)", step.__name__, error)
            else:
                log.exception("Zeitplan: %s fehlgeschlagen", step.__name__)


async def resend_lost_notices(bot: TelegramBot, svc: Services, now: datetime) -> int:
    """A step of the schedule: send the notices to people that were claimed but never
    delivered, because their process died in the middle of a broadcast.

    A notice counts as lost at once when the process that claimed it is gone: on
    PostgreSQL it no longer has a connection (:func:`storage.claims.alive`);
    with SQLite only one bot uses the file (see storage.process_lock), so every notice
    claimed before this process started is lost. Otherwise it counts as lost once it is
    :data:`NOTICE_LEASE` old. A notice can go out twice only if the process died between
    Telegram taking it and the database hearing so; a broadcast has up to
    ``BROADCAST_CALLS`` of them on their way at once, so a crash can double several.
    """
    async with svc.sessions() as session:
        lost = await undelivered_notices(session, now, await holders_alive(session, svc, now))
    sent = 0
    for notice in lost:
        async with svc.sessions() as session, session.begin():
            if not await retake_notice(session, notice, now):
                continue  # another process took it
        assert notice.body is not None
        reply = notice_reply(notice.id, notice.chat_id, notice.body)
        if notice.chat_id is None:
            sent += await to_coordination(bot, svc, reply)
        else:
            sent += await deliver(bot, svc, reply)
    if lost:
        log.info("%s verlorene Benachrichtigungen nachgesendet.", sent)
    return sent


async def holders_alive(session: AsyncSession, svc: Services, now: datetime) -> Alive:
    """Who may still be working on a claim: with SQLite only this process (see
    storage.process_lock), so what was claimed before it started is lost."""
    started = svc.started_at
    sole = lock_file(svc.settings.effective_database_url) is not None
    return await alive(
        session, started if sole and started is not None and started <= now else None
    )


async def forget_handled_updates(_bot: TelegramBot, svc: Services, now: datetime) -> None:
    """A step of the schedule: keep the ids of handled updates only as long as needed, and
    received ones that could not be handled no longer either."""
    async with svc.sessions() as session, session.begin():
        await forget_old_updates(session, now)
        await inbox.forget_old(session, now)


async def to_coordination(bot: TelegramBot, svc: Services, reply: Reply) -> bool:
    """Send a notice to the coordination: to its group, or to each coordinator; True if it
    reached at least one chat."""
    async with svc.sessions() as session:
        chats = await coordination_chats(session, svc)
    delivered = [await deliver(bot, svc, replace(reply, chat_id=chat_id)) for chat_id in chats]
    return any(delivered)


async def keep_coordination_notice(
    session: AsyncSession, round_id: int, kind: str, lines: Sequence[str]
) -> Reply:
    """The notice ``kind`` to the coordination, claimed in this transaction, kept with its
    text so that it is sent even if this process dies first."""
    return await keep_notice(session, round_id, None, kind, Reply("\n".join(lines)))


async def staffing_lines(session: AsyncSession) -> list[str]:
    """Offices without an active contact, and people who cannot be reached."""
    contacts = await active_contacts(session)
    offices = await active_offices(session)
    staffed = {o.id for c in contacts for o in c.offices}
    lines = []
    empty = [o.name for o in offices if o.id not in staffed]
    if empty:
        lines.append(texts.fill(texts.NO_CONTACT_OFFICES, offices=", ".join(empty)))
    unreachable = [c.display_name for c in contacts if c.unreachable_since is not None]
    if unreachable:
        lines.append(texts.fill(texts.UNREACHABLE, names=", ".join(unreachable)))
    return lines


# --- rounds ------------------------------------------------------------------------------------


async def open_round_if_due(bot: TelegramBot, svc: Services, now: datetime) -> bool:
    """Open this period's round at the first working moment of the period, once.

    None is opened if the period has a round already (see :func:`claim_round_opening`).
    """
    settings = svc.settings
    timetable = settings.timetable
    if not settings.auto_rounds:
        return False
    start = timetable.period_start(timetable.today(now))
    if now < timetable.next_working_moment(timetable.at(start, timetable.work_start)):
        return False
    async with svc.sessions() as session, session.begin():
        round_ = await claim_round_opening(
            session, start, settings.reporting_cadence, now, timetable.today(now)
        )
        if round_ is None:
            return False
        notices = await opening_notices(session, round_, now)
        announcement: Reply | None = None
        if await claim_notice(session, round_.id, None, OPENED, now):
            # kept with the people to be told; rewritten with those reached once sent
            lines = [opened_line(round_, len(notices)), *await staffing_lines(session)]
            announcement = await keep_coordination_notice(session, round_.id, OPENED, lines)
    delivered = await deliver_all(bot, svc, notices)
    if announcement is not None:
        count = sum(told is not False for told in delivered)  # None: sent later
        async with svc.sessions() as session, session.begin():
            lines = [opened_line(round_, count), *await staffing_lines(session)]
            announcement = await keep_coordination_notice(session, round_.id, OPENED, lines)
        await to_coordination(bot, svc, announcement)
    return True


def opened_line(round_: ReportingRound, told: int) -> str:
    return texts.fill(
        texts.ROUND_OPENED_NOTICE,
        opens=day(round_.opens_on),
        due=day(round_.due_on),
        notified=told,
        person_word=texts.plural(told, "Ansprechperson", "Ansprechpersonen"),
    )


# --- reminders ---------------------------------------------------------------------------------


async def send_reminders(bot: TelegramBot, svc: Services, now: datetime) -> int:
    """Remind contacts with open items, on the configured days, in working hours only."""
    timetable = svc.settings.timetable
    if not timetable.is_working_time(now):
        return 0
    today = timetable.today(now)
    replies: list[Reply] = []
    async with svc.sessions() as session, session.begin():
        round_ = await current_round(session, today)
        if round_ is None or not round_.running(today):
            return 0  # none, closed, or past its due date
        if today == timetable.today(round_.created_at):
            return 0  # on the day a round opened, its opening message is enough
        # Reminders that fell before the round was opened (late, after downtime) are moot.
        due_kinds = [
            kind
            for kind, moment in timetable.reminders(round_.opens_on, round_.due_on)
            if round_.created_at < moment <= now
        ]
        start_of_day = timetable.at(today, time(0))
        done = await submitted_items(session, round_.id)
        for contact in await reachable_contacts(session):
            if contact.absent_until is not None and today <= contact.absent_until:
                continue  # away: the latest due reminder follows once they are back
            open_items = [i for i in await work_items(session, contact) if i.key not in done]
            if not open_items:
                continue  # finished (or a colleague reported for the office): no reminder
            if contact.snoozed_until is not None and contact.snoozed_round_id != round_.id:
                contact.snoozed_until = contact.snoozed_round_id = None  # an earlier round's
            if contact.snoozed_until is not None:
                if now < contact.snoozed_until:
                    continue
                contact.snoozed_until = contact.snoozed_round_id = None
                kind = f"snooze-{today.isoformat()}"
            else:
                sent = await noticed(session, round_.id, contact.id)
                pending = [k for k in due_kinds if k not in sent]
                if not pending:
                    continue
                kind = pending[-1]  # after downtime: one reminder, not several
            claimed = await claim_reminder(
                session, round_, contact, open_items, kind, now, start_of_day, due_kinds
            )
            if claimed is not None:
                replies.append(claimed)
    await deliver_all(bot, svc, replies)
    return len(replies)


async def claim_reminder(
    session: AsyncSession,
    round_: ReportingRound,
    contact: Contact,
    open_items: list[WorkItem],
    kind: str,
    now: datetime,
    start_of_day: datetime,
    covers: Sequence[str] = (),
) -> Reply | None:
    """The reminder ``kind`` to ``contact``, recorded before it is sent; None if they had a
    message about the round today already (one a day is enough) or it was sent before.

    ``covers`` are earlier kinds this one stands for (after downtime: one, not several).
    """
    assert contact.telegram_user_id is not None
    if await noticed(session, round_.id, contact.id, since=start_of_day):
        return None
    if not await claim_notice(session, round_.id, contact.id, kind, now):
        return None
    for earlier in covers:
        await claim_notice(session, round_.id, contact.id, earlier, now)
    message = reminder(contact.telegram_user_id, open_items, round_.due_on, kind == DUE_KIND)
    return await keep_notice(session, round_.id, contact.id, kind, message)


def reminder(chat_id: int, open_items: list[WorkItem], due: date, last_day: bool) -> Reply:
    count = len(open_items)
    word = texts.plural(count, "Maßnahme", "Maßnahmen")
    if last_day:
        text = texts.fill(texts.REMINDER_DUE, count=count, measure_word=word)
    else:
        targets = sum(len(item.targets) for item in open_items)
        minutes = estimate_minutes(count, targets)
        text = texts.fill(
            texts.REMINDER,
            due=day(due),
            count=count,
            measure_word=word,
            minutes=minutes,
            minute_word=texts.plural(minutes, "Minute", "Minuten"),
        )
    return Reply(text, reminder_buttons(), chat_id=chat_id)


# --- escalation --------------------------------------------------------------------------------


async def escalate_overdue(bot: TelegramBot, svc: Services, now: datetime) -> bool:
    """After a round's due date, tell the coordination what was not reported, once."""
    timetable = svc.settings.timetable
    if not timetable.is_working_time(now):
        return False
    async with svc.sessions() as session, session.begin():
        round_ = await last_due_round(session, timetable.today(now))
        if round_ is None or round_.closed_at is not None:
            return False  # closed early or replaced: nothing is overdue in it
        if not await claim_notice(session, round_.id, None, OVERDUE, now):
            return False
        reported = await reported_in_round(session, round_.id)
        missing: dict[str, list[str]] = defaultdict(list)
        snapshot = await svc.snapshots.get(session, timetable.today(now))
        office_ids = {o.name: o.id for o in await active_offices(session)}
        for measure in snapshot.measures():
            for office in measure.offices:
                if (measure.id, office_ids.get(office)) not in reported:
                    missing[office].append(measure.code)
        lines = [texts.fill(texts.OVERDUE_HEAD, due=day(round_.due_on))]
        lines += [
            texts.fill(texts.OVERDUE_OFFICE, office=o, codes=", ".join(c))
            for o, c in missing.items()
        ]
        if not missing:
            lines.append(texts.OVERDUE_NONE)
        lines += await staffing_lines(session)
        escalation = await keep_coordination_notice(session, round_.id, OVERDUE, lines)
    await to_coordination(bot, svc, escalation)
    return True


# --- weekly summary ----------------------------------------------------------------------------


class SummaryOutcome(StrEnum):
    POSTED = "posted"
    ALREADY_POSTED = "already"
    NOT_DUE = "not_due"
    BUSY = "busy"
    NO_CHAT = "no_chat"


async def build_summary(svc: Services, now: datetime) -> tuple[WeeklySummaryText, bytes]:
    """The summary of ``now``'s week (compared with the last posted one) and its chart."""
    timetable = svc.settings.timetable
    today = timetable.today(now)
    year, week = timetable.iso_week(now)
    chat_id = svc.settings.coordination_chat_id or 0
    async with svc.sessions() as session:
        snapshot = await svc.snapshots.get(session, today)
        before = await previous_summary(session, chat_id, year, week)
        people = await contacts_by_office(session, today)
        support = await open_requests(session)
    summary = weekly_summary(
        snapshot,
        before.baseline if before else None,
        outstanding(snapshot, people),
        year,
        week,
        support,
    )
    return summary, await off_loop(status_chart, snapshot, today)


async def post_summary_if_due(
    bot: TelegramBot, svc: Services, now: datetime, *, on_schedule: bool = True
) -> SummaryOutcome:
    """Post this week's summary to the coordination group, exactly once per week and chat.

    The row is claimed before anything is sent and each part is recorded as soon as it
    went out, so a retry after an error continues with the next part instead of posting
    again; a second process finds the claim and stays quiet. Each recorded part renews the
    claim's lease from the clock; a holder that lost its claim to another stops.
    """
    settings = svc.settings
    timetable = settings.timetable
    chat_id = settings.coordination_chat_id
    if chat_id is None:
        return SummaryOutcome.NO_CHAT
    if on_schedule and now < timetable.summary_moment(now):
        return SummaryOutcome.NOT_DUE
    year, week = timetable.iso_week(now)
    async with svc.sessions() as session, session.begin():
        holders = await holders_alive(session, svc, now)
        claim = await claim_summary(session, year, week, chat_id, svc.clock(), holders)
        if claim is None:
            existing = await summary_of_week(session, chat_id, year, week)
            posted = existing is not None and existing.posted_at is not None
            return SummaryOutcome.ALREADY_POSTED if posted else SummaryOutcome.BUSY
    summary, chart = await build_summary(svc, now)
    parts: list[Reply] = [Reply(text, chat_id=chat_id) for text in summary.messages]
    parts.append(Reply("", chat_id=chat_id, attachment=Attachment(chart, "status.png", photo=True)))
    async with svc.sessions() as session, session.begin():
        held = await renew_summary_lease(session, claim, svc.clock())  # building took a while
    for number in range(claim.parts_sent, len(parts)):
        if held is None:
            break  # another process took the claim over (we were too slow): it goes on
        part = parts[number]
        try:
            if part.attachment is not None:
                picture = InputFile(part.attachment.data, filename=part.attachment.filename)
                await bot.send_photo(chat_id, picture, reply_markup=keyboard(part.buttons))
            else:
                await bot.send_message(chat_id, part.text, parse_mode=ParseMode.HTML)
        except TelegramError:
            log.warning("Wochenzusammenfassung: Teil %s nicht gesendet, später erneut", number + 1)
            async with svc.sessions() as session, session.begin():
                await release_summary(session, held)  # the next tick may retry at once
            raise
        async with svc.sessions() as session, session.begin():
            # still working on it: the lease lasts from now, as the clock says
            held = await record_summary_part(session, held, number + 1, svc.clock())
    posted = False
    if held is not None:
        async with svc.sessions() as session, session.begin():
            posted = await mark_summary_posted(session, held, summary.baseline, now)
    if not posted:
        log.warning("Wochenzusammenfassung: von einem anderen Prozess übernommen")
        return SummaryOutcome.BUSY
    return SummaryOutcome.POSTED
