"""The bot's commands in one list: who may use them, where, and how the menu describes them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.models import Contact, Role


class Audience(StrEnum):
    EVERYONE = "everyone"  # strangers too
    MEMBER = "member"  # any active contact or coordinator
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    audience: Audience
    in_group: bool = False  # usable in the coordination group as well
    aliases: tuple[str, ...] = ()
    in_menu: bool = True


COMMANDS: tuple[Command, ...] = (
    Command("start", "Begrüßung; Einladungslink einlösen", Audience.EVERYONE),
    Command(
        "hilfe", "Was Sie hier tun können", Audience.EVERYONE, in_group=True, aliases=("help",)
    ),
    Command("bericht", "Bericht beginnen oder fortsetzen", Audience.MEMBER, aliases=("report",)),
    Command("zurueck", "Zur vorigen Frage", Audience.MEMBER),
    Command("abbrechen", "Bericht pausieren (alles bleibt gespeichert)", Audience.MEMBER),
    Command("runde", "Berichtsrunde öffnen", Audience.COORDINATOR, in_group=True),
    Command("status", "Stand: Übersicht, Handlungsfeld oder Code", Audience.MEMBER, in_group=True),
    Command(
        "offen", "Wer in dieser Runde noch berichten muss", Audience.COORDINATOR, in_group=True
    ),
    Command("verlauf", "Verlauf einer Maßnahme über die Runden", Audience.MEMBER, in_group=True),
    Command(
        "export", "Excel-Datei (oder CSV) für den Stadtrat", Audience.COORDINATOR, in_group=True
    ),
    Command(
        "zusammenfassung", "Aktuelle Wochenzusammenfassung", Audience.COORDINATOR, in_group=True
    ),
    Command("kontakte", "Ansprechpersonen je Amt", Audience.COORDINATOR, in_group=True),
    Command("einladen", "Person einladen", Audience.COORDINATOR),
    Command("deaktivieren", "Zugang einer Person sperren", Audience.COORDINATOR),
    Command("datenschutz", "Was gespeichert wird und warum", Audience.EVERYONE),
    Command("abmelden", "Eigenes Konto löschen", Audience.MEMBER),
)

BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}


def may_use(command: Command, contact: Contact | None) -> bool:
    if command.audience is Audience.EVERYONE:
        return True
    if contact is None or not contact.active:
        return False
    return command.audience is Audience.MEMBER or contact.role is Role.COORDINATOR


def commands_for(contact: Contact | None) -> list[Command]:
    """The commands this person may use in a private chat, for /hilfe."""
    return [c for c in COMMANDS if c.in_menu and may_use(c, contact)]


def private_menu() -> list[tuple[str, str]]:
    """The command menu of private chats (Telegram shows one list to everyone)."""
    return [
        (c.name, c.description + (" (Koordination)" if c.audience is Audience.COORDINATOR else ""))
        for c in COMMANDS
        if c.in_menu
    ]


def group_menu() -> list[tuple[str, str]]:
    """The command menu of the coordination group."""
    return [(c.name, c.description) for c in COMMANDS if c.in_menu and c.in_group]
