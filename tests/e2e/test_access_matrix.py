"""Who may do what where (issue 14): every command for every role in every kind of chat,
every kind of button pressed by someone it was not sent to, and no data for anyone who
may not see it.

The expectations are written out in two tables, :data:`EXPECTED` (commands) and
:data:`BUTTONS` (buttons); the tests iterate the registries (``conversations.commands``,
the payload classes of ``conversations.payloads``), so a new command or a new kind of
button fails here until it has its row. Outcomes are told apart by what the bot sends,
compared with the texts of ``bot.render.texts``.

To stay fast, the updates of a table are sent in batches: the bot handles updates one
after the other, and a handler registered after its own handlers notes how many Bot API
calls were made when an update was done, so each cell gets exactly the calls it caused.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import TypeHandler

import bot.runtime
from bot.rate_limit import PeopleFirstRateLimiter
from bot.render import texts
from bot.standin import FakeChat, FakeUser, SentMessage
from conversations.commands import COMMANDS
from conversations.payloads import (
    AbsentUntil,
    AnswerChoice,
    ChangeAnswer,
    Deactivate,
    DeactivateCancelled,
    DeactivateConfirmed,
    EvidenceFile,
    InviteCoordinator,
    InviteOffice,
    NextItem,
    Pause,
    Payload,
    RemindOutstanding,
    ReportFor,
    ReportNow,
    Review,
    RoundAction,
    RoundConfirmed,
    ShowChart,
    ShowField,
    ShowMeasure,
    SignOffConfirmed,
    SignOffKept,
    Snooze,
    StartItem,
    SupportResolve,
    SupportShow,
    SupportTake,
    decode,
)
from seed.schema import Catalogue
from storage.models import Base, Obstacle, Status
from storage.people import contact_by_telegram_id, deactivate
from tests.e2e.conftest import Said, World, store_report
from tests.e2e.test_reporting import add_person
from tests.e2e.test_status import send_evidence


class Who(StrEnum):
    STRANGER = "stranger"
    DEACTIVATED = "deactivated contact"
    ONE_OFFICE = "contact of one office"
    TWO_OFFICES = "contact of two offices"
    COORDINATOR = "coordinator"


class Where(StrEnum):
    PRIVATE = "private chat"
    GROUP = "coordination group"
    FOREIGN = "foreign group"


class Outcome(StrEnum):
    """What the bot does, told apart by what it sends (the first message decides)."""

    ANSWERED = "answered"  # the command (the button) does its thing: none of the texts below
    IGNORED = "ignored"  # nothing sent, anywhere
    PRIVATE_ONLY = "pointed to the private chat"  # texts.PRIVATE_ONLY
    COORDINATORS_ONLY = "coordinators only"  # texts.COORDINATORS_ONLY
    NOT_ADMITTED = "not admitted"  # texts.STRANGER
    DEACTIVATED = "deactivated"  # texts.DEACTIVATED
    INVALID_LINK = "invalid invitation link"  # texts.INVITATION_UNKNOWN
    STALE_BUTTON = "stale button"  # texts.STALE_BUTTON
    STALE_QUESTION = "stale question"  # texts.STALE_QUESTION (then the presser's own question)
    # never expected:
    NO_OFFICE = "no office"  # texts.NO_OFFICE_FOR_REPORT
    UNKNOWN_COMMAND = "unknown command"  # texts.UNKNOWN_COMMAND
    CRASHED = "crashed"  # texts.ERROR or the error notice
    ELSEWHERE = "sent to another chat"
    MORE = "a refusal and more"


OK = Outcome.ANSWERED
__ = Outcome.IGNORED  # silence
PO = Outcome.PRIVATE_ONLY
CO = Outcome.COORDINATORS_ONLY
ST = Outcome.NOT_ADMITTED
DE = Outcome.DEACTIVATED
IL = Outcome.INVALID_LINK
SB = Outcome.STALE_BUTTON
SQ = Outcome.STALE_QUESTION
NA = None  # not a case: see the button table

REFUSALS: dict[str, Outcome] = {
    texts.PRIVATE_ONLY: PO,
    texts.COORDINATORS_ONLY: CO,
    texts.DEACTIVATED: DE,
    texts.INVITATION_UNKNOWN: IL,
    texts.STALE_BUTTON: SB,
    texts.STALE_QUESTION: SQ,
    texts.NO_OFFICE_FOR_REPORT: Outcome.NO_OFFICE,
    texts.UNKNOWN_COMMAND: Outcome.UNKNOWN_COMMAND,
}

# --- the command table ---------------------------------------------------------------------
#
# One row per command of conversations.commands.COMMANDS as sent without and with words
# after it (the key is the text sent; an alias is sent with the same words and expects its
# command's row). Columns: the five roles in a private chat, in the coordination group and
# in a foreign group. S stranger · D deactivated contact · K1 contact of one office ·
# K2 contact of two offices · C coordinator. A running round, submitted reports, a support
# request and an evidence file exist; nobody has a draft open.
#
# OK answered · __ ignored (nothing sent) · PO pointed to the private chat · CO coordinators
# only · ST not admitted (stranger) · DE deactivated · IL invalid invitation link

COLUMNS: tuple[tuple[Where, Who], ...] = tuple((where, who) for where in Where for who in Who)

# fmt: off
#                                private chat          coordination group    foreign group
#                                S   D   K1  K2  C     S   D   K1  K2  C     S   D   K1  K2  C
EXPECTED: dict[str, tuple[Outcome, ...]] = {
    "/start":                   (OK, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/start Qx7-Fake_Token":    (IL, IL, IL, IL, IL,   __, __, __, __, PO,   __, __, __, __, __),
    "/hilfe":                   (OK, OK, OK, OK, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/hilfe Wohnen":            (OK, OK, OK, OK, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/bericht":                 (ST, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/bericht Wohnen":          (ST, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/zurueck":                 (ST, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/zurueck Wohnen":          (ST, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/abbrechen":               (ST, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/abbrechen Wohnen":        (ST, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/runde":                   (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/runde Wohnen":            (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/status":                  (ST, DE, OK, OK, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/status Wohnen":           (ST, DE, OK, OK, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/offen":                   (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/offen Wohnen":            (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/verlauf":                 (ST, DE, OK, OK, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/verlauf III.1.1":         (ST, DE, OK, OK, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/export":                  (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/export csv":              (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/zusammenfassung":         (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/zusammenfassung Wohnen":  (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/bitten":                  (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/bitten Wohnen":           (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/kontakte":                (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/kontakte Wohnen":         (ST, DE, CO, CO, OK,   __, __, __, __, OK,   __, __, __, __, __),
    "/einladen":                (ST, DE, CO, CO, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/einladen Wohnen":         (ST, DE, CO, CO, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/deaktivieren":            (ST, DE, CO, CO, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/deaktivieren Wohnen":     (ST, DE, CO, CO, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/datenschutz":             (OK, OK, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/datenschutz Wohnen":      (OK, OK, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/abwesend":                (ST, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/abwesend Wohnen":         (ST, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/abmelden":                (ST, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
    "/abmelden Wohnen":         (ST, DE, OK, OK, OK,   __, __, __, __, PO,   __, __, __, __, __),
}
# fmt: on


class Owner(StrEnum):
    CONTACT = "contact"  # sent to Karl, a contact of one office, in his private chat
    COORDINATOR = "coordinator"  # sent to Clara, a coordinator, in her private chat


class Presser(StrEnum):
    """Who presses a button that was sent to someone else, and where."""

    STRANGER = "a stranger"  # in his private chat
    DEACTIVATED = "a deactivated contact"  # in her private chat
    # in their private chat: Wanda (two offices) a contact's button, Karl a coordinator's
    OTHER = "another person"
    OTHER_IN_GROUP = "that person in the group"
    COORDINATOR_IN_GROUP = "a coordinator in the group"  # Clara


# --- the button table ----------------------------------------------------------------------
#
# Every kind of button the bot sends (one class of conversations.payloads each), as the bot
# sent it to its owner, pressed by someone else: the data is pressed on the presser's own
# latest message (a changed client can send any data; Telegram only shows a private chat's
# buttons to its owner, and a group's buttons to the group).
#
# ST, DE, CO, PO, __ as above · SB stale button · SQ stale question (a button naming the
# owner's draft, measure or a field of theirs) · OK done for the presser, as their own copy
# of the button would do: the button names nobody (signing off, reporting, snoozing, being
# absent: the presser's own), or shows what the presser may see anyway (a coordinator sees
# every measure, the group is the coordination's); only the presser's own rows may change ·
# NA not a case: a coordinator's buttons belong to the coordination, any coordinator may
# press them in the group. Every other press must change nothing at all.

# fmt: off
#                                             stranger  deactivated  other  other in group  coordinator in group
BUTTONS: dict[type[Payload], tuple[Owner, Outcome, Outcome, Outcome, Outcome, Outcome | None]] = {
    ReportNow:           (Owner.CONTACT,      ST,       DE,          OK,    __,             PO),
    Snooze:              (Owner.CONTACT,      ST,       DE,          OK,    __,             PO),
    NextItem:            (Owner.CONTACT,      ST,       DE,          OK,    __,             PO),
    StartItem:           (Owner.CONTACT,      ST,       DE,          SQ,    __,             PO),
    AnswerChoice:        (Owner.CONTACT,      ST,       DE,          SQ,    __,             PO),
    Review:              (Owner.CONTACT,      ST,       DE,          SQ,    __,             PO),
    ChangeAnswer:        (Owner.CONTACT,      ST,       DE,          SQ,    __,             PO),
    Pause:               (Owner.CONTACT,      ST,       DE,          OK,    __,             PO),
    AbsentUntil:         (Owner.CONTACT,      ST,       DE,          OK,    __,             PO),
    ShowField:           (Owner.CONTACT,      ST,       DE,          SB,    __,             OK),
    ShowChart:           (Owner.CONTACT,      ST,       DE,          OK,    __,             OK),
    ShowMeasure:         (Owner.CONTACT,      ST,       DE,          SB,    __,             OK),
    SignOffKept:         (Owner.CONTACT,      ST,       DE,          OK,    __,             PO),
    SignOffConfirmed:    (Owner.CONTACT,      ST,       DE,          OK,    __,             PO),
    InviteOffice:        (Owner.COORDINATOR,  ST,       DE,          CO,    __,             PO),
    InviteCoordinator:   (Owner.COORDINATOR,  ST,       DE,          CO,    __,             PO),
    Deactivate:          (Owner.COORDINATOR,  ST,       DE,          CO,    __,             PO),
    DeactivateConfirmed: (Owner.COORDINATOR,  ST,       DE,          CO,    __,             PO),
    DeactivateCancelled: (Owner.COORDINATOR,  ST,       DE,          CO,    __,             PO),
    ReportFor:           (Owner.COORDINATOR,  ST,       DE,          CO,    __,             PO),
    RoundAction:         (Owner.COORDINATOR,  ST,       DE,          CO,    __,             NA),
    RoundConfirmed:      (Owner.COORDINATOR,  ST,       DE,          CO,    __,             NA),
    RemindOutstanding:   (Owner.COORDINATOR,  ST,       DE,          CO,    __,             NA),
    SupportShow:         (Owner.COORDINATOR,  ST,       DE,          CO,    __,             NA),
    SupportTake:         (Owner.COORDINATOR,  ST,       DE,          CO,    __,             NA),
    SupportResolve:      (Owner.COORDINATOR,  ST,       DE,          CO,    __,             NA),
    EvidenceFile:        (Owner.COORDINATOR,  ST,       DE,          CO,    __,             NA),
}
# fmt: on

# Kinds the bot no longer sends, kept so that old buttons in people's chats keep working.
LEGACY: dict[type[Payload], Payload] = {Pause: Pause()}

# --- the people and what they reported -------------------------------------------------------

CLARA, KARL, WANDA, DORA = 501, 601, 611, 621  # Clara and Karl come with the world fixture
NAMES = {
    CLARA: "Clara Koordina",
    KARL: "Karl Kontakt",
    WANDA: "Wanda Wohnen",
    DORA: "Dora Deaktiviert",
}
OFFICES = {
    KARL: ("Flüchtlingskoordination",),
    WANDA: ("Leitstelle Wohnen", "Amt für soziale Leistungen"),  # no measure shared with Karl's
    DORA: ("Frauenbüro",),
}
KARL_NOTE = "Vermerk-K3721 Arbeitspapier im Umlauf"
KARL_SUPPORT = "Bitte-K3722 Termin beim Dezernat"
KARL_FIGURES = "Zahl-K3723 vier Artikel"
KARL_FILE = "Beleg-K3724.pdf"
WANDA_NOTE = "Vermerk-W5531 Ausschreibung vorbereitet"
WANDA_SUPPORT = "Bitte-W5532 Mittel fehlen"
DORA_NOTE = "Vermerk-D7741 Konzept im Entwurf"
# What was reported, and on which measure: who may not see the measure must never read it.
REPORTED = {
    KARL_NOTE: "III.2.1",
    KARL_SUPPORT: "III.2.1",
    KARL_FIGURES: "IV.1.1",
    KARL_FILE: "IV.1.1",
    WANDA_NOTE: "III.1.1",
    WANDA_SUPPORT: "III.1.1",
    DORA_NOTE: "III.3.1",
}


async def populate(world: World) -> None:
    """A running round (opened on 25.11.2026, now it is the 26th) with reports of Karl (a
    contact of one office), Wanda (of two offices) and Dora (deactivated since), an open
    support request of each of Karl and Wanda, and an evidence file of Karl's."""
    await add_person(world, WANDA, NAMES[WANDA], *OFFICES[WANDA])
    await world.open_round()  # Karl and Wanda are told
    await add_person(world, DORA, NAMES[DORA], *OFFICES[DORA])  # after: never told anything
    await store_report(world, DORA, "III.3.1", OFFICES[DORA][0], Said(Status.ON_TRACK, DORA_NOTE))
    async with world.sessions() as session, session.begin():
        dora = await contact_by_telegram_id(session, DORA)
        assert dora is not None
        await deactivate(session, dora, now=world.clock())
    office = OFFICES[KARL][0]
    await store_report(
        world, KARL, "III.2.1", office,
        Said(Status.DELAYED, KARL_NOTE, (Obstacle.STAFF,), support=KARL_SUPPORT),
    )  # fmt: skip
    await send_evidence(world, KARL, "IV.1.1", office, KARL_FILE)
    await store_report(
        world, KARL, "IV.1.1", office,
        Said(Status.ON_TRACK), Said(Status.ACHIEVED), indicator=KARL_FIGURES,
    )  # fmt: skip
    await store_report(
        world, WANDA, "III.1.1", OFFICES[WANDA][0],
        Said(Status.AT_RISK, WANDA_NOTE, (Obstacle.FUNDING,), support=WANDA_SUPPORT),
        Said(Status.ON_TRACK),
    )  # fmt: skip
    world.clock.advance(days=1)  # a day on: reminders by hand reach Karl again


