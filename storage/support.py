"""Requests for the coordination's support: opened by a submitted report, taken over and
resolved by coordinators, open across rounds until resolved.

One open request per measure, office and horizon target: a later report asking again (or
carrying the answer over unchanged) adds nothing new. The messages the bot sent about a
request are remembered, to update them and to match a reply with a note to its request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    Contact,
    HorizonTarget,
    Measure,
    Office,
    Report,
    SupportMessage,
    SupportRequest,
)

NOTICE, NOTE = "notice", "note"  # kinds of support messages


class SupportItem(NamedTuple):
    """A support request as people read it."""

    id: int
    measure_code: str
    office: str
    terms: str | None  # the horizon target's terms, e.g. "kurz"
    text: str | None
    requested_by: str | None  # None once the account was removed
    requested_by_chat: int | None  # the contact's Telegram id, to tell them
    requested_at: datetime
    taken_by: str | None
    taken_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_note: str | None


async def register_requests(session: AsyncSession, report: Report, now: datetime) -> list[int]:
    """Open a request for each target the submitted ``report`` asks support for, unless one
    is open for it already; the ids of the new ones. An answer carried over unchanged from
    an earlier report asks nothing new (its request was opened, and maybe resolved, then)."""
    opened = []
    for answer in report.answers:
        if not answer.support_requested or answer.carried_over:
            continue
        existing = await session.scalar(
            select(SupportRequest.id).where(
                SupportRequest.measure_id == report.measure_id,
                SupportRequest.office_id == report.office_id,
                SupportRequest.horizon_target_id == answer.horizon_target_id,
                SupportRequest.resolved_at.is_(None),
            )
        )
        if existing is not None:
            continue
        request = SupportRequest(
            measure_id=report.measure_id,
            office_id=report.office_id,
            horizon_target_id=answer.horizon_target_id,
            report_id=report.id,
            requested_by_id=report.author_id,
            text=answer.support_note or None,
            requested_at=now,
        )
        session.add(request)
        await session.flush()
        opened.append(request.id)
    return opened


def _items() -> Select[Any]:
    requester, taker, resolver = aliased(Contact), aliased(Contact), aliased(Contact)
    columns: tuple[Any, ...] = (
            SupportRequest.id, Measure.code, Office.name, HorizonTarget.terms, SupportRequest.text,
            requester.display_name, requester.telegram_user_id, SupportRequest.requested_at,
            taker.display_name, SupportRequest.taken_at, resolver.display_name,
            SupportRequest.resolved_at, SupportRequest.resolution_note,
    )  # fmt: skip
    return (
        select(*columns)
        .join(Measure, Measure.id == SupportRequest.measure_id)
        .join(Office, Office.id == SupportRequest.office_id)
        .outerjoin(HorizonTarget, HorizonTarget.id == SupportRequest.horizon_target_id)
        .outerjoin(requester, requester.id == SupportRequest.requested_by_id)
        .outerjoin(taker, taker.id == SupportRequest.taken_by_id)
        .outerjoin(resolver, resolver.id == SupportRequest.resolved_by_id)
        .order_by(SupportRequest.requested_at, SupportRequest.id)
    )


async def open_requests(session: AsyncSession) -> list[SupportItem]:
    """All requests not resolved yet, oldest first."""
    rows = await session.execute(_items().where(SupportRequest.resolved_at.is_(None)))
    return [SupportItem(*row) for row in rows]


async def request_item(session: AsyncSession, request_id: int) -> SupportItem | None:
    row = (await session.execute(_items().where(SupportRequest.id == request_id))).first()
    return None if row is None else SupportItem(*row)


async def take(session: AsyncSession, request_id: int, by: Contact, now: datetime) -> bool:
    """``by`` takes the open request over (also from a colleague); False if it is resolved
    or unknown."""
    request = await session.get(SupportRequest, request_id)
    if request is None or request.resolved_at is not None:
        return False
    request.taken_by_id, request.taken_at = by.id, now
    return True


async def resolve(
    session: AsyncSession, request_id: int, by: Contact, now: datetime, note: str | None
) -> bool:
    """Resolve the request (with an optional note); False if it was resolved already."""
    request = await session.get(SupportRequest, request_id)
    if request is None or request.resolved_at is not None:
        return False
    request.resolved_by_id, request.resolved_at = by.id, now
    request.resolution_note = note or None
    if request.taken_by_id is None:
        request.taken_by_id, request.taken_at = by.id, now
    return True


async def remember_message(
    session: AsyncSession, request_id: int, chat_id: int, message_id: int, kind: str
) -> None:
    if await session.get(SupportMessage, (chat_id, message_id)) is None:
        session.add(
            SupportMessage(chat_id=chat_id, message_id=message_id, request_id=request_id, kind=kind)
        )


async def notices_of(session: AsyncSession, request_id: int) -> list[tuple[int, int]]:
    """(chat id, message id) of every notice sent about the request."""
    rows = await session.execute(
        select(SupportMessage.chat_id, SupportMessage.message_id).where(
            SupportMessage.request_id == request_id, SupportMessage.kind == NOTICE
        )
    )
    return [(chat, message) for chat, message in rows]


async def request_for_note(session: AsyncSession, chat_id: int, message_id: int) -> int | None:
    """The request whose note prompt is message ``message_id`` in chat ``chat_id``."""
    found = await session.get(SupportMessage, (chat_id, message_id))
    return found.request_id if found is not None and found.kind == NOTE else None


async def open_support_keys(session: AsyncSession) -> frozenset[tuple[int, str]]:
    """(horizon target id, office name) of every open request (see Snapshot.with_open_support)."""
    rows = await session.execute(
        select(SupportRequest.horizon_target_id, Office.name)
        .join(Office, Office.id == SupportRequest.office_id)
        .where(SupportRequest.resolved_at.is_(None), SupportRequest.horizon_target_id.is_not(None))
    )
    return frozenset((target, office) for target, office in rows if target is not None)
