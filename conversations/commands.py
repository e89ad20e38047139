"""The bot's commands in one list: who may use them, where, and how the menu describes them."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.access import Audience, Place, Rule, decide
from storage.models import Contact


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    audience: Audience
    in_group: bool = False  # usable in the coordination group as well
    aliases: tuple[str, ...] = ()
    in_menu: bool = True

    @property
    def rule(self) -> Rule:
        return Rule(self.audience, self.in_group)


COMMANDS: tuple[Command, ...] = (
    Command("start", "Begrüßung; Einladungslink einlösen", Audience.EVERYONE),
    Command(
        "hilfe", "Was Sie hier tun können", Audience.EVERYONE, in_group=True, aliases=("help",)
    ),
    Command("bericht", "Bericht beginnen oder fortsetzen", Audience.REPORTER, aliases=("report",)),
    Command("zurueck", "Zur vorigen Frage", Audience.REPORTER),
    Command("abbrechen", "Bericht pausieren (alles bleibt gespeichert)", Audience.REPORTER),
    Command(
        "runde",
        "Berichtsrunde: Stand, Frist, schließen, öffnen",
        Audience.COORDINATOR,
        in_group=True,
    ),
    Command(
        "status",
        "Stand: Übersicht, Handlungsfeld, Code, Amt oder Stichwort",
        Audience.MEMBER,
        in_group=True,
    ),
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
    Command("bitten", "Offene Bitten um Unterstützung", Audience.COORDINATOR, in_group=True),
    Command("kontakte", "Ansprechpersonen je Amt", Audience.COORDINATOR, in_group=True),
    Command("einladen", "Person einladen", Audience.COORDINATOR),
    Command("deaktivieren", "Zugang einer Person sperren", Audience.COORDINATOR),
    Command("datenschutz", "Was gespeichert wird und warum", Audience.EVERYONE),
    Command("abwesend", "Abwesenheit eintragen: keine Erinnerungen bis dahin", Audience.REPORTER),
    Command("abmelden", "Eigenes Konto löschen", Audience.MEMBER),
)

BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}


def commands_for(contact: Contact | None, place: Place) -> list[Command]:
    """The commands this person may use in this chat, for /hilfe."""
    return [c for c in COMMANDS if c.in_menu and decide(c.rule, contact, place).allowed]


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