def people(world: World) -> dict[Who, FakeUser]:
    users = world.standin.state.users
    return {
        Who.STRANGER: world.stranger,
        Who.DEACTIVATED: users[DORA],
        Who.ONE_OFFICE: world.contact,
        Who.TWO_OFFICES: users[WANDA],
        Who.COORDINATOR: world.coordinator,
    }


@pytest.fixture(autouse=True)
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of answers in a few seconds: without the bot's own flood limits (20 messages
    a minute into a group), which are not what this test is about."""

    def limiter(**kwargs: Any) -> PeopleFirstRateLimiter:
        return PeopleFirstRateLimiter(overall_max_rate=0, group_max_rate=0, **kwargs)

    monkeypatch.setattr(bot.runtime, "PeopleFirstRateLimiter", limiter)


# --- what the bot sends, per update ----------------------------------------------------------

SENDING = {
    "sendmessage",
    "editmessagetext",
    "editmessagecaption",
    "senddocument",
    "sendphoto",
    "sendvoice",
    "sendmediagroup",
    "copymessage",
    "forwardmessage",
}


_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Sent:
    """One message the bot sent or edited."""

    method: str
    chat_id: int
    text: str  # as sent (HTML); a caption for files

    @property
    def plain(self) -> str:
        return html.unescape(_TAGS.sub("", self.text))


class Recorder:
    """The Bot API calls each update caused, for updates sent in a batch."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.done: list[tuple[int, int]] = []  # (update_id, calls made when it was done)

        async def mark(update: Update, _context: object) -> None:
            self.done.append((update.update_id, len(world.standin.calls)))

        # after the bot's own handlers (group 0), before HandledUpdates counts the update
        world.app.add_handler(TypeHandler(Update, mark), group=500)

    async def run(self, sends: Sequence[Awaitable[int]]) -> list[list[Sent]]:
        """Send each of ``sends`` (stand-in calls giving an update_id) once the bot handled
        the one before (updates of different chats would be handled side by side); what
        each caused, in order."""
        start = len(self.world.standin.calls)
        marked = len(self.done)
        ids = []
        for send in sends:
            ids.append(await send)
            await self.world.handled.wait_for(ids[-1], timeout=120)
        caused: dict[int, list[Sent]] = {}
        before = start
        for update_id, after in self.done[marked:]:
            caused[update_id] = [
                sent
                for call in self.world.standin.calls[before:after]
                if (sent := _sent(call.method, call.params)) is not None
            ]
            before = after
        return [caused[update_id] for update_id in ids]


