"""Coordinators' views: /status, /offen, /verlauf, /export, and the status chart.

Coordinators see everything, in private chats and in the coordination group; a contact
sees the measures of their own offices only.
"""

from __future__ import annotations

from bot.render import texts
from bot.render.chart import status_chart
from bot.render.evidence import evidence_lines, evidence_name
from bot.render.export import build_csv, build_xlsx
from bot.render.formatting import day
from bot.render.views import (
    field_choices,
    field_view,
    find_field,
    goal_view,
    history_view,
    is_code,
    measure_view,
    outstanding_view,
    overview,
    shorten,
)
from conversations.access import Audience
from conversations.framework import Attachment, Buttons, Reply, Request, Router
from conversations.payloads import EvidenceFile, ShowChart, ShowField
from conversations.scheduled import build_summary
from storage.evidence import evidence_by_code_and_office, submitted_evidence
from storage.history import StoredHistory, measure_history, shared_database_url
from storage.models import Role
from storage.status import Snapshot, contacts_by_office

DOCUMENT_LIMIT = 50_000_000  # bytes a bot may send as a document (Telegram: 50 MB)
EVIDENCE_SHOWN = 10  # newest files listed under a measure; all are in the export

router = Router()


async def snapshots(request: Request) -> tuple[Snapshot, Snapshot]:
    """The full snapshot and the part this person may see."""
    full = await request.services.snapshots.get(request.session, request.today)
    contact = request.active_contact
    assert contact is not None  # members only
    if contact.role is Role.COORDINATOR:
        return full, full
    return full, full.restricted_to(office.name for office in contact.offices)


def overview_reply(snapshot: Snapshot) -> Reply:
    buttons: Buttons = [
        *(
            [(f"{field.numeral} {field.title}", ShowField(field.numeral))]
            for field in snapshot.fields
        ),
        [(texts.CHART_BUTTON, ShowChart())],
    ]
    return Reply(overview(snapshot), buttons)


@router.command("status")
async def status(request: Request) -> Reply:
    full, visible = await snapshots(request)
    if not visible.fields:
        return Reply(texts.NOTHING_VISIBLE)
    query = " ".join(request.args).strip()
    if not query:
        return overview_reply(visible)
    zone = request.services.settings.zone
    if is_code(query):
        code = query.upper()
        measure = visible.find_measure(code)
        if measure is not None:
            history = await measure_history(request.session, measure.id)
            text = measure_view(measure, history, zone)
            return await with_evidence(request, measure.id, text)
        goal = visible.find_goal(code)
        if goal is not None:
            return Reply(goal_view(*goal))
        exists = full.find_measure(code) or full.find_goal(code)
        template = texts.NOT_YOURS if exists else texts.CODE_UNKNOWN
        return Reply(texts.fill(template, code=code))
    field = find_field(query, visible.fields)
    if field is None:
        return Reply(field_choices(query, visible.fields))
    return Reply(field_view(field, visible, zone))


async def with_evidence(request: Request, measure_id: int, text: str) -> Reply:
    """A measure's view with its evidence files listed; coordinators get a button per file
    to have it sent again (contacts see the list)."""
    items = await submitted_evidence(request.session, measure_id)
    if not items:
        return Reply(text)
    lines = evidence_lines(items[:EVIDENCE_SHOWN], request.services.settings.zone)
    text += "\n\n" + "\n".join([texts.EVIDENCE_HEAD, *lines])
    contact = request.active_contact
    if contact is None or contact.role is not Role.COORDINATOR:
        return Reply(text)
    buttons = [
        [(
            texts.fill(
                texts.EVIDENCE_BUTTON,
                icon=texts.EVIDENCE_ICONS[item.kind.value],
                number=number,
                name=shorten(evidence_name(item.kind, item.file_name), 40),
            ),
            EvidenceFile(item.id),
        )]
        for number, item in enumerate(items[:EVIDENCE_SHOWN], start=1)
    ]  # fmt: skip
    return Reply(text, buttons)


