"""People: contacts, their roles and offices, and single-use invitations.

Guessing an invitation link is slowed down per Telegram user: after
:data:`ATTEMPT_LIMIT` failed attempts within :data:`ATTEMPT_WINDOW` further attempts are
refused without looking at the token (see :func:`attempts_exhausted`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Contact, Invitation, InvitationAttempt, Office, Role

# A token is the payload of an invitation link, which may hold up to 64 characters of
# A-Z, a-z, 0-9, "_" and "-"; token_urlsafe gives exactly those.
TOKEN_BYTES = 24  # 192 random bits in 32 URL-safe characters

ATTEMPT_LIMIT = 5  # failed attempts per Telegram user ...
ATTEMPT_WINDOW = timedelta(hours=1)  # ... within this time; then further ones are refused
ATTEMPTS_KEPT = timedelta(days=1)  # rows kept; also: the coordination hears once a day
FAILED = "failed"  # an attempt whose token was checked and refused
TOLD = "told"  # the coordination was told about this person's attempts


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class OfficeLookup(StrEnum):
    FOUND = "found"
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"


async def active_offices(session: AsyncSession) -> list[Office]:
    result = await session.scalars(
        select(Office).where(Office.retired.is_(False)).order_by(Office.position)
    )
    return list(result)


async def find_office(session: AsyncSession, name: str) -> tuple[OfficeLookup, list[Office]]:
    """An office by exact name, by name in any case, or by a unique beginning of its name."""
    offices = await active_offices(session)
    wanted = name.strip().casefold()
    for matches in (
        [o for o in offices if o.name == name.strip()],
        [o for o in offices if o.name.casefold() == wanted],
        [o for o in offices if o.name.casefold().startswith(wanted)] if wanted else [],
        [o for o in offices if wanted in o.name.casefold()] if wanted else [],
    ):
        if len(matches) == 1:
            return OfficeLookup.FOUND, matches
        if len(matches) > 1:
            return OfficeLookup.AMBIGUOUS, matches
    return OfficeLookup.UNKNOWN, offices


async def create_invitation(
    session: AsyncSession,
    *,
    role: Role,
    office: Office | None,
    now: datetime,
    valid_for: timedelta,
    created_by: Contact | None = None,
) -> str:
    """Store a new invitation and return its token (only the hash is stored)."""
    if (role is Role.CONTACT) != (office is not None):
        raise ValueError("a contact invitation names exactly one office; a coordinator's none")
    token = new_token()
    session.add(
        Invitation(
            token_hash=hash_token(token),
            role=role,
            office_id=office.id if office else None,
            created_by_id=created_by.id if created_by else None,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    await session.flush()
    return token


class Redemption(StrEnum):
    ACCEPTED = "accepted"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class RedeemResult:
    outcome: Redemption
    contact: Contact | None = None
    office: Office | None = None
    invited_by: Contact | None = None  # who created the invitation, if still active


async def redeem_invitation(
    session: AsyncSession,
    token: str,
    *,
    telegram_user_id: int,
    display_name: str,
    now: datetime,
) -> RedeemResult:
    """Bind the Telegram account to the invitation's role and office; single use.

    A person who already has an account keeps it and gains the office (one person can
    serve several offices) or the coordinator role; a deactivated account is reactivated.
    """
    invitation = await session.scalar(
        select(Invitation)
        .where(Invitation.token_hash == hash_token(token))
        .options(selectinload(Invitation.office))
        .with_for_update()
    )
    if invitation is None:
        return RedeemResult(Redemption.UNKNOWN)
    if invitation.used_at is not None:
        return RedeemResult(Redemption.USED)
    if invitation.expires_at <= now:
        return RedeemResult(Redemption.EXPIRED)

    contact = await contact_by_telegram_id(session, telegram_user_id, include_inactive=True)
    if contact is None:
        contact = Contact(
            telegram_user_id=telegram_user_id,
            display_name=display_name,
            role=invitation.role,
            created_at=now,
            offices=[],
        )
        session.add(contact)
    else:
        contact.display_name = display_name
        if not contact.active:
            contact.active = True
            contact.deactivated_at = None
        if invitation.role is Role.COORDINATOR:
            contact.role = Role.COORDINATOR
    if invitation.office is not None and invitation.office not in contact.offices:
        contact.offices.append(invitation.office)
    await session.flush()
    invitation.used_at = now
    invitation.used_by_id = contact.id
    await clear_failed_attempts(session, telegram_user_id)
    await session.flush()
    inviter = None
    if invitation.created_by_id is not None:
        inviter = await contact_by_id(session, invitation.created_by_id)
    return RedeemResult(
        Redemption.ACCEPTED,
        contact,
        invitation.office,
        inviter if inviter is not None and inviter.active else None,
    )


async def _attempts_since(
    session: AsyncSession, telegram_user_id: int, kind: str, since: datetime
) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(InvitationAttempt)
        .where(
            InvitationAttempt.telegram_user_id == telegram_user_id,
            InvitationAttempt.kind == kind,
            InvitationAttempt.attempted_at > since,
        )
    )
    return count or 0


async def attempts_exhausted(session: AsyncSession, telegram_user_id: int, now: datetime) -> bool:
    """Whether this person failed :data:`ATTEMPT_LIMIT` times within the last hour.

    Then further attempts are refused without checking the token; refused attempts are not
    counted, so the limit lifts an hour after the failures that reached it.
    """
    failed = await _attempts_since(session, telegram_user_id, FAILED, now - ATTEMPT_WINDOW)
    return failed >= ATTEMPT_LIMIT


async def record_failed_attempt(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> bool:
    """Count a failed attempt (a token unknown, used, expired or malformed).

    Returns True if it exhausts the person's attempts and the coordination has not been
    told about them within a day: tell it now (that is recorded as well). Rows older than
    a day, of anyone, are deleted on the way, so the table only ever holds recent ones.
    """
    await session.execute(
        delete(InvitationAttempt)
        .where(InvitationAttempt.attempted_at <= now - ATTEMPTS_KEPT)
        .execution_options(synchronize_session=False)
    )
    session.add(InvitationAttempt(telegram_user_id=telegram_user_id, kind=FAILED, attempted_at=now))
    await session.flush()
    if not await attempts_exhausted(session, telegram_user_id, now):
        return False
    if await _attempts_since(session, telegram_user_id, TOLD, now - ATTEMPTS_KEPT):
        return False
    session.add(InvitationAttempt(telegram_user_id=telegram_user_id, kind=TOLD, attempted_at=now))
    await session.flush()
    return True


async def clear_failed_attempts(session: AsyncSession, telegram_user_id: int) -> None:
    """Forget the person's failed attempts (after a redeemed invitation)."""
    await session.execute(
        delete(InvitationAttempt)
        .where(
            InvitationAttempt.telegram_user_id == telegram_user_id,
            InvitationAttempt.kind == FAILED,
        )
        .execution_options(synchronize_session=False)
    )


