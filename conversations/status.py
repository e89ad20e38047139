"""Coordinators' views: /status, /offen, /verlauf, /export, and the status chart.

Coordinators see everything, in private chats and in the coordination group; a contact
sees the measures of their own offices only.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence

from bot.render import texts
from bot.render.background import off_loop
from bot.render.chart import (
    DEVELOPMENT_MIN_ROUNDS,
    HISTORY_CHART_ROUNDS,
    HISTORY_MIN_ROUNDS,
    development_chart,
    history_chart,
    history_rounds,
    status_chart,
)
from bot.render.evidence import evidence_lines, evidence_name
from bot.render.formatting import day
from bot.render.views import (
    choice_label,
    field_choices,
    field_view,
    find_field,
    find_measures,
    find_office,
    goal_view,
    history_view,
    measure_choices,
    measure_view,
    office_candidates,
    office_view,
    overview,
    shorten,
)
from conversations.access import Audience
from conversations.framework import Attachment, Buttons, Replies, Reply, Request, Router
from conversations.payloads import EvidenceFile, MeasureView, ShowChart, ShowField, ShowMeasure
from conversations.report_files import ReportFormat, write_report
from conversations.scheduled import build_summary
from storage.development import status_by_round
from storage.evidence import submitted_evidence
from storage.history import measure_history
from storage.models import Role
from storage.status import MeasureState, Snapshot, canonical_code
from storage.support import open_support_keys

DOCUMENT_LIMIT = 50_000_000  # bytes a bot may send as a document (Telegram: 50 MB)
EVIDENCE_SHOWN = 10  # newest files listed under a measure; all are in the export

router = Router()


async def snapshots(request: Request) -> tuple[Snapshot, Snapshot]:
    """The full snapshot and the part this person may see; support marks as the open
    requests have them."""
    cached = await request.services.snapshots.get(request.session, request.today)
    full = cached.with_open_support(await open_support_keys(request.session))
    contact = request.active_contact
    assert contact is not None  # members only
    if contact.role is Role.COORDINATOR:
        return full, full
    return full, full.restricted_to(office.name for office in contact.offices)


def overview_reply(snapshot: Snapshot, offices: Collection[str] | None = None) -> Reply:
    buttons: Buttons = [
        *(
            [(f"{field.numeral} {field.title}", ShowField(field.numeral))]
            for field in snapshot.fields
        ),
        [(texts.CHART_BUTTON, ShowChart())],
    ]
    return Reply(overview(snapshot, offices), buttons)


@router.command("status")
async def status(request: Request) -> Replies:
    """The overview, or what the words after the command name: a code (``V.1.2``,
    ``5.1.2``), a field of action, an office, or a word from a measure's title or indicator."""
    full, visible = await snapshots(request)
    if not visible.fields:
        return Reply(texts.NOTHING_VISIBLE)
    query = " ".join(request.args).strip()
    if not query:
        contact = request.active_contact
        assert contact is not None
        own = None if contact.role is Role.COORDINATOR else [o.name for o in contact.offices]
        return overview_reply(visible, own)
    zone = request.services.settings.zone
    code = canonical_code(query)
    if code is not None:
        measure = visible.find_measure(code)
        if measure is not None:
            return await measure_reply(request, measure)
        goal = visible.find_goal(code)
        if goal is not None:
            return Reply(goal_view(*goal))
        return Reply(unknown_code(full, code))
    field = find_field(query, visible.fields)
    if field is not None:
        return Reply(field_view(field, visible, zone))
    office = find_office(query, full.offices())
    if office is not None:
        return Reply(office_view(office, visible, zone))
    found = await by_keyword(request, query, full, visible, MeasureView.STATUS)
    if found is not None:
        return found
    return Reply(field_choices(query, visible.fields, office_candidates(query, full.offices())))