@router.button(ShowField, Audience.MEMBER, in_group=True)
async def field_button(request: Request, data: ShowField) -> Reply:
    _full, visible = await snapshots(request)
    field = next((f for f in visible.fields if f.numeral == data.numeral), None)
    if field is None:
        return Reply(texts.STALE_BUTTON)
    return Reply(field_view(field, visible, request.services.settings.zone))


@router.button(ShowChart, Audience.MEMBER, in_group=True)
async def chart_button(request: Request, _data: ShowChart) -> Reply:
    _full, visible = await snapshots(request)
    picture = status_chart(visible, request.today)
    caption = texts.fill(texts.CHART_TITLE, day=day(request.today))
    return Reply(caption, attachment=Attachment(picture, "status.png", photo=True))


@router.command("offen")
async def outstanding(request: Request) -> Reply:
    full, _visible = await snapshots(request)
    people = await contacts_by_office(request.session, request.today)
    return Reply(outstanding_view(full, people))


@router.command("verlauf")
async def history(request: Request) -> Reply:
    query = " ".join(request.args).strip()
    if not is_code(query):
        return Reply(texts.HISTORY_USAGE)
    code = query.upper()
    full, visible = await snapshots(request)
    measure = visible.find_measure(code)
    if measure is None:
        if visible.find_goal(code):
            return Reply(texts.fill(texts.HISTORY_GOAL, code=code))
        exists = full.find_measure(code) or full.find_goal(code)
        return Reply(texts.fill(texts.NOT_YOURS if exists else texts.CODE_UNKNOWN, code=code))
    return Reply(history_view(measure, await measure_history(request.session, measure.id)))


def _too_large(size: int, file_format: str, name: str) -> Reply | None:
    """The explanation if a file is more than Telegram lets a bot send."""
    if size <= DOCUMENT_LIMIT:
        return None
    return Reply(
        texts.fill(
            texts.EXPORT_TOO_LARGE,
            size=f"{size / 1e6:.0f}",
            limit=f"{DOCUMENT_LIMIT / 1e6:.0f}",
            format=file_format,
            name=name,
        )
    )


@router.command("export")
async def export(request: Request) -> list[Reply]:
    choice = " ".join(request.args).strip().lower()
    if choice not in ("", "xlsx", "excel", "csv"):
        return [Reply(texts.EXPORT_USAGE)]
    full, _visible = await snapshots(request)
    zone = request.services.settings.zone
    stamp = request.today.isoformat()
    caption = texts.fill(texts.EXPORT_CAPTION, day=day(request.today))
    url = shared_database_url(request.session, request.services.settings.effective_database_url)
    history = await StoredHistory.load(request.session, url)
    evidence = await evidence_by_code_and_office(request.session)
    if choice == "csv":
        current, past = await build_csv(full, history, zone, evidence)
        name = f"monitoring-stand-{stamp}.csv"
        if too_large := _too_large(max(len(current), len(past)), "csv", name):
            return [too_large]
        return [
            Reply(caption, attachment=Attachment(current, name)),
            Reply(caption, attachment=Attachment(past, f"monitoring-verlauf-{stamp}.csv")),
        ]
    workbook = await build_xlsx(full, history, zone, evidence)
    if too_large := _too_large(len(workbook), "xlsx", f"monitoring-{stamp}.xlsx"):
        return [too_large]
    return [
        Reply(
            f"{caption}\n{texts.EXPORT_CSV_HINT}",
            attachment=Attachment(workbook, f"monitoring-{stamp}.xlsx"),
        )
    ]


@router.command("zusammenfassung")
async def summary(request: Request) -> list[Reply]:
    """The weekly summary as it would be posted now (does not count as the weekly post)."""
    text, chart = await build_summary(request.services, request.now)
    return [
        *(Reply(part) for part in text.messages),
        Reply("", attachment=Attachment(chart, "status.png", photo=True)),
    ]