def _sent(method: str, params: dict[str, Any]) -> Sent | None:
    if method.lower() not in SENDING:
        return None
    text = params.get("text", params.get("caption")) or ""
    return Sent(method, int(params["chat_id"]), str(text))


# A stranger is told where to get an invitation; the place may be configured, so the
# refusal is known by its first sentence.
STRANGER_HEAD = texts.STRANGER.split(".", 1)[0] + "."


def outcome(sent: list[Sent], chat_id: int) -> Outcome:
    error_head = texts.ERROR_NOTICE.split("\n", 1)[0]
    if any(s.text == texts.ERROR or s.text.startswith(error_head) for s in sent):
        return Outcome.CRASHED
    if not sent:
        return Outcome.IGNORED
    if any(s.chat_id != chat_id for s in sent):
        return Outcome.ELSEWHERE
    refusal = REFUSALS.get(sent[0].text)
    if sent[0].text.startswith(STRANGER_HEAD):
        refusal = ST
    if refusal is None:
        return Outcome.ANSWERED
    # a stale question is followed by the presser's own current question
    return refusal if len(sent) == 1 or refusal is SQ else Outcome.MORE


def chat_of(where: Where, world: World) -> FakeChat | None:
    """The chat of that kind (None: the person's private chat)."""
    chats = {Where.GROUP: world.group, Where.FOREIGN: world.foreign_group}
    return chats.get(where)