def unknown_code(full: Snapshot, code: str) -> str:
    """A code this person cannot see: someone else's, or none of the plan's."""
    exists = full.find_measure(code) or full.find_goal(code)
    return texts.fill(texts.NOT_YOURS if exists else texts.CODE_UNKNOWN, code=code)


async def by_keyword(
    request: Request, query: str, full: Snapshot, visible: Snapshot, view: MeasureView
) -> Replies | None:
    """The measures holding ``query`` in title or indicator: one is shown, several are
    offered as buttons; None if no measure holds it."""
    hits = find_measures(query, visible.measures())
    if len(hits) == 1:
        return await show_measure(request, hits[0], view)
    if hits:
        head = texts.fill(texts.MEASURE_CHOICES, query=query, count=len(hits))
        return choices_reply(head, hits, view)
    if find_measures(query, full.measures()):
        return Reply(texts.fill(texts.KEYWORD_NOT_YOURS, query=query))
    return None


def choices_reply(head: str, measures: Sequence[MeasureState], view: MeasureView) -> Reply:
    text, shown = measure_choices(head, measures)
    return Reply(text, [[(choice_label(m), ShowMeasure(m.id, view))] for m in shown])


async def show_measure(request: Request, measure: MeasureState, view: MeasureView) -> Replies:
    if view is MeasureView.HISTORY:
        return await history_replies(request, measure)
    return await measure_reply(request, measure)


async def measure_reply(request: Request, measure: MeasureState) -> Reply:
    history = await measure_history(request.session, measure.id)
    text = measure_view(measure, history, request.services.settings.zone)
    return await with_evidence(request, measure.id, text)


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


@router.button(ShowMeasure, Audience.MEMBER, in_group=True)
async def measure_button(request: Request, data: ShowMeasure) -> Replies:
    _full, visible = await snapshots(request)
    measure = next((m for m in visible.measures() if m.id == data.measure_id), None)
    if measure is None:  # gone from the plan, or no longer one of this person's offices
        return Reply(texts.STALE_BUTTON)
    return await show_measure(request, measure, data.view)


@router.button(ShowChart, Audience.MEMBER, in_group=True)
async def chart_button(request: Request, _data: ShowChart) -> list[Reply]:
    """The status chart, and from a few rounds on how each field developed over them."""
    full, visible = await snapshots(request)
    picture = await off_loop(status_chart, visible, request.today)
    caption = texts.fill(texts.CHART_TITLE, day=day(request.today))
    replies = [Reply(caption, attachment=Attachment(picture, "status.png", photo=True))]
    # a contact: the measures of their offices only, as in the status chart
    measure_ids = None if visible is full else {m.id for m in visible.measures()}
    rounds = await status_by_round(request.session, measure_ids=measure_ids)
    if len(rounds) >= DEVELOPMENT_MIN_ROUNDS and visible.fields:
        shown = {field.numeral for field in visible.fields}
        rounds = [
            found._replace(fields=tuple((n, c) for n, c in found.fields if n in shown))
            for found in rounds
        ]
        titles = {field.numeral: field.title for field in full.fields}
        development = await off_loop(development_chart, rounds, titles)
        caption = texts.fill(texts.DEVELOPMENT_CHART_CAPTION, count=len(rounds))
        replies.append(
            Reply(caption, attachment=Attachment(development, "entwicklung.png", photo=True))
        )
    return replies


