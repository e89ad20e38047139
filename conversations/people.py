"""Coordinators manage people: invite, list contacts per office, deactivate."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.helpers import create_deep_linked_url

from bot.render import texts
from bot.render.formatting import day
from conversations.access import Audience
from conversations.framework import Reply, Request, Router
from conversations.onboarding import office_names
from conversations.payloads import (
    Deactivate,
    DeactivateCancelled,
    DeactivateConfirmed,
    InviteCoordinator,
    InviteOffice,
)
from storage.models import Contact, Office, Role
from storage.people import (
    OfficeRoster,
    active_contacts,
    active_offices,
    contact_by_id,
    create_invitation,
    deactivate,
    roster,
)

router = Router()


async def invite(
    session: AsyncSession,
    *,
    office: Office | None,
    bot_username: str,
    now: datetime,
    valid_days: int,
    created_by: Contact | None = None,
) -> tuple[str, datetime]:
    """A new invitation's deep link and expiry: shared by the chat and the command line."""
    role = Role.CONTACT if office is not None else Role.COORDINATOR
    valid_for = timedelta(days=valid_days)
    token = await create_invitation(
        session, role=role, office=office, now=now, valid_for=valid_for, created_by=created_by
    )
    return create_deep_linked_url(bot_username, token), now + valid_for


@router.command("einladen")
async def choose_invitee(request: Request) -> Reply:
    offices = await active_offices(request.session)
    if not offices:
        return Reply(texts.INVITE_NO_OFFICES)
    rows: list[list[tuple[str, InviteOffice | InviteCoordinator]]]
    rows = [[(office.name, InviteOffice(office.id))] for office in offices]
    rows.append([(texts.INVITE_COORDINATOR_BUTTON, InviteCoordinator())])
    return Reply(texts.INVITE_CHOOSE, rows)


@router.button(InviteOffice, Audience.COORDINATOR)
async def invite_contact(request: Request, data: InviteOffice) -> Reply:
    offices = {o.id: o for o in await active_offices(request.session)}
    if data.office_id not in offices:
        return Reply(texts.STALE_BUTTON)
    return await _link(request, offices[data.office_id])


@router.button(InviteCoordinator, Audience.COORDINATOR)
async def invite_coordinator(request: Request, _data: InviteCoordinator) -> Reply:
    return await _link(request, None)


async def _link(request: Request, office: Office | None) -> Reply:
    """A new invitation for a contact of ``office`` or (None) for the coordination."""
    settings = request.services.settings
    username = settings.bot_username or request.context.bot.username
    link, until = await invite(
        request.session,
        office=office,
        bot_username=username,
        now=request.now,
        valid_days=settings.invitation_valid_days,
        created_by=request.active_contact,
    )
    return Reply(
        texts.fill(
            texts.INVITE_CREATED,
            target=office.name if office else texts.INVITE_TARGET_COORDINATOR,
            until=day(until, settings.zone),
            link=link,
        ),
        edit=True,
    )


def render_roster(rosters: list[OfficeRoster], coordinators: list[Contact], today: date) -> str:
    """Contacts per office, then the offices that have nobody, then the coordinators."""
    lines = [texts.ROSTER_HEADER]
    staffed = [r for r in rosters if r.contacts]
    for entry in staffed:
        lines.append("")
        lines.append(texts.fill(texts.ROSTER_OFFICE, office=entry.office.name))
        lines += [
            texts.fill(texts.ROSTER_PERSON, name=c.display_name)
            + (texts.ROSTER_UNREACHABLE if c.unreachable_since is not None else "")
            + (
                texts.fill(texts.ROSTER_ABSENT, day=day(c.absent_until))
                if c.absent_until is not None and c.absent_until >= today
                else ""
            )
            for c in entry.contacts
        ]
    empty = [r.office.name for r in rosters if not r.contacts]
    if empty:
        lines += ["", texts.fill(texts.ROSTER_NOBODY, count=len(empty))]
        lines += [texts.fill(texts.ROSTER_NOBODY_LINE, office=name) for name in empty]
    names = texts.join_names([c.display_name for c in coordinators]) or "–"
    lines += ["", texts.fill(texts.ROSTER_COORDINATORS, names=names), "", texts.ROSTER_HINT]
    return "\n".join(lines)


@router.command("kontakte")
async def list_contacts(request: Request) -> Reply:
    contacts = await active_contacts(request.session)
    coordinators = [c for c in contacts if c.role is Role.COORDINATOR]
    return Reply(render_roster(await roster(request.session), coordinators, request.today))


def _label(contact: Contact) -> str:
    scope = texts.COORDINATION if contact.role is Role.COORDINATOR else office_names(contact)
    return f"{contact.display_name} ({scope})"


@router.command("deaktivieren")
async def choose_deactivation(request: Request) -> Reply:
    me = request.active_contact
    others = [c for c in await active_contacts(request.session) if me is None or c.id != me.id]
    if not others:
        return Reply(texts.DEACTIVATE_NOBODY)
    return Reply(texts.DEACTIVATE_CHOOSE, [[(_label(c), Deactivate(c.id))] for c in others])


async def _target(request: Request, contact_id: int) -> Contact | Reply:
    """The contact a deactivation button names, re-checked now."""
    target = await contact_by_id(request.session, contact_id)
    me = request.active_contact
    if target is None or not target.active:
        return Reply(texts.DEACTIVATE_GONE, edit=True)
    if me is not None and target.id == me.id:
        return Reply(texts.DEACTIVATE_SELF, edit=True)
    return target


@router.button(Deactivate, Audience.COORDINATOR)
async def confirm_deactivation(request: Request, data: Deactivate) -> Reply:
    target = await _target(request, data.contact_id)
    if isinstance(target, Reply):
        return target
    scope = texts.COORDINATION if target.role is Role.COORDINATOR else office_names(target)
    return Reply(
        texts.fill(texts.DEACTIVATE_CONFIRM, name=target.display_name, offices=scope),
        [
            [
                (texts.DEACTIVATE_YES, DeactivateConfirmed(target.id)),
                (texts.DEACTIVATE_NO, DeactivateCancelled()),
            ]
        ],
        edit=True,
    )


@router.button(DeactivateConfirmed, Audience.COORDINATOR)
async def deactivate_contact(request: Request, data: DeactivateConfirmed) -> Reply:
    target = await _target(request, data.contact_id)
    if isinstance(target, Reply):
        return target
    await deactivate(request.session, target, now=request.now)
    return Reply(texts.fill(texts.DEACTIVATE_DONE, name=target.display_name), edit=True)


@router.button(DeactivateCancelled, Audience.COORDINATOR)
async def cancel_deactivation(_request: Request, _data: DeactivateCancelled) -> Reply:
    return Reply(texts.DEACTIVATE_CANCELLED, edit=True)