# --- the commands ----------------------------------------------------------------------------


def rows_of(name: str) -> tuple[str, str]:
    """The table's keys of a command: without and with words after it."""
    bare = f"/{name}"
    with_words = [key for key in EXPECTED if key.startswith(bare + " ")]
    assert bare in EXPECTED, f"/{name} has no row in EXPECTED"
    assert len(with_words) == 1, f"/{name} needs exactly one row with words after it"
    return bare, with_words[0]


def test_the_command_table_covers_the_registry() -> None:
    """Every command has its two rows (an alias uses its command's), and every row a
    command; each row has a cell per role and chat."""
    keys = {key for command in COMMANDS for key in rows_of(command.name)}
    assert set(EXPECTED) == keys, f"rows without a command: {set(EXPECTED) - keys}"
    assert all(len(row) == len(COLUMNS) for row in EXPECTED.values())


@dataclass(frozen=True)
class Cell:
    text: str  # what is sent
    row: str  # its row in EXPECTED
    where: Where
    who: Who

    @property
    def expected(self) -> Outcome:
        return EXPECTED[self.row][COLUMNS.index((self.where, self.who))]


def cells() -> Iterator[Cell]:
    for command in COMMANDS:
        for row in rows_of(command.name):
            words = row.removeprefix(f"/{command.name}")
            for name in (command.name, *command.aliases):
                for where, who in COLUMNS:
                    yield Cell(f"/{name}{words}", row, where, who)


