"""/offen: who still has to report in the running round, and reminding them by hand.

The coordination sees per office the open measures and the contacts with their state
(absent, blocked, none at all), for the whole plan or one field of action, and can remind
an office's contacts or all of them with a button. A reminder by hand is recorded like the
scheduled ones, and nobody gets more than one message about a round a day.
"""

from __future__ import annotations

from datetime import time

from bot.render import texts
from bot.render.outstanding import outstanding, outstanding_view
from bot.render.views import field_choices, find_field
from conversations.access import Audience
from conversations.framework import Buttons, Reply, Request, Router
from conversations.payloads import RemindOutstanding
from conversations.scheduled import claim_reminder
from storage.models import Office, ReportingRound
from storage.people import active_contacts, active_offices
from storage.reporting import open_items, running_round
from storage.status import FieldState, Snapshot, contacts_by_office

router = Router()

MANUAL = "manuell-{day}"  # the notice kind of a reminder by hand, once a day


async def _scope(request: Request, query: str) -> tuple[Snapshot, FieldState | None] | Reply:
    snapshot = await request.services.snapshots.get(request.session, request.today)
    if not query:
        return snapshot, None
    field = find_field(query, snapshot.fields)
    if field is None:
        return Reply(field_choices(query, snapshot.fields))
    return snapshot, field


@router.command("offen")
async def open_work(request: Request) -> Reply:
    """/offen [Handlungsfeld]: the open measures per office, with buttons to remind."""
    found = await _scope(request, " ".join(request.args).strip())
    if isinstance(found, Reply):
        return found
    snapshot, field = found
    people = await contacts_by_office(request.session, request.today)
    text = outstanding_view(snapshot, people, field)
    running = await running_round(request.session, request.today)
    if running is None:
        return Reply(text)
    entries = outstanding(snapshot, people, None if field is None else [field])
    offices = {o.name: o.id for o in await active_offices(request.session)}
    field_number = 0 if field is None else snapshot.fields.index(field) + 1
    buttons: Buttons = [
        [(
            texts.fill(texts.REMIND_OFFICE, office=entry.office),
            RemindOutstanding(running.id, offices[entry.office], field_number),
        )]
        for entry in entries
        if entry.reachable and entry.office in offices
    ]  # fmt: skip
    if len(buttons) > 1:
        buttons = [[(texts.REMIND_ALL, RemindOutstanding(running.id, 0, field_number))], *buttons]
    return Reply(text, buttons)


@router.button(RemindOutstanding, Audience.COORDINATOR, in_group=True)
async def remind(request: Request, data: RemindOutstanding) -> list[Reply]:
    """Remind the contacts of one office (or of all with open measures in the scope)."""
    session, today = request.session, request.today
    running = await running_round(session, today)
    if running is None or running.id != data.round_id:
        return [Reply(texts.STALE_BUTTON)]
    snapshot = await request.services.snapshots.get(session, today)
    fields = snapshot.fields
    if data.field:
        if data.field > len(fields):
            return [Reply(texts.STALE_BUTTON)]
        fields = (fields[data.field - 1],)
    people = await contacts_by_office(session, today)
    open_offices = {entry.office for entry in outstanding(snapshot, people, fields)}
    targets = [
        o
        for o in await active_offices(session)
        if o.name in open_offices and (data.office_id == 0 or o.id == data.office_id)
    ]
    return await remind_offices(request, running, targets)


async def remind_offices(
    request: Request, round_: ReportingRound, offices: list[Office]
) -> list[Reply]:
    """Remind each reachable contact of ``offices`` who still has something open; tell the
    coordinator who was reminded and who not, and why."""
    session, now = request.session, request.now
    timetable = request.services.settings.timetable
    start_of_day = timetable.at(request.today, time(0))
    kind = MANUAL.format(day=request.today.isoformat())
    wanted = {office.id for office in offices}
    reminded: list[str] = []
    already: list[str] = []
    away: list[str] = []
    notices: list[Reply] = []
    covered: set[int] = set()
    for contact in await active_contacts(session):
        if not wanted.intersection(o.id for o in contact.offices):
            continue
        covered.update(o.id for o in contact.offices)
        if (
            contact.telegram_user_id is None
            or contact.unreachable_since is not None
            or (contact.absent_until is not None and request.today <= contact.absent_until)
        ):
            away.append(contact.display_name)
            continue
        left = await open_items(session, contact, round_.id)
        if not left:
            continue
        notice = await claim_reminder(session, round_, contact, left, kind, now, start_of_day)
        if notice is None:
            already.append(contact.display_name)
        else:
            notices.append(notice)
            reminded.append(contact.display_name)
    nobody = [office.name for office in offices if office.id not in covered]
    lines = [
        texts.fill(texts.REMINDED, names=texts.join_names(reminded))
        if reminded
        else texts.REMINDED_NOBODY
    ]
    if already:
        lines.append(texts.fill(texts.NOT_REMINDED_TODAY, names=texts.join_names(already)))
    if away:
        lines.append(texts.fill(texts.NOT_REMINDED_AWAY, names=texts.join_names(away)))
    if nobody:
        lines.append(texts.fill(texts.NOT_REMINDED_NOBODY, offices=texts.join_names(nobody)))
    return [*notices, Reply("\n".join(lines))]