@router.command("verlauf")
async def history(request: Request) -> Replies:
    """A measure's history, found as in /status; a goal, field, office or word found in
    several measures offers them as buttons."""
    query = " ".join(request.args).strip()
    if not query:
        return Reply(texts.HISTORY_USAGE)
    full, visible = await snapshots(request)
    if not visible.fields:
        return Reply(texts.NOTHING_VISIBLE)
    code = canonical_code(query)
    if code is not None:
        measure = visible.find_measure(code)
        if measure is not None:
            return await history_replies(request, measure)
        found = visible.find_goal(code)
        if found is None:
            return Reply(unknown_code(full, code))
        goal = found[1]
        head = texts.fill(texts.HISTORY_GOAL, code=goal.code)
        return await history_choices(request, head, goal.measures)
    field = find_field(query, visible.fields)
    if field is not None:
        head = texts.fill(texts.HISTORY_CHOOSE, name=f"{field.numeral} {field.title}")
        return await history_choices(request, head, field.measures())
    office = find_office(query, full.offices())
    if office is not None:
        measures = [m for m in visible.measures() if office in m.offices]
        if not measures:
            return Reply(texts.fill(texts.OFFICE_NOT_YOURS, office=office))
        head = texts.fill(texts.HISTORY_CHOOSE, name=office)
        return await history_choices(request, head, measures)
    found_word = await by_keyword(request, query, full, visible, MeasureView.HISTORY)
    if found_word is not None:
        return found_word
    return Reply(texts.fill(texts.HISTORY_NOT_FOUND, query=query))


async def history_choices(request: Request, head: str, measures: Sequence[MeasureState]) -> Replies:
    """The history of the only measure, or buttons to choose one."""
    if len(measures) == 1:
        return await history_replies(request, measures[0])
    return choices_reply(head, measures, MeasureView.HISTORY)


async def history_replies(request: Request, measure: MeasureState) -> list[Reply]:
    """The history as messages, and a picture of it from three rounds on."""
    history = await measure_history(request.session, measure.id)
    evidence = await submitted_evidence(request.session, measure.id)
    zone = request.services.settings.zone
    replies = [Reply(text) for text in history_view(measure, history, evidence, zone)]
    rounds = history_rounds(history)
    if rounds >= HISTORY_MIN_ROUNDS:
        caption = texts.fill(
            texts.HISTORY_CHART_CAPTION,
            code=measure.code,
            count=min(rounds, HISTORY_CHART_ROUNDS),
        )
        picture = await off_loop(history_chart, measure, history)
        replies.append(Reply(caption, attachment=Attachment(picture, "verlauf.png", photo=True)))
    return replies


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


_EXPORT_CHOICES = {
    "": ReportFormat.XLSX,
    "xlsx": ReportFormat.XLSX,
    "excel": ReportFormat.XLSX,
    "pdf": ReportFormat.PDF,
    "csv": ReportFormat.CSV,
}


@router.command("export")
async def export(request: Request) -> list[Reply]:
    report_format = _EXPORT_CHOICES.get(" ".join(request.args).strip().lower())
    if report_format is None:
        return [Reply(texts.EXPORT_USAGE)]
    stamp = request.today.isoformat()
    caption = texts.fill(texts.EXPORT_CAPTION, day=day(request.today))
    files = [io.BytesIO() for _ in range(report_format.files)]
    await write_report(
        request.session, request.today, request.services.settings.zone, report_format, files
    )
    if report_format is ReportFormat.CSV:
        names = [f"monitoring-stand-{stamp}.csv", f"monitoring-verlauf-{stamp}.csv"]
    else:
        names = [f"monitoring-{stamp}.{report_format.value}"]
    data = [file.getvalue() for file in files]
    for content, name in zip(data, names, strict=True):
        if too_large := _too_large(len(content), report_format.value, name):
            return [too_large]
    hint = {ReportFormat.XLSX: texts.EXPORT_OTHER_FORMATS}.get(report_format)
    text = f"{caption}\n{hint}" if hint else caption
    return [
        Reply(text, attachment=Attachment(content, name))
        for content, name in zip(data, names, strict=True)
    ]


@router.command("zusammenfassung")
async def summary(request: Request) -> list[Reply]:
    """The weekly summary as it would be posted now (does not count as the weekly post)."""
    text, chart = await build_summary(request.services, request.now)
    return [
        *(Reply(part) for part in text.messages),
        Reply("", attachment=Attachment(chart, "status.png", photo=True)),
    ]