# Lookups of measures, goals, offices, words and people of the plan, the contacts' own and
# others' (the matrix above sends one of each command).
PROBES = (
    "/status III.1.1",
    "/status 3.2.1",
    "/status III.1",
    "/status IV.1",
    "/status Gesundheit",
    "/status Leitstelle Wohnen",
    "/status Flüchtlingskoordination",
    "/status Frauenbüro",
    "/status Wohnungsmarktbericht",
    "/status Arbeitspapier",
    "/status Mainz",
    "/status Wanda",
    "/status Karl",
    "/verlauf III.2.1",
    "/verlauf IV.1.1",
    "/verlauf III.1",
    "/verlauf Wohnen",
    "/verlauf Leitstelle Wohnen",
    "/verlauf Flüchtlingskoordination",
    "/verlauf Mainz",
)


# The rule is the same on every database: the 600 cells run on SQLite only (the buttons'
# test and the rest of the end-to-end tests run on PostgreSQL as well).
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_every_command_for_every_role_in_every_chat(world: World, mainz: Catalogue) -> None:
    await populate(world)
    cast = people(world)
    recorder = Recorder(world)
    todo = list(cells())
    sends = [world.standin.send_text(cast[c.who], c.text, chat_of(c.where, world)) for c in todo]
    results = await recorder.run(sends)
    wrong = []
    for cell, sent in zip(todo, results, strict=True):
        chat = chat_of(cell.where, world)
        got = outcome(sent, chat.id if chat else cast[cell.who].id)
        if got is not cell.expected:
            first = sent[0].plain[:80] if sent else ""
            wrong.append(
                f"{cell.text} by a {cell.who} in the {cell.where}: expected {cell.expected}, "
                f"got {got} ({first!r})"
            )
    assert not wrong, f"{len(wrong)} of {len(todo)} cells differ:\n" + "\n".join(wrong)
    # contacts looking for what others reported: every lookup is answered, nothing leaks
    probes = [(cast[who], probe) for who in (Who.ONE_OFFICE, Who.TWO_OFFICES) for probe in PROBES]
    results = await recorder.run([world.standin.send_text(user, text) for user, text in probes])
    wrong = [
        f"{text} by {NAMES[user.id]}: {got}"
        for (user, text), sent in zip(probes, results, strict=True)
        if (got := outcome(sent, user.id)) is not OK
    ]
    assert not wrong, "\n".join(wrong)
    await assert_nothing_leaked(world, mainz)


