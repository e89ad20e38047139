"""/runde: the reporting round, as the coordination sees and changes it.

With no round running, /runde offers to open one; with one running it shows the period,
the due date and how much is reported, and offers to extend the due date, close the
round early or open the next one. Every change asks for confirmation first (a stray
command in the group changes nothing), and the group is told who changed what. Each
button carries the round it was offered for; if the round changed meanwhile, the button
is stale.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.render import texts
from bot.render.formatting import day
from conversations.access import Audience, Place
from conversations.framework import Buttons, Reply, Request, Router, claim_and_keep_notices
from conversations.payloads import (
    RoundAction,
    RoundConfirmed,
    RoundStep,
    day_from_number,
    day_number,
)
from conversations.reporting import opening_notices, round_announcement
from storage.models import ReportingRound
from storage.people import reachable_contacts
from storage.reporting import (
    close_round,
    due_date,
    open_next_round,
    round_progress,
    running_round,
    submitted_items,
    work_items_of,
)

router = Router()

EXTENSIONS = (7, 14, 28)  # days the due date can be moved by
EXTENDED = "frist-{day}"  # the notice kind telling a contact of a new due date


def _cancel(round_id: int) -> tuple[str, RoundAction]:
    return texts.CANCEL, RoundAction(RoundStep.CANCEL, round_id, 0)


def _confirm(label: str, step: RoundStep, round_id: int, day_: int = 0) -> Buttons:
    return [[(label, RoundConfirmed(step, round_id, day_))], [_cancel(round_id)]]


async def menu(request: Request) -> Reply:
    """What /runde shows: the running round and what can be done with it, or the offer to
    open one."""
    today = request.today
    running = await running_round(request.session, today)
    if running is None:
        due = due_date(today, request.services.settings.reporting_cadence)
        text = texts.fill(texts.ROUNDS_NONE, opens=day(today), due=day(due))
        return Reply(text, [[(texts.ROUND_OPEN, RoundAction(RoundStep.OPEN, 0, 0))]])
    progress = await round_progress(request.session, running.id)
    text = texts.fill(
        texts.ROUNDS_RUNNING,
        opens=day(running.opens_on),
        due=day(running.due_on),
        reported=progress.reported,
        expected=progress.expected,
    )
    buttons: Buttons = [
        [(texts.ROUND_EXTEND, RoundAction(RoundStep.EXTEND, running.id, 0))],
        [(texts.ROUND_CLOSE, RoundAction(RoundStep.CLOSE, running.id, 0))],
        [(texts.ROUND_NEXT, RoundAction(RoundStep.NEXT, running.id, 0))],
    ]
    return Reply(text, buttons)


@router.command("runde")
async def rounds(request: Request) -> Reply:
    return await menu(request)


async def _still(request: Request, round_id: int) -> ReportingRound | bool | None:
    """The round a button was offered for, if it is still the running one (None: none was
    and none is); False if things changed meanwhile."""
    running = await running_round(request.session, request.today)
    if (running.id if running is not None else 0) != round_id:
        return False
    return running


@router.button(RoundAction, Audience.COORDINATOR, in_group=True)
async def round_action(request: Request, data: RoundAction) -> list[Reply]:
    if data.step is RoundStep.CANCEL:
        return [Reply(texts.ROUND_UNCHANGED, edit=True)]
    running = await _still(request, data.round_id)
    if running is False:
        return await changed_meanwhile(request)
    today, cadence = request.today, request.services.settings.reporting_cadence
    if data.step is RoundStep.OPEN:
        due = due_date(today, cadence)
        text = texts.fill(texts.ROUND_OPEN_ASK, opens=day(today), due=day(due))
        return [Reply(text, _confirm(texts.ROUND_OPEN_YES, RoundStep.OPEN, 0), edit=True)]
    assert isinstance(running, ReportingRound)
    if data.step is RoundStep.EXTEND and data.day == 0:
        rows: Buttons = [
            [(
                texts.fill(texts.ROUND_EXTEND_BY, days=days, due=day(running.due_on + timedelta(days))),
                RoundAction(RoundStep.EXTEND, running.id, day_number(running.due_on + timedelta(days))),
            )]
            for days in EXTENSIONS
        ]  # fmt: skip
        text = texts.fill(texts.ROUND_EXTEND_ASK, due=day(running.due_on))
        return [Reply(text, [*rows, [_cancel(running.id)]], edit=True)]
    if data.step is RoundStep.EXTEND:
        new_due = day_from_number(data.day)
        if new_due is None or new_due <= running.due_on:
            return await changed_meanwhile(request)
        text = texts.fill(texts.ROUND_EXTEND_CONFIRM, old=day(running.due_on), due=day(new_due))
        buttons = _confirm(texts.ROUND_EXTEND_YES, RoundStep.EXTEND, running.id, data.day)
        return [Reply(text, buttons, edit=True)]
    progress = await round_progress(request.session, running.id)
    if data.step is RoundStep.CLOSE:
        text = texts.fill(
            texts.ROUND_CLOSE_ASK,
            opens=day(running.opens_on),
            due=day(running.due_on),
            reported=progress.reported,
            expected=progress.expected,
        )
        return [
            Reply(text, _confirm(texts.ROUND_CLOSE_YES, RoundStep.CLOSE, running.id), edit=True)
        ]
    due = due_date(today, cadence)
    text = texts.fill(
        texts.ROUND_NEXT_ASK,
        opens=day(today),
        due=day(due),
        old_opens=day(running.opens_on),
        old_due=day(running.due_on),
        reported=progress.reported,
        expected=progress.expected,
    )
    return [Reply(text, _confirm(texts.ROUND_NEXT_YES, RoundStep.NEXT, running.id), edit=True)]


@router.button(RoundConfirmed, Audience.COORDINATOR, in_group=True)
async def round_confirmed(request: Request, data: RoundConfirmed) -> list[Reply]:
    running = await _still(request, data.round_id)
    if running is False or data.step is RoundStep.CANCEL:
        return await changed_meanwhile(request)
    coordinator = request.active_contact
    assert coordinator is not None  # the router lets coordinators through only
    name, session, now = coordinator.display_name, request.session, request.now
    if data.step is RoundStep.EXTEND:
        new_due = day_from_number(data.day)
        assert isinstance(running, ReportingRound)
        if new_due is None or new_due <= running.due_on:
            return await changed_meanwhile(request)
        running.due_on = new_due
        done = texts.fill(texts.ROUND_EXTENDED, name=name, due=day(new_due))
        told = await extension_notices(request, running)
        return [Reply(done, edit=True), *told, *for_the_group(request, done)]
    if data.step is RoundStep.CLOSE:
        assert isinstance(running, ReportingRound)
        close_round(running, now, coordinator)
        progress = await round_progress(session, running.id)
        done = texts.fill(
            texts.ROUND_CLOSED,
            name=name,
            opens=day(running.opens_on),
            reported=progress.reported,
            expected=progress.expected,
        )
        return [Reply(done, edit=True), *for_the_group(request, done)]
    cadence = request.services.settings.reporting_cadence
    opened = await open_next_round(
        session, today=request.today, cadence=cadence, now=now, opened_by=coordinator
    )
    if opened is None:
        return [Reply(texts.ROUND_EXISTS_TODAY, edit=True)]
    announcements = await opening_notices(session, opened, now)
    count = len(announcements)
    done = texts.fill(
        texts.ROUND_OPENED_BY,
        name=name,
        opens=day(opened.opens_on),
        due=day(opened.due_on),
        notified=count,
        person_word=texts.plural(count, "Ansprechperson", "Ansprechpersonen"),
    )
    return [Reply(done, edit=True), *announcements, *for_the_group(request, done)]


async def changed_meanwhile(request: Request) -> list[Reply]:
    """A button for a round that is no longer as it was: nothing done, the current menu.

    Sent as new messages: the pressed one may record who changed what, and stays."""
    return [Reply(texts.ROUND_CHANGED_MEANWHILE), await menu(request)]


def for_the_group(request: Request, done: str) -> list[Reply]:
    """The group hears of a change made in a private chat (in the group it saw it)."""
    group = request.services.settings.coordination_chat_id
    if request.place is Place.COORDINATION or group is None:
        return []
    return [Reply(done, chat_id=group)]


async def extension_notices(request: Request, round_: ReportingRound) -> list[Reply]:
    """Tell each contact with something still open the new due date, once per date."""
    session = request.session
    reachable = await reachable_contacts(session)
    items, done = await work_items_of(session, reachable), await submitted_items(session, round_.id)
    messages = {}
    for contact in reachable:
        left = [item for item in items[contact.id] if item.key not in done]
        if left:
            notice = round_announcement(round_, left, texts.ROUND_EXTENDED_NOTICE)
            messages[contact.id] = replace(notice, chat_id=contact.telegram_user_id)
    kind = EXTENDED.format(day=day_number(round_.due_on))
    return await claim_and_keep_notices(session, round_.id, kind, messages, request.now)