async def contact_by_telegram_id(
    session: AsyncSession, telegram_user_id: int, *, include_inactive: bool = False
) -> Contact | None:
    query = (
        select(Contact)
        .where(Contact.telegram_user_id == telegram_user_id)
        .options(selectinload(Contact.offices))
    )
    if not include_inactive:
        query = query.where(Contact.active.is_(True))
    return await session.scalar(query)


async def contact_by_id(session: AsyncSession, contact_id: int) -> Contact | None:
    return await session.scalar(
        select(Contact).where(Contact.id == contact_id).options(selectinload(Contact.offices))
    )


async def active_contacts(session: AsyncSession) -> list[Contact]:
    result = await session.scalars(
        select(Contact)
        .where(Contact.active.is_(True))
        .options(selectinload(Contact.offices))
        .order_by(func.lower(Contact.display_name), Contact.id)
    )
    return list(result)


async def reachable_contacts(session: AsyncSession) -> list[Contact]:
    """The active contacts the bot can write to: with a chat, not marked unreachable."""
    return [
        contact
        for contact in await active_contacts(session)
        if contact.telegram_user_id is not None and contact.unreachable_since is None
    ]


async def active_coordinators(session: AsyncSession) -> list[Contact]:
    return [c for c in await active_contacts(session) if c.role is Role.COORDINATOR]


@dataclass(frozen=True)
class OfficeRoster:
    office: Office
    contacts: list[Contact]


async def roster(session: AsyncSession) -> list[OfficeRoster]:
    """Every active office with its active contacts (possibly none), in catalogue order."""
    contacts = await active_contacts(session)
    return [
        OfficeRoster(office, [c for c in contacts if office in c.offices])
        for office in await active_offices(session)
    ]


async def deactivate(session: AsyncSession, contact: Contact, *, now: datetime) -> None:
    contact.active = False
    contact.deactivated_at = now
    await session.flush()


async def remove_account(session: AsyncSession, contact: Contact) -> None:
    """Delete the person's account. Their reports stay, attributed to their office."""
    await session.delete(contact)  # its office links go with it
    await session.flush()


async def add_contact(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    display_name: str,
    role: Role,
    offices: list[Office] | None = None,
    now: datetime,
) -> Contact:
    """Create an account directly (demo data and tests; people normally come by invitation)."""
    contact = Contact(
        telegram_user_id=telegram_user_id,
        display_name=display_name,
        role=role,
        offices=list(offices or []),
        created_at=now,
    )
    session.add(contact)
    await session.flush()
    return contact


async def mark_unreachable(session: AsyncSession, telegram_user_id: int, now: datetime) -> None:
    contact = await contact_by_telegram_id(session, telegram_user_id)
    if contact is not None and contact.unreachable_since is None:
        contact.unreachable_since = now