# --- the buttons -----------------------------------------------------------------------------


def test_the_button_table_covers_every_kind() -> None:
    kinds = set(Payload.__subclasses__())
    assert set(BUTTONS) == kinds, f"kinds without a row: {kinds - set(BUTTONS)}"


def buttons_sent(world: World, chat_id: int) -> dict[type[Payload], str]:
    """The data of the newest button of each kind the bot sent to a chat (edits included)."""
    found: dict[type[Payload], str] = {}
    for message in world.standin.sent_messages(chat_id):
        markups = [v.reply_markup for v in message.edit_history] + [message.reply_markup]
        for markup in markups:
            for row in (markup or {}).get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data")
                    payload = decode(data)
                    if payload is not None:
                        found[type(payload)] = str(data)
    return found


async def press_starting(world: World, user: FakeUser, beginning: str) -> None:
    """Press the one button of the person's latest message whose label begins so."""
    [label] = [
        label for row in world.last(user).buttons for label in row if label.startswith(beginning)
    ]
    await world.press(user, label)


_CLARAS = {kind for kind, row in BUTTONS.items() if row[0] is Owner.COORDINATOR}


async def send_every_kind(world: World) -> dict[type[Payload], str]:
    """The dialogues in which the bot sends each kind of button to its owner (Karl or Clara,
    see BUTTONS); the newest data of each kind in the owner's chat."""
    karl, clara = world.contact, world.coordinator
    await world.say(clara, "/offen")  # RemindOutstanding
    # Karl is reminded: ReportNow, Snooze (the round's opening told him so on the 25th)
    await world.press(clara, texts.fill(texts.REMIND_OFFICE, office=OFFICES[KARL][0]))
    await world.say(clara, "/einladen")  # InviteOffice, InviteCoordinator
    await world.say(clara, "/deaktivieren")  # Deactivate
    await press_starting(world, clara, NAMES[WANDA])  # DeactivateConfirmed, -Cancelled
    await world.say(clara, "/bericht")  # ReportFor
    await world.say(clara, "/runde")  # RoundAction
    await world.press(clara, texts.ROUND_CLOSE)  # RoundConfirmed
    await world.say(clara, "/bitten")  # SupportShow
    await press_starting(world, clara, "1. ")  # SupportTake, SupportResolve
    await world.say(clara, "/status IV.1.1")  # EvidenceFile
    await world.say(karl, "/status")  # ShowField, ShowChart
    await world.say(karl, f"/verlauf {OFFICES[KARL][0]}")  # ShowMeasure
    await world.say(karl, "/abwesend")  # AbsentUntil
    await world.say(karl, "/abmelden")  # SignOffConfirmed, SignOffKept
    await world.say(karl, "/bericht")  # NextItem, StartItem
    await world.press(karl, "IV.3.1")  # AnswerChoice
    while texts.SUBMIT not in [label for row in world.last(karl).buttons for label in row]:
        await world.press(karl, texts.STATUS_LABELS["on_track"])
    await world.press(karl, texts.CHANGE)  # Review (above), ChangeAnswer
    await world.press(karl, texts.BACK_TO_REVIEW)
    await world.say(karl, "/bericht")
    await world.press(karl, "IV.3.2")  # the newest AnswerChoice: of the question now asked
    return {
        **buttons_sent(world, clara.id),
        **{k: v for k, v in buttons_sent(world, karl.id).items() if k not in _CLARAS},
        **{kind: payload.encode() for kind, payload in LEGACY.items()},
    }


