"""The access rule: who may use what where, and what the refusal says."""

from __future__ import annotations

import pytest

from bot.render import texts
from conversations.access import Audience, Decision, Place, Rule, decide
from conversations.commands import COMMANDS, commands_for
from storage.models import Contact, Office, Role


def person(role: Role = Role.CONTACT, *, active: bool = True, offices: int = 1) -> Contact:
    contact = Contact(display_name="X", role=role, active=active)
    contact.offices = [Office(name=f"Amt {n}", position=n) for n in range(offices)]
    return contact


COORDINATOR = person(Role.COORDINATOR, offices=0)
CONTACT = person()
GONE = person(active=False)


@pytest.mark.parametrize(
    ("rule", "who", "place", "expected"),
    [
        (Rule(Audience.EVERYONE), None, Place.PRIVATE, Decision(True)),
        (Rule(Audience.MEMBER), None, Place.PRIVATE, Decision(False, texts.STRANGER)),
        (Rule(Audience.MEMBER), GONE, Place.PRIVATE, Decision(False, texts.DEACTIVATED)),
        (Rule(Audience.COORDINATOR), CONTACT, Place.PRIVATE, Decision(False, texts.COORDINATORS_ONLY)),
        (Rule(Audience.COORDINATOR), COORDINATOR, Place.PRIVATE, Decision(True)),
        (Rule(Audience.REPORTER), CONTACT, Place.PRIVATE, Decision(True)),
        (Rule(Audience.REPORTER), COORDINATOR, Place.PRIVATE, Decision(True)),  # for any office
        (Rule(Audience.REPORTER), person(Role.COORDINATOR), Place.PRIVATE, Decision(True)),
        # the coordination group: coordinators only, and only what is meant for the group
        (Rule(Audience.EVERYONE, in_group=True), None, Place.COORDINATION, Decision(False)),
        (Rule(Audience.MEMBER, in_group=True), CONTACT, Place.COORDINATION, Decision(False)),
        (Rule(Audience.MEMBER, in_group=True), COORDINATOR, Place.COORDINATION, Decision(True)),
        (Rule(Audience.COORDINATOR), COORDINATOR, Place.COORDINATION, Decision(False, texts.PRIVATE_ONLY)),
        # any other group: silence for everyone
        (Rule(Audience.EVERYONE, in_group=True), COORDINATOR, Place.OTHER, Decision(False)),
    ],
)  # fmt: skip
def test_decide(rule: Rule, who: Contact | None, place: Place, expected: Decision) -> None:
    assert decide(rule, who, place) == expected


def names(contact: Contact | None, place: Place) -> set[str]:
    return {command.name for command in commands_for(contact, place)}


def test_help_lists_what_works_in_that_chat() -> None:
    private_coordinator = names(COORDINATOR, Place.PRIVATE)
    assert {"einladen", "runde", "export", "status"} <= private_coordinator
    # a coordinator enters reports for offices (e.g. an answer that came by e-mail)
    assert {"bericht", "zurueck", "abbrechen"} <= private_coordinator
    group = names(COORDINATOR, Place.COORDINATION)
    assert group == {c.name for c in COMMANDS if c.in_group}
    assert not {"einladen", "bericht", "deaktivieren", "abmelden"} & group
    contact = names(CONTACT, Place.PRIVATE)
    assert {"bericht", "zurueck", "abbrechen", "status", "abmelden"} <= contact
    assert not {"einladen", "runde", "export"} & contact
    # a coordinator who also reports for an office can report
    assert "bericht" in names(person(Role.COORDINATOR), Place.PRIVATE)
    assert names(CONTACT, Place.COORDINATION) == set()


def test_a_stranger_is_told_what_the_caller_configured() -> None:
    told = "Bitte wenden Sie sich an das Amt für Vielfalt."
    assert decide(Rule(Audience.MEMBER), None, Place.PRIVATE, stranger=told) == Decision(
        False, told
    )
    assert decide(Rule(Audience.MEMBER), GONE, Place.PRIVATE, stranger=told) == Decision(
        False, texts.DEACTIVATED
    )
