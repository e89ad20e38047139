"""Greeting, invitations redeemed with /start, help, data protection and signing off."""

from __future__ import annotations

import logging
import re

from bot.render import texts
from conversations.access import Audience, Place
from conversations.commands import commands_for
from conversations.framework import Reply, Request, Router, coordination_chats, stranger_text
from conversations.payloads import SignOffConfirmed, SignOffKept
from conversations.reporting import what_is_due
from storage.catalogue_read import catalogue_city
from storage.models import Contact, Role
from storage.people import (
    ATTEMPT_LIMIT,
    Redemption,
    attempts_exhausted,
    record_failed_attempt,
    redeem_invitation,
    remove_account,
)

log = logging.getLogger(__name__)
router = Router()

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
REFUSALS = {
    Redemption.UNKNOWN: texts.INVITATION_UNKNOWN,
    Redemption.USED: texts.INVITATION_USED,
    Redemption.EXPIRED: texts.INVITATION_EXPIRED,
}


def office_names(contact: Contact) -> str:
    return texts.join_names([office.name for office in contact.offices]) or texts.NO_OFFICE


def help_text(contact: Contact | None, place: Place = Place.PRIVATE) -> str:
    """What this person can do in this chat, by the access rule (so it never goes stale)."""
    if contact is None or not contact.active:
        return texts.HELP_STRANGER
    lines = [texts.HELP_HEADER]
    lines += [
        texts.fill(texts.HELP_LINE, command=c.name, description=c.description)
        for c in commands_for(contact, place)
    ]
    return "\n".join(lines)


def role_line(contact: Contact) -> str:
    if contact.role is Role.COORDINATOR:
        return texts.ROLE_COORDINATOR
    return texts.fill(texts.ROLE_CONTACT, offices=office_names(contact))


@router.command("start")
async def start(request: Request) -> Reply | list[Reply]:
    if request.args:
        return await _redeem(request, request.args[0])
    contact = request.contact
    if contact is None:
        about = texts.about(await catalogue_city(request.session))
        return Reply(f"{about}\n\n{stranger_text(request.services.settings)}")
    if not contact.active:
        return Reply(texts.DEACTIVATED)
    greeting = texts.fill(texts.GREETING, name=contact.display_name)
    return Reply(f"{greeting} {role_line(contact)}\n\n{help_text(contact)}")


async def _redeem(request: Request, token: str) -> Reply | list[Reply]:
    if await attempts_exhausted(request.session, request.user_id, request.now):
        return Reply(texts.INVITATION_ATTEMPTS_EXHAUSTED)  # the token is not even looked at
    if not TOKEN_SHAPE.match(token):
        return await _refused(request, texts.INVITATION_UNKNOWN)
    result = await redeem_invitation(
        request.session,
        token,
        telegram_user_id=request.user_id,
        display_name=request.display_name,
        now=request.now,
    )
    if result.contact is None:
        return await _refused(request, REFUSALS[result.outcome])
    contact = result.contact
    if result.office is not None:
        welcome = texts.fill(
            texts.WELCOME_CONTACT, name=contact.display_name, offices=office_names(contact)
        )
        joined = texts.fill(
            texts.INVITATION_USED_CONTACT, name=contact.display_name, office=result.office.name
        )
    else:
        welcome = texts.fill(texts.WELCOME_COORDINATOR, name=contact.display_name)
        joined = texts.fill(texts.INVITATION_USED_COORDINATOR, name=contact.display_name)
    replies = [Reply(f"{welcome}\n\n{help_text(contact)}")]
    due = await what_is_due(request.session, contact, request.today)
    if due is not None:
        replies.append(due)  # a round is running: what is due, and "Jetzt berichten"
    inviter = result.invited_by
    if inviter is not None and inviter.telegram_user_id is not None and inviter.id != contact.id:
        replies.append(Reply(joined, chat_id=inviter.telegram_user_id))
    return replies


async def _refused(request: Request, refusal: str) -> list[Reply]:
    """Refuse an invitation and count the failure; the one that exhausts the person's
    attempts is reported to the coordination (once a day), by name and Telegram id."""
    replies = [Reply(refusal)]
    if not await record_failed_attempt(request.session, request.user_id, request.now):
        return replies
    log.warning(
        "%s ungültige Einladungslinks innerhalb einer Stunde von Telegram-ID %s; weitere "
        "Versuche werden eine Stunde lang abgelehnt",
        ATTEMPT_LIMIT,
        request.user_id,
    )
    notice = texts.fill(
        texts.INVITATION_ATTEMPTS_NOTICE,
        name=request.display_name,
        user_id=request.user_id,
        count=ATTEMPT_LIMIT,
    )
    for chat_id in await coordination_chats(request.session, request.services):
        replies.append(Reply(notice, chat_id=chat_id))
    return replies


@router.command("hilfe")
async def show_help(request: Request) -> Reply:
    return Reply(help_text(request.active_contact, request.place))


@router.command("datenschutz")
async def privacy(request: Request) -> Reply:
    settings = request.services.settings
    controller = settings.privacy_controller or texts.privacy_controller(
        await catalogue_city(request.session), settings.coordination_office
    )
    return Reply(
        texts.privacy(
            controller=controller,
            purpose=settings.privacy_purpose,
            legal_basis=settings.privacy_legal_basis,
            retention=settings.privacy_retention,
            authority=settings.privacy_authority,
            officer=settings.privacy_contact,
        )
    )


@router.command("abmelden")
async def sign_off(_request: Request) -> Reply:
    return Reply(
        texts.SIGN_OFF_CONFIRM,
        [
            [
                (texts.SIGN_OFF_YES, SignOffConfirmed()),
                (texts.SIGN_OFF_NO, SignOffKept()),
            ]
        ],
    )


@router.button(SignOffConfirmed, Audience.MEMBER)
async def sign_off_confirmed(request: Request, _data: SignOffConfirmed) -> Reply:
    contact = request.active_contact
    assert contact is not None  # the router checked the audience
    await remove_account(request.session, contact)
    return Reply(texts.SIGN_OFF_DONE, edit=True)


@router.button(SignOffKept, Audience.MEMBER)
async def sign_off_kept(_request: Request, _data: SignOffKept) -> Reply:
    return Reply(texts.SIGN_OFF_KEPT, edit=True)