# --- the database, to see that nothing changed ---------------------------------------------

BOOKKEEPING = {"processed_updates", "received_updates"}  # every update is noted there
Rows = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


async def database(world: World) -> Rows:
    """Every row of every table but the bookkeeping, by primary key."""
    rows: Rows = {}
    async with world.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            keys = [column.name for column in table.primary_key.columns]
            result = await session.execute(select(table))
            rows[table.name] = {tuple(row[k] for k in keys): dict(row) for row in result.mappings()}
    return rows


Change = tuple[str, dict[str, Any] | None, dict[str, Any] | None]  # table, before, after


def changes(before: Rows, after: Rows) -> list[Change]:
    return [
        (name, before[name].get(key), after[name].get(key))
        for name in before
        for key in sorted(before[name].keys() | after[name].keys(), key=repr)
        if before[name].get(key) != after[name].get(key)
    ]


PERSON_COLUMNS = {
    table.name: {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "contacts"}
    for table in Base.metadata.sorted_tables
}


def owned(change: Change, person: int, reports: set[int]) -> bool:
    """Whether a change is the person's own: a row of theirs (their account, their
    reports and answers, notices to them), or only their name taken off a row (their
    account removed)."""
    table, old, new = change
    for row in (old, new):
        if row is None:
            continue
        if (table == "contacts" and row["id"] == person) or person in (
            row.get("contact_id"),
            row.get("author_id"),
        ):
            return True
        if table == "target_answers" and row["report_id"] in reports:
            return True
    if old is None or new is None:
        return False
    differing = {column for column in old if old[column] != new[column]}
    return all(
        column in PERSON_COLUMNS[table] and old[column] == person and new[column] is None
        for column in differing
    )


def shown(found: Sequence[Change]) -> str:
    return "\n".join(f"{table}: {old} -> {new}" for table, old, new in found)


@dataclass(frozen=True)
class Press:
    kind: type[Payload]
    presser: Presser
    user: FakeUser
    chat: FakeChat | None
    expected: Outcome

    def __str__(self) -> str:
        return f"{self.kind.__name__} pressed by {self.presser}"


async def test_buttons_pressed_by_anyone_else(world: World, mainz: Catalogue) -> None:
    await populate(world)
    cast = people(world)
    samples = await send_every_kind(world)
    assert set(samples) == set(BUTTONS), f"never sent: {set(BUTTONS) - set(samples)}"
    for who in (Who.STRANGER, Who.DEACTIVATED):
        await world.say(cast[who], "/hilfe")  # a message to press on
    await world.say(world.coordinator, "/hilfe", world.group)
    presses = []
    for kind, (owner, *expected) in BUTTONS.items():
        other = cast[Who.TWO_OFFICES if owner is Owner.CONTACT else Who.ONE_OFFICE]
        pressers = (
            (Presser.STRANGER, cast[Who.STRANGER], None),
            (Presser.DEACTIVATED, cast[Who.DEACTIVATED], None),
            (Presser.OTHER, other, None),
            (Presser.OTHER_IN_GROUP, other, world.group),
            (Presser.COORDINATOR_IN_GROUP, world.coordinator, world.group),
        )
        presses += [
            Press(kind, presser, user, chat, outcome_)
            for (presser, user, chat), outcome_ in zip(pressers, expected, strict=True)
            if outcome_ is not None
        ]
    recorder = Recorder(world)
    wrong = []

    async def run(batch: list[Press]) -> None:
        results = await recorder.run(
            [world.standin.press_callback_data(p.user, samples[p.kind], chat=p.chat) for p in batch]
        )
        for press, sent in zip(batch, results, strict=True):
            got = outcome(sent, press.chat.id if press.chat else press.user.id)
            if got is not press.expected:
                first = sent[0].plain[:80] if sent else ""
                wrong.append(f"{press}: expected {press.expected}, got {got} ({first!r})")

    # refused, stale or ignored: nothing changes at all
    before = await database(world)
    await run([p for p in presses if p.expected is not OK])
    changed = changes(before, await database(world))
    assert not changed, "presses that must change nothing changed:\n" + shown(changed)
    # done for the presser: only their own rows change (signing off last)
    for press in sorted(
        (p for p in presses if p.expected is OK), key=lambda p: p.kind is SignOffConfirmed
    ):
        async with world.sessions() as session:
            row = await contact_by_telegram_id(session, press.user.id)
            assert row is not None
            person = row.id
        before = await database(world)
        await run([press])
        after = await database(world)
        reports = {
            report["id"]
            for rows in (before, after)
            for report in rows["reports"].values()
            if report["author_id"] == person
        }
        others = [c for c in changes(before, after) if not owned(c, person, reports)]
        assert not others, f"{press} changed what is not the presser's:\n" + shown(others)
    assert not wrong, f"{len(wrong)} of {len(presses)} presses differ:\n" + "\n".join(wrong)
    await assert_nothing_leaked(world, mainz)


