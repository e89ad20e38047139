"""Support requests as text: the notice to the coordination, its state, the open list (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.render import texts
from bot.render.formatting import day, horizon_label
from storage.support import SupportItem


def where(item: SupportItem) -> str:
    """'III.2.1 · Mittelfristig' (raw)."""
    if item.terms is None:
        return item.measure_code
    horizon = horizon_label([texts.TERM_LABELS[term] for term in item.terms.split("+")])
    return f"{item.measure_code} · {horizon}"


def notice(item: SupportItem, zone: ZoneInfo) -> str:
    """The notice about a request, with who took it and whether it is resolved."""
    lines = [
        texts.fill(texts.SUPPORT_HEAD, where=where(item)),
        texts.fill(
            texts.SUPPORT_WHO,
            office=item.office,
            person=item.requested_by or texts.REMOVED_PERSON,
            day=day(item.requested_at, zone),
        ),
        texts.fill(texts.SUPPORT_TEXT, text=item.text) if item.text else texts.SUPPORT_NO_TEXT,
    ]
    if item.resolved_at is not None:
        note = (
            texts.fill(texts.SUPPORT_NOTE, note=item.resolution_note)
            if item.resolution_note
            else ""
        )
        lines.append(
            texts.fill(
                texts.SUPPORT_RESOLVED,
                name=item.resolved_by or texts.REMOVED_PERSON,
                day=day(item.resolved_at, zone),
                note=note,
            )
        )
    elif item.taken_at is not None:
        lines.append(
            texts.fill(
                texts.SUPPORT_TAKEN,
                name=item.taken_by or texts.REMOVED_PERSON,
                day=day(item.taken_at, zone),
            )
        )
    return "\n".join(lines)


def open_list(items: Sequence[SupportItem], zone: ZoneInfo) -> str:
    """/bitten: every open request, oldest first, one short block each."""
    if not items:
        return texts.SUPPORT_NONE_OPEN
    lines = [texts.fill(texts.SUPPORT_OPEN_HEAD, count=len(items))]
    for number, item in enumerate(items, start=1):
        state = (
            texts.fill(texts.SUPPORT_LIST_TAKEN, name=item.taken_by or texts.REMOVED_PERSON)
            if item.taken_at is not None
            else texts.SUPPORT_LIST_NEW
        )
        lines.append(
            texts.fill(
                texts.SUPPORT_LIST_ITEM,
                number=number,
                where=where(item),
                office=item.office,
                day=day(item.requested_at, zone),
                state=state,
                text=item.text or "–",
            )
        )
    return "\n".join(lines)


def told_taken(item: SupportItem) -> str:
    """For the contact who asked: who takes care of it."""
    return texts.fill(
        texts.SUPPORT_TOLD_TAKEN, name=item.taken_by or texts.REMOVED_PERSON, where=where(item)
    )


def told_resolved(item: SupportItem) -> str:
    note = texts.fill(texts.SUPPORT_NOTE, note=item.resolution_note) if item.resolution_note else ""
    return texts.fill(
        texts.SUPPORT_TOLD_RESOLVED,
        name=item.resolved_by or texts.REMOVED_PERSON,
        where=where(item),
        note=note,
    )
