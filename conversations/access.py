"""Who may do what where: the one rule that commands, buttons, messages and /hilfe follow.

Each command, button and message handler declares a :class:`Rule` (its audience and
whether it may be used in the coordination group); :func:`decide` says, for a person in
a chat, whether it may be used, and if not, whether the bot answers with a refusal or
stays silent. The router asks it before every handler; /hilfe asks it for every command,
so the help lists exactly what works in that chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import Chat
from telegram.constants import ChatType

from bot.render import texts
from storage.models import Contact, Role


class Place(StrEnum):
    """Where a message comes from, as far as access is concerned."""

    PRIVATE = "private"
    COORDINATION = "coordination"  # the group of COORDINATION_CHAT_ID
    OTHER = "other"  # foreign groups and channels: the bot stays silent


def place_of(chat: Chat, coordination_chat_id: int | None) -> Place:
    if chat.type == ChatType.PRIVATE:
        return Place.PRIVATE
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP) and chat.id == coordination_chat_id:
        return Place.COORDINATION
    return Place.OTHER


class Audience(StrEnum):
    EVERYONE = "everyone"  # strangers too
    MEMBER = "member"  # any active contact or coordinator
    REPORTER = "reporter"  # reports for an office: a contact of one, or a coordinator
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Rule:
    audience: Audience
    in_group: bool = False  # usable in the coordination group as well as in private


@dataclass(frozen=True)
class Decision:
    allowed: bool
    refusal: str | None = None  # what to answer when not allowed; None: say nothing

    @property
    def silent(self) -> bool:
        return not self.allowed and self.refusal is None


ALLOWED = Decision(True)
SILENT = Decision(False)


def _refused(text: str) -> Decision:
    return Decision(False, text)


def decide(
    rule: Rule, contact: Contact | None, place: Place, *, stranger: str = texts.STRANGER
) -> Decision:
    """Whether ``contact`` (None: a stranger) may use something with ``rule`` in ``place``;
    ``stranger`` is what a stranger is told (where to get an invitation)."""
    active = contact is not None and contact.active
    coordinator = active and contact is not None and contact.role is Role.COORDINATOR
    if place is Place.OTHER:
        return SILENT
    if place is Place.COORDINATION:
        # In the coordination group the bot answers its coordinators only.
        if not coordinator:
            return SILENT
        if not rule.in_group:
            return _refused(texts.PRIVATE_ONLY)
    if rule.audience is Audience.EVERYONE:
        return ALLOWED
    if contact is None:
        return _refused(stranger)
    if not contact.active:
        return _refused(texts.DEACTIVATED)
    if rule.audience is Audience.COORDINATOR and not coordinator:
        return _refused(texts.COORDINATORS_ONLY)
    if rule.audience is Audience.REPORTER and not contact.offices and not coordinator:
        return _refused(texts.NO_OFFICE_FOR_REPORT)  # coordinators report for any office
    return ALLOWED