# --- nothing for anyone who may not see it ---------------------------------------------------


def _key(title: str) -> str:
    """The beginning of a title, as the bot shows it even when shortened."""
    return " ".join(title.split())[:30]


def secrets(
    catalogue: Catalogue, public: str, reader: int | None, me: int | None = None
) -> dict[str, str]:
    """Words the reader (a contact's Telegram id; None: someone who may see nothing) must
    never be shown, with what each is; ``me``: whose own name may be said; offices named in
    ``public`` are named to everyone."""
    me = reader if me is None else me
    own = set(OFFICES.get(reader, ())) if reader is not None else set()
    measures = catalogue.measures()
    theirs = {m.code for m in measures if own & set(m.offices)}
    allowed = {_key(m.title) for m in measures if m.code in theirs}
    found: dict[str, str] = {}
    for measure in measures:
        if measure.code not in theirs and _key(measure.title) not in allowed:
            found[_key(measure.title)] = f"the title of {measure.code}"
    for words, code in REPORTED.items():
        if code not in theirs:
            found[words] = f"a report on {code}"
    for user_id, name in NAMES.items():
        if user_id != me and (reader is None or user_id != CLARA):
            found[name] = "a person's name"
    if reader is None:
        for office in catalogue.offices:
            if office not in public:  # the coordination office is named to everyone
                found[office] = "an office"
    return found


def _versions(message: SentMessage) -> list[str]:
    return [message.plain_text or ""] + [v.plain_text or "" for v in message.edit_history]


async def public_text(world: World) -> str:
    """What the bot tells anyone about itself (/start and /datenschutz of a stranger): the
    coordination office named there is no secret."""
    told = [await world.say(world.stranger, text) for text in ("/start", "/datenschutz")]
    return "\n".join(answer.text for answer in told)


async def assert_nothing_leaked(world: World, catalogue: Catalogue) -> None:
    """Everything the bot ever sent to chats that may see nothing, and to each contact's
    chat, is free of what they may not see; nobody was sent texts.ERROR."""
    public = await public_text(world)
    readers: dict[int, tuple[int | None, int | None]] = {  # chat: reader, whose name
        world.stranger.id: (None, None),
        DORA: (None, DORA),
        world.foreign_group.id: (None, None),
        KARL: (KARL, KARL),
        WANDA: (WANDA, WANDA),
    }
    leaks = []
    for chat_id, (reader, me) in readers.items():
        forbidden = secrets(catalogue, public, reader, me)
        for message in world.standin.sent_messages(chat_id):
            if message.kind != "text" and (reader is None or message.kind == "document"):
                leaks.append(f"chat {chat_id}: a {message.kind} {message.filename!r}")
            for version in _versions(message):
                leaks += [
                    f"chat {chat_id}: {what} in {version[:120]!r}"
                    for word, what in forbidden.items()
                    if word in version
                ]
    for answer in world.standin.callback_answers:
        reader = answer.user_id if answer.user_id in (KARL, WANDA) else None
        if answer.user_id != CLARA and answer.text:
            leaks += [
                f"toast to {answer.user_id}: {what}"
                for word, what in secrets(catalogue, public, reader, answer.user_id).items()
                if word in answer.text
            ]
    assert not leaks, "\n".join(leaks)
    everything = [
        m.plain_text
        for chat in world.standin.state.chats
        for m in world.standin.sent_messages(chat)
    ]
    assert html.unescape(texts.ERROR) not in everything
    assert world.standin.internal_errors == []
