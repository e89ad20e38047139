"""Hostile input through the real bot (issue 14): property-based, against the stand-in.

Hypothesis draws what people send: any text (very long, control characters, right-to-left
and zero-width marks, emoji, lone surrogates, HTML, SQL and format strings), every command
of :mod:`conversations.commands` with any arguments, forged button data (garbage, and the
wire forms of :mod:`conversations.payloads` with garbage ids), the data of real buttons
pressed by someone else somewhere else, edits, photos, documents, voice notes, stickers,
locations and channel posts; from a stranger, a stranger with a hostile name, a
deactivated contact, a contact and a coordinator; in private chats, the coordination
group and a foreign group; and in the middle of a report.

One bot (one ``world``) takes all examples of a test, as one long conversation; so an
example depends on those before it, and a failure is reported with the steps of its own
example (Hypothesis cannot shrink the history away). The properties, after each update:

1. nothing reaches the error handler, nothing is logged as an error, the stand-in has no
   internal error and nobody gets the apology (``texts.ERROR``);
2. every message, caption and edit the bot sends is valid Telegram HTML (the stand-in's
   strict parser) of 1 to 4,096 UTF-16 units as the person sees it (captions 1,024),
   with a valid keyboard; a callback answer has at most 200 characters;
3. every input gets an answer, except what is ignored on purpose (:func:`expectation`):
   anything in a foreign group or a channel, anyone but an active coordinator in the
   coordination group, and there anything but a command for this bot; a pressed button is
   answered (its spinner stopped) exactly once, wherever it is;
4. free text a person typed comes back exactly as typed where the bot shows it (a note,
   the numbers on the review, a name), HTML-escaped by the bot and unescaped by Telegram.

The default run draws 40 examples per test (the file takes under a minute on two cores,
on SQLite and PostgreSQL); ``--run-slow`` adds three long variants of 2,000 examples each
(``FUZZ_EXAMPLES`` sets another number), some 20,000 inputs per database, about an hour.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.render import texts
from bot.render.formatting import utf16_len
from bot.standin import FakeChat, FakeUser, SentMessage
from bot.standin.html import HtmlParseError, parse_html
from bot.standin.methods import MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH, validate_reply_markup
from bot.standin.models import ApiError
from conversations import payloads
from conversations.commands import COMMANDS
from conversations.framework import Context, clean_text
from conversations.report_questions import Kind
from conversations.reporting import shorten
from storage.models import Office, Role
from storage.people import add_contact, contact_by_telegram_id, remove_account
from tests.e2e.conftest import World

CHANNEL = -1001000000777
DEACTIVATED_ID = 801
NAMED_IDS = range(10_000, 10_040)  # strangers with hostile names
BOT = "mainz_monitoring_bot"
GROUP_MINUTE = 70.0  # seconds: longer than the wait for a slot in a group's minute

# --- what people send ---------------------------------------------------------------------

CONTROL = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\x9b"]
INVISIBLE = [
    "\u00ad", "\u034f", "\u061c", "\u180e", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2060", "\u2066", "\u2067", "\u2068",
    "\u2069", "\ufeff", "\u2028", "\u2029", "\ufff9", "\ufffc", "\ufffd", "\U000e0001",
]  # fmt: skip
EMOJI = [
    "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇩🇪", "❤️", "🧑🏿‍🦯", "1️⃣", "🫠", "\U0001f3fb", "\ufe0f",
]  # fmt: skip
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00", "\ud83d\ude00"]
MARKUP = [
    "<", ">", "&", '"', "'", "<b>", "</b>", "<i>x</i>", '<a href="tg://user?id=1">', "</a>",
    "<script>alert(1)</script>", "&amp;", "&lt;", "&gt;", "&#0;", "&#x1F600;", "&#xD800;",
    "&#1114112;", "&nbsp;", "&quot;", "<tg-spoiler>", '<pre><code class="language-py">',
    "<br/>", "<!-- -->", "<![CDATA[x]]>", "</", "<<>>", "&&", "<b", "<blockquote expandable>",
]  # fmt: skip
SQL = [
    "'", "''", "'; DROP TABLE contacts; --", '" OR 1=1 --', "%", "_", "\\", "%_%",
    "' OR '1'='1", "1; SELECT pg_sleep(5); --", "$1", "?", ":name", "E'\\x00'", "NULL",
    "\\x00", "*/", "/*",
]  # fmt: skip
FORMAT = [
    "{", "}", "{name}", "{0}", "%s", "%(name)s", "{code!r}", "{__class__.__mro__}", "{{}}",
    "$(whoami)", "${jndi:ldap://x/a}", "*", "`", "```", "[x](http://x)", "~", "||",
]  # fmt: skip
WORDS = [
    "Mainz", "III.2.1", "II", "Jugendamt", "Flüchtlingskoordination", "/hilfe", "@" + BOT,
    "v1:rv:1:send", "Ü", "ß", "İ", "ﬁ", "Ⅻ", "²", "١٢٣", "שלום", "مرحبا", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "Z̸̢̛a̷l̴g̶o̵", " ", "  ", "\n", "\r\n", "\t", "csv", "31.12.9999", "0", "-1", "9" * 40,
]  # fmt: skip
SPECIAL = CONTROL + INVISIBLE + EMOJI + SURROGATES


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each as often as its weight says."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(lambda s: s)


FRAGMENTS = st.one_of(
    st.sampled_from(MARKUP + SQL + FORMAT + WORDS),
    st.text(max_size=12),
    st.lists(st.sampled_from(SPECIAL), min_size=1, max_size=4).map("".join),
)
# Texts around the limits: 2,000 characters (the bot's for a free text), 4,096 and beyond
LONG_TEXTS = st.builds(
    lambda unit, n: (unit * n)[:n],
    st.sampled_from(["a", "ä", "😀", "&", "<", "\u200f", "a b ", "\n", "&amp;", "<b>", "\ud800"]),
    st.sampled_from([1999, 2000, 2001, 4095, 4096, 4097]) | st.integers(1, 6000),
)


def hostile_texts(long: bool = True) -> st.SearchStrategy[str]:
    """Non-empty texts of hostile fragments; with ``long`` also the very long ones."""
    joined = st.lists(FRAGMENTS, min_size=1, max_size=12).map("".join).filter(bool)
    return joined | LONG_TEXTS if long else joined


COMMAND_NAMES = sorted({name for c in COMMANDS for name in (c.name, *c.aliases)})
ARGUMENTS = st.one_of(
    st.just(""),
    hostile_texts(long=False).map(lambda text: " " + text),
    st.lists(st.sampled_from(MARKUP + SQL + FORMAT), min_size=1, max_size=4).map(
        lambda words: " " + " ".join(words)
    ),
    st.lists(
        st.one_of(st.sampled_from(WORDS + SQL), st.integers().map(str)), min_size=1, max_size=4
    ).map(lambda words: " " + " ".join(words)),
    LONG_TEXTS.map(lambda text: " " + text),
)


def command_text(name: str, case: str, suffix: str, arguments: str) -> str:
    shaped = {"lower": name, "upper": name.upper(), "title": name.title()}[case]
    return f"/{shaped}{suffix}{arguments}"


COMMAND_TEXTS = st.builds(
    command_text,
    weighted(
        (4, st.sampled_from(COMMAND_NAMES)),
        (1, st.from_regex(r"[A-Za-z0-9_]{1,40}", fullmatch=True)),
    ),
    st.sampled_from(["lower", "lower", "upper", "title"]),
    st.sampled_from(["", "", "@" + BOT, "@MAINZ_Monitoring_Bot", "@other_bot"]),
    ARGUMENTS,
)

# --- forged button data -------------------------------------------------------------------

ODD_NUMBERS = [
    "", "00", "0001", "²", "١", "+1", "-0", " 1", "1 ", "1e3", "0x10", "1.0", "NaN",
    str(2**31 - 1), str(2**31), str(2**63), "9" * 60, "20261231", "99991231", "10000101",
    "20260230", "1",
]  # fmt: skip
GARBAGE_NUMBERS = st.one_of(
    st.integers(0, 6).map(str),
    st.integers(-10, 10**25).map(str),
    st.sampled_from(ODD_NUMBERS),
)
GARBAGE_WORDS = st.one_of(
    st.sampled_from(["I", "II", "X", "VII", "", "s", "h", "send", "open", "next", "no"]),
    hostile_texts(long=False).map(lambda text: text[:20]),
)
QUESTION_KEYS = st.one_of(
    st.sampled_from([k.value for k in Kind]),
    st.builds(
        lambda kind, n: f"{kind}.{n}", st.sampled_from([k.value for k in Kind]), GARBAGE_NUMBERS
    ),
    GARBAGE_WORDS,
)


def field_values(kind: type) -> st.SearchStrategy[str]:
    if kind is int:
        return GARBAGE_NUMBERS
    if kind is str:
        return GARBAGE_WORDS
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return st.one_of(st.sampled_from([member.value for member in kind]), GARBAGE_WORDS)
    return QUESTION_KEYS


def wire_forms(cls: type[payloads.Payload]) -> st.SearchStrategy[str]:
    """``cls``'s wire form with garbage in its fields (sometimes one too few or many)."""
    fields = [field_values(kind) for _name, kind in payloads._FIELD_TYPES[cls]]
    head = [payloads.VERSION, cls.ACTION, *cls.TAG]
    values = st.tuples(*fields).map(list) if fields else st.just([])
    shaped = st.one_of(
        values,
        values.map(lambda v: v[:-1]),
        st.tuples(values, GARBAGE_NUMBERS).map(lambda pair: [*pair[0], pair[1]]),
    )
    return shaped.map(lambda v: ":".join(head + v))


PAYLOAD_KINDS = sorted(payloads._FIELD_TYPES, key=lambda cls: cls.__name__)
FORGED_DATA = st.one_of(
    st.one_of([wire_forms(cls) for cls in PAYLOAD_KINDS]),
    hostile_texts(long=False).map(lambda text: text[:80]),
    st.builds(
        lambda version, action, rest: f"{version}:{action}:{rest}",
        st.sampled_from(["v1", "v0", "v2", "V1", "", "v1 "]),
        st.sampled_from(sorted(payloads._KINDS)) | GARBAGE_WORDS,
        GARBAGE_WORDS,
    ),
    st.just(""),
)

# --- steps --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str
    reply: bool = False  # a reply to the bot's latest message in that chat


@dataclass(frozen=True)
class Command:
    text: str


@dataclass(frozen=True)
class Press:
    """A callback query with forged ``data`` on one of the bot's messages in the chat."""

    data: str
    message: int


@dataclass(frozen=True)
class Replay:
    """A callback query with the data of a real button the bot sent to anyone, anywhere."""

    button: int
    message: int


@dataclass(frozen=True)
class Tap:
    """The person presses the button labelled ``label`` (on the latest message with it)."""

    label: str


@dataclass(frozen=True)
class Edit:
    """A text, then the person edits it."""

    first: str
    then: str


@dataclass(frozen=True)
class EditLast:
    """The second half of :class:`Edit`: the person's latest text there, edited."""

    text: str


@dataclass(frozen=True)
class Photo:
    caption: str | None


@dataclass(frozen=True)
class Document:
    filename: str | None
    mime_type: str | None
    caption: str | None
    size: int | None


@dataclass(frozen=True)
class Voice:
    caption: str | None


@dataclass(frozen=True)
class Sticker:
    emoji: str


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Post:
    """A post in a channel the bot administers."""

    text: str


Input = (
    Text
    | Command
    | Press
    | Replay
    | Tap
    | Edit
    | EditLast
    | Photo
    | Document
    | Voice
    | Sticker
    | Location
)


@dataclass(frozen=True)
class Step:
    who: str
    where: str
    what: Input | Post
    name: tuple[int, str, str | None] = (10_000, "Ärger", None)  # for "named": id, names


CAPTIONS = st.none() | hostile_texts().map(lambda text: text[:1100])
FILE_NAMES = st.one_of(
    st.none(),
    st.builds(
        lambda stem, ending: stem + ending,
        hostile_texts(long=False).map(lambda text: text[:300])
        | st.sampled_from(["../../../etc/passwd", "..", ".", "/", "~/.bashrc", "C:\\x", "-rf"]),
        st.sampled_from(["", ".pdf", ".PDF", ".docx", ".exe", ".pdf.exe", ".tar.gz", "."]),
    ),
)
ODD_TYPES = [
    "application/pdf", "image/png", "image/", "text/plain", "application/octet-stream",
    "application/pdf; charset=binary", "IMAGE/JPEG", "x" * 150,
]  # fmt: skip
MIME_TYPES = st.one_of(
    st.none(),
    st.sampled_from(ODD_TYPES),
    hostile_texts(long=False).map(lambda text: text[:120]),
)


TEXTS = st.builds(Text, hostile_texts(), st.booleans())
COMMAND_INPUTS = st.builds(Command, COMMAND_TEXTS)
PRESSES = st.builds(Press, FORGED_DATA, st.integers(0, 1000))
REPLAYS = st.builds(Replay, st.integers(0, 10**6), st.integers(0, 1000))
EDITS = st.builds(Edit, hostile_texts(long=False), hostile_texts() | COMMAND_TEXTS)
FILES = weighted(
    (2, st.builds(Photo, CAPTIONS)),
    (
        3,
        st.builds(
            Document,
            FILE_NAMES,
            MIME_TYPES,
            CAPTIONS,
            st.none() | st.sampled_from([0, 20 << 20, (20 << 20) + 1, 2**31]),
        ),
    ),
    (1, st.builds(Voice, CAPTIONS)),
)
OTHERS = st.one_of(
    st.builds(Sticker, st.sampled_from(["👍", "", "\ud83d", "<b>", *EMOJI])),
    st.builds(
        Location,
        st.floats(-90, 90, allow_nan=False),
        st.floats(-180, 180, allow_nan=False),
    ),
)
MESSAGES = weighted((5, TEXTS), (2, EDITS), (3, FILES), (1, OTHERS))
BUTTONS = weighted((3, PRESSES), (2, REPLAYS))
INPUTS: st.SearchStrategy[Input] = weighted(
    (6, TEXTS), (8, COMMAND_INPUTS), (4, PRESSES), (6, REPLAYS), (2, EDITS), (5, FILES), (2, OTHERS)
)
NAMES = st.tuples(
    st.sampled_from(NAMED_IDS),
    hostile_texts(long=False).map(lambda text: text[:64]),
    st.none() | hostile_texts(long=False).map(lambda text: text[:64]),
)
PERSONS = ["coordinator"] * 3 + ["contact"] * 2 + ["stranger", "named", "deactivated"]
PLACES = ["private"] * 6 + ["coordination"] * 3 + ["foreign"]


def step(who: str, where: str, what: Input, name: tuple[int, str, str | None], post: str) -> Step:
    if where == "channel":
        return Step("channel", "channel", Post(post))
    return Step(who, where, what, name)


def steps(inputs: st.SearchStrategy[Input], channel: bool = False) -> st.SearchStrategy[Step]:
    """``inputs`` sent by anyone anywhere (and posts in the channel, if ``channel``)."""
    return st.builds(
        step,
        st.sampled_from(PERSONS),
        st.sampled_from([*PLACES, "channel"] if channel else PLACES),
        inputs,
        NAMES,
        hostile_texts() | COMMAND_TEXTS,
    )


# In the middle of a report: the contact, privately; the report's own buttons forged
REPORT_PAYLOADS = (
    payloads.AnswerChoice, payloads.Review, payloads.ChangeAnswer, payloads.StartItem,
    payloads.NextItem, payloads.ReportNow, payloads.Snooze, payloads.Pause,
    payloads.AbsentUntil, payloads.ReportFor, payloads.EvidenceFile,
)  # fmt: skip
REPORT_COMMANDS = st.builds(
    command_text,
    st.sampled_from(["bericht", "report", "zurueck", "abbrechen", "abwesend", "hilfe", "status"]),
    st.just("lower"),
    st.sampled_from(["", "", "@" + BOT]),
    ARGUMENTS,
)
IN_A_REPORT: st.SearchStrategy[Input] = weighted(
    (6, TEXTS),
    (3, st.builds(Command, REPORT_COMMANDS)),
    (
        4,
        st.builds(
            Press, st.one_of([wire_forms(cls) for cls in REPORT_PAYLOADS]), st.integers(0, 1000)
        ),
    ),
    (1, PRESSES),
    (5, REPLAYS),
    (1, EDITS),
    (3, FILES),
    (1, OTHERS),
)

# --- the world the steps act in -----------------------------------------------------------


@dataclass
class Fuzz:
    """The e2e world plus what the properties need: errors seen, the cast, the chats."""

    world: World
    caplog: pytest.LogCaptureFixture
    deactivated: FakeUser
    channel: FakeChat
    errors: list[BaseException] = field(default_factory=list)
    steps_run: int = 0
    updates_run: int = 0

    def __repr__(self) -> str:
        return f"<the bot after {self.steps_run} steps, {self.updates_run} updates>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis prints it with every failing example

    def person(self, step: Step) -> FakeUser:
        world = self.world
        if step.who == "named":
            user_id, first, last = step.name
            return world.standin.user(user_id, first, last)
        return {
            "stranger": world.stranger,
            "deactivated": self.deactivated,
            "contact": world.contact,
            "coordinator": world.coordinator,
        }[step.who]

    def chat(self, where: str) -> FakeChat | None:
        return {
            "private": None,
            "coordination": self.world.group,
            "foreign": self.world.foreign_group,
            "channel": self.channel,
        }[where]


CAST: tuple[tuple[int, str, Role, bool], ...] = (
    (501, "Clara Koordina", Role.COORDINATOR, True),
    (601, "Karl Kontakt", Role.CONTACT, True),
    (DEACTIVATED_ID, "Doris Deaktiviert", Role.CONTACT, False),
)


async def restore_cast(world: World) -> None:
    """The coordinator, the contact and the deactivated contact as at the start, whatever
    forged buttons did to them (a deleted account, a deactivation)."""
    async with world.sessions() as session, session.begin():
        office = await session.scalar(
            select(Office).where(Office.name == "Flüchtlingskoordination")
        )
        assert office is not None
        for user_id, name, role, active in CAST:
            contact = await contact_by_telegram_id(session, user_id, include_inactive=True)
            if contact is None:
                contact = await add_contact(
                    session,
                    telegram_user_id=user_id,
                    display_name=name,
                    role=role,
                    offices=[office] if role is Role.CONTACT else [],
                    now=world.clock(),
                )
            contact.role = role
            contact.active = active
            contact.deactivated_at = None if active else world.clock()


async def is_coordinator(world: World, user: FakeUser) -> bool:
    async with world.sessions() as session:
        contact = await contact_by_telegram_id(session, user.id)
        return contact is not None and contact.role is Role.COORDINATOR


@pytest.fixture
async def fuzz(world: World, caplog: pytest.LogCaptureFixture) -> Fuzz:
    """The world with a deactivated contact and a channel; a message of the bot in every
    chat (so buttons can be pressed there); the bot's errors collected."""
    standin = world.standin
    deactivated = standin.user(DEACTIVATED_ID, "Doris", "Deaktiviert")
    standin.open_chat(deactivated)
    channel = standin.channel(CHANNEL, "Amtsblatt")
    await restore_cast(world)
    result = Fuzz(world, caplog, deactivated, channel)

    async def collect(update: object, context: Context) -> None:
        if context.error is not None:
            result.errors.append(context.error)

    world.app.add_error_handler(collect)
    for person in (world.stranger, deactivated, world.contact, world.coordinator):
        await world.say(person, "/start")
    await world.say(world.coordinator, "/hilfe", world.group)
    # a message from the time the bot was in that group for another purpose
    await world.app.bot.send_message(world.foreign_group.id, "Früher war ich hier.")
    await world.app.bot.send_message(channel.id, "Amtsblatt-Bot")
    return result


# --- running a step -----------------------------------------------------------------------


def live_messages(fuzz: Fuzz, chat_id: int) -> list[SentMessage]:
    return [m for m in fuzz.world.standin.sent_messages(chat_id) if not m.deleted]


def all_button_data(fuzz: Fuzz) -> list[str]:
    """The data of every button the bot ever sent (or later replaced), anywhere."""
    seen: dict[str, None] = {}
    for chat in fuzz.world.standin.state.chats.values():
        for message in chat.bot_messages:
            markups = [message.reply_markup, *(v.reply_markup for v in message.edit_history)]
            for markup in markups:
                for row in (markup or {}).get("inline_keyboard") or []:
                    for button in row:
                        data = button.get("callback_data")
                        if isinstance(data, str):
                            seen[data] = None
    return list(seen)


@dataclass(frozen=True)
class Sent:
    """One update a step queued, and what the properties expect of it."""

    update_id: int
    kind: str  # "text", "reply", "command", "press", "edit", "file", "post"
    chat_id: int
    answer: bool | None  # True: must be answered; False: must be ignored; None: either


def expectation(kind: str, where: str, coordinator: bool, command_for_us: bool) -> bool | None:
    """Whether an input must be answered (True), must be ignored (False), or may be either.

    Ignored: everything in a foreign group or channel; in the coordination group
    everything from anyone but an active coordinator, and from a coordinator everything
    but commands addressed to this bot (a text that replies to the bot may answer its
    prompt for a note: either). In private chats everything is answered. A pressed button
    is always answered with ``answerCallbackQuery`` (checked apart); a message besides is
    optional.
    """
    if kind == "edit":
        return where == "private"
    if where in ("foreign", "channel"):
        return False
    if where == "coordination":
        if not coordinator:
            return False
        if kind == "press":
            return None
        if kind == "command":
            return command_for_us
        if kind == "reply":
            return None
        return False
    return None if kind == "press" else True


COMMAND_LIKE = re.compile(r"/[A-Za-z0-9_]")


def last_text_of(fuzz: Fuzz, user: FakeUser, chat_id: int) -> int:
    incoming = fuzz.world.standin.state.chat_state(chat_id).incoming
    return max(
        message_id
        for message_id, message in incoming.items()
        if message.get("from", {}).get("id") == user.id and "text" in message
    )


def addressed_to_us(text: str) -> bool:
    """Whether python-telegram-bot's CommandHandler could take ``text`` as our command."""
    match = re.match(r"/[A-Za-z0-9_]{1,64}(?:@([A-Za-z0-9_]{1,64}))?", text)
    if match is None:
        return False
    name = match.group(0)[1:].split("@")[0].lower()
    bot = match.group(1)
    return name in COMMAND_NAMES and (bot is None or bot.lower() == BOT)


async def run_step(fuzz: Fuzz, step: Step) -> list[Sent]:
    """Queue what ``step`` sends (one update); what the properties expect of it."""
    world, standin = fuzz.world, fuzz.world.standin
    if isinstance(step.what, Post):
        update_id = await standin.send_channel_post(fuzz.channel, step.what.text)
        return [Sent(update_id, "post", fuzz.channel.id, False)]
    what = step.what
    assert not isinstance(what, Edit)  # run_checked sends its two halves
    user, chat = fuzz.person(step), fuzz.chat(step.where)
    chat_id = chat.id if chat is not None else user.id
    coordinator = await is_coordinator(world, user)

    def sent(update_id: int, kind: str, for_us: bool = False) -> Sent:
        return Sent(update_id, kind, chat_id, expectation(kind, step.where, coordinator, for_us))

    if isinstance(what, Press | Replay):
        messages = live_messages(fuzz, chat_id)
        if not messages:  # a new person's chat: nothing to press yet
            return [sent(await standin.send_text(user, "/start", chat), "command", True)]
        message = messages[what.message % len(messages)]
        if isinstance(what, Press):
            data = what.data
        else:
            known = all_button_data(fuzz)
            data = known[what.button % len(known)] if known else "v1:start"
        update_id = await standin.press_callback_data(
            user, data, chat=chat_id, message_id=message.message_id
        )
        return [sent(update_id, "press")]
    if isinstance(what, Tap):
        update_id = await standin.press_button(user, what.label, chat=chat_id)
        return [sent(update_id, "press")]
    if isinstance(what, Command | Text):
        messages = live_messages(fuzz, chat_id)
        reply = isinstance(what, Text) and what.reply and bool(messages)
        reply_to = messages[-1].message_id if reply else None
        update_id = await standin.send_text(user, what.text, chat, reply_to=reply_to)
        if COMMAND_LIKE.match(what.text):  # Telegram marks it as a command
            return [sent(update_id, "command", addressed_to_us(what.text))]
        return [sent(update_id, "reply" if reply else "text")]
    if isinstance(what, EditLast):
        message_id = last_text_of(fuzz, user, chat_id)
        update_id = await standin.edit_text(user, message_id, what.text, chat)
        return [sent(update_id, "edit")]
    if isinstance(what, Photo):
        update_id = await standin.send_photo(user, chat, caption=what.caption)
    elif isinstance(what, Document):
        update_id = await standin.send_document(
            user,
            chat,
            filename=what.filename,
            mime_type=what.mime_type,
            caption=what.caption,
            file_size=what.size,
        )
    elif isinstance(what, Voice):
        update_id = await standin.send_voice(user, chat, caption=what.caption)
    elif isinstance(what, Sticker):
        update_id = await standin.send_sticker(user, chat, emoji=what.emoji)
    else:
        update_id = await standin.send_location(
            user, chat, latitude=what.latitude, longitude=what.longitude
        )
    return [sent(update_id, "file")]


# --- the properties -----------------------------------------------------------------------

MESSAGE_METHODS = {
    "sendmessage": ("text", MAX_MESSAGE_LENGTH),
    "editmessagetext": ("text", MAX_MESSAGE_LENGTH),
    "senddocument": ("caption", MAX_CAPTION_LENGTH),
    "sendphoto": ("caption", MAX_CAPTION_LENGTH),
    "sendvoice": ("caption", MAX_CAPTION_LENGTH),
    "editmessagecaption": ("caption", MAX_CAPTION_LENGTH),
}
SPEAKING = {*MESSAGE_METHODS, "editmessagereplymarkup", "deletemessage"}


def problems_of(method: str, params: dict[str, Any]) -> list[str]:
    """What Telegram would refuse in one call of the bot (or a person would see wrongly)."""
    problems: list[str] = []
    key = method.lower()
    if key == "answercallbackquery":
        text = params.get("text") or ""
        if len(text) > 200:
            problems.append(f"callback answer of {len(text)} characters")
        return problems
    if key not in MESSAGE_METHODS:
        return problems
    name, limit = MESSAGE_METHODS[key]
    text = params.get(name)
    if text is None and name == "caption":
        pass
    elif not isinstance(text, str):
        problems.append(f"{name} is {text!r}")
    elif params.get("parse_mode") != "HTML":
        problems.append(f"{name} without parse_mode HTML: {text[:200]!r}")
    else:
        try:
            plain = parse_html(text, strict=True).plain
        except HtmlParseError as error:
            problems.append(f"invalid HTML ({error}): {text[:300]!r}")
        else:
            if utf16_len(plain) > limit:
                problems.append(f"{name} of {utf16_len(plain)} UTF-16 units (limit {limit})")
            if name == "text" and not plain.strip():
                problems.append("empty message text")
    try:
        validate_reply_markup(params.get("reply_markup"))
    except ApiError as error:
        problems.append(f"invalid keyboard: {error.description}")
    return problems


def speaking_calls(calls: Sequence[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    return [(m, p) for m, p in calls if m.lower() in SPEAKING]


def check(fuzz: Fuzz, sent: Sent, calls_before: int, logs_before: int, errors_before: int) -> None:
    standin = fuzz.world.standin
    calls = [(c.method, c.params) for c in standin.calls[calls_before:]]
    errors = fuzz.errors[errors_before:]
    assert errors == [], f"the error handler was reached: {errors!r}"
    logged = [
        f"{r.name}: {r.getMessage()}"
        for r in fuzz.caplog.records[logs_before:]
        if r.levelno >= logging.ERROR
    ]
    assert logged == [], f"errors were logged: {logged}"
    assert standin.internal_errors == []
    problems = [f"{m}: {problem}" for m, p in calls for problem in problems_of(m, p)]
    assert problems == [], f"Telegram would refuse: {problems}"
    spoken = speaking_calls(calls)
    said = [str(p.get("text") or p.get("caption") or "") for _m, p in spoken]
    assert texts.ERROR not in said
    here = [p for _m, p in spoken if p.get("chat_id") == sent.chat_id]
    if sent.answer is True:
        assert here, f"no answer to update {sent.update_id} ({sent.kind}); calls: {calls}"
    elif sent.answer is False:
        assert spoken == [], f"update {sent.update_id} ({sent.kind}) must be ignored: {spoken}"
    if sent.kind == "press":
        query_id = standin.update(sent.update_id)["callback_query"]["id"]
        answers = [
            p for m, p in calls if m.lower() == "answercallbackquery"
            and p.get("callback_query_id") == query_id
        ]  # fmt: skip
        assert len(answers) == 1, f"callback query answered {len(answers)} times"
        assert [a.callback_query_id for a in standin.callback_answers].count(query_id) == 1


async def run_checked(fuzz: Fuzz, step: Step) -> None:
    """Run ``step``; check the properties for each update it queued, in order."""
    standin = fuzz.world.standin
    calls_before, logs_before = len(standin.calls), len(fuzz.caplog.records)
    errors_before = len(fuzz.errors)
    parts = [step]
    if isinstance(step.what, Edit):
        parts = [
            replace(step, what=Text(step.what.first)),
            replace(step, what=EditLast(step.what.then)),
        ]
    for part in parts:
        for item in await run_step(fuzz, part):
            # many replies into the coordination group: its budget of 20 messages a
            # minute (as Telegram's) may hold one back for up to a minute
            await fuzz.world.settle(item.update_id, timeout=GROUP_MINUTE)
            # the bot handles one update at a time: the calls since the previous update
            # are those made for this one
            check(fuzz, item, calls_before, logs_before, errors_before)
            calls_before, logs_before = len(standin.calls), len(fuzz.caplog.records)
            errors_before = len(fuzz.errors)
            fuzz.updates_run += 1
    fuzz.steps_run += 1


def examples(count: int) -> settings:
    """``count`` examples, however slow each is (each runs the whole bot, and all of a
    test's examples share its one world: a function-scoped fixture on purpose)."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


FEW = 40  # examples of each default test
MANY = int(os.environ.get("FUZZ_EXAMPLES", "2000"))  # of each long variant (--run-slow)


# --- 1. from anyone, anywhere ---------------------------------------------------------------


async def sequence(fuzz: Fuzz, steps_: list[Step]) -> None:
    await restore_cast(fuzz.world)
    for step_ in steps_:
        await run_checked(fuzz, step_)


@examples(FEW)
@given(steps_=st.lists(steps(COMMAND_INPUTS), min_size=1, max_size=2))
async def test_commands_with_any_arguments(fuzz: Fuzz, steps_: list[Step]) -> None:
    await sequence(fuzz, steps_)


@examples(FEW)
@given(steps_=st.lists(steps(MESSAGES, channel=True), min_size=1, max_size=2))
async def test_any_text_file_edit_or_post(fuzz: Fuzz, steps_: list[Step]) -> None:
    await sequence(fuzz, steps_)


@examples(FEW)
@given(steps_=st.lists(steps(BUTTONS), min_size=1, max_size=3))
@example(steps_=[Step("coordinator", "private", Press("v1:sup:take:2147483648", 0))])  # int32
async def test_forged_and_foreign_buttons(fuzz: Fuzz, steps_: list[Step]) -> None:
    await sequence(fuzz, steps_)


@examples(FEW)
@given(steps_=st.lists(steps(INPUTS, channel=True), min_size=1, max_size=6))
async def test_hostile_input_anywhere(fuzz: Fuzz, steps_: list[Step]) -> None:
    await sequence(fuzz, steps_)


@pytest.mark.slow
@examples(MANY)
@given(steps_=st.lists(steps(INPUTS, channel=True), min_size=1, max_size=6))
async def test_hostile_input_anywhere_long(fuzz: Fuzz, steps_: list[Step]) -> None:
    await sequence(fuzz, steps_)


@pytest.mark.slow
@examples(MANY)
@given(steps_=st.lists(steps(COMMAND_INPUTS | BUTTONS), min_size=1, max_size=3))
async def test_commands_and_buttons_long(fuzz: Fuzz, steps_: list[Step]) -> None:
    await sequence(fuzz, steps_)


# --- 2. in the middle of a report -------------------------------------------------------------

CODE_LABEL = re.compile(r"(✅ )?[IVX]+\.\d+\.\d+")


async def into_a_report(fuzz: Fuzz) -> None:
    """Karl back in a report, whatever the examples before did: /bericht, and the first
    measure offered if it shows the overview (a running report shows its question)."""
    karl = Step("contact", "private", Command("/bericht"))
    await run_checked(fuzz, karl)
    labels = [label for row in fuzz.world.last(fuzz.world.contact).buttons for label in row]
    chosen = [label for label in labels if label == texts.IN_ORDER or CODE_LABEL.fullmatch(label)]
    if chosen:
        await run_checked(fuzz, replace(karl, what=Tap(chosen[0])))


async def in_a_report(fuzz: Fuzz, inputs: list[Input]) -> None:
    await restore_cast(fuzz.world)
    await into_a_report(fuzz)
    for what in inputs:
        await run_checked(fuzz, Step("contact", "private", what))


@pytest.fixture
async def reporting(fuzz: Fuzz) -> Fuzz:
    await fuzz.world.open_round()
    return fuzz


@examples(FEW)
@given(inputs=st.lists(IN_A_REPORT, min_size=1, max_size=5))
@example(inputs=[Text("\x00")])  # PostgreSQL stores no NUL
@example(inputs=[Document("../../../etc/passwd.docx", "x\x1dy", None, None)])  # a file kept
async def test_hostile_input_in_the_middle_of_a_report(
    reporting: Fuzz, inputs: list[Input]
) -> None:
    await in_a_report(reporting, inputs)


@pytest.mark.slow
@examples(MANY)
@given(inputs=st.lists(IN_A_REPORT, min_size=1, max_size=5))
async def test_hostile_input_in_the_middle_of_a_report_long(
    reporting: Fuzz, inputs: list[Input]
) -> None:
    await in_a_report(reporting, inputs)


# --- 3. what people typed comes back as typed -----------------------------------------------

# Typed text that is no command; at most the 2,000 characters a text may have, and short
# enough in UTF-16 that the review with it stays one message
TYPED = st.one_of(
    hostile_texts(long=False),
    st.builds(
        lambda unit, n: (unit * n)[:n],
        st.sampled_from(["a", "ä", "&", "<", "\u200f", "a b ", "&amp;", "<b>", "😀", "\ud800"]),
        st.integers(1, 2000),
    ),
).filter(lambda text: not COMMAND_LIKE.match(text) and utf16_len(clean_text(text)) <= 3000)


async def typed(fuzz: Fuzz, text: str) -> tuple[SentMessage, SentMessage]:
    """Karl types ``text`` at the question on screen: that question (collapsed into a
    line since) and the bot's newest message; the properties checked on the way."""
    question = fuzz.world.last(fuzz.world.contact).message
    await run_checked(fuzz, Step("contact", "private", Text(text)))
    return question, fuzz.world.last(fuzz.world.contact).message


@pytest.fixture
async def at_the_status(reporting: Fuzz) -> Fuzz:
    """Karl at the status question of III.2.1 (which has one horizon target)."""
    world = reporting.world
    await world.say(world.contact, "/bericht")
    await world.press(world.contact, "III.2.1")
    return reporting


@examples(FEW)
@given(text=TYPED)
@example(text="Termin<b>\x00</b> & \ud83d")
async def test_a_typed_note_comes_back_as_typed(at_the_status: Fuzz, text: str) -> None:
    """At the status question typed text is the note: the question collapses into a line
    with its beginning, and the question asked again shows up to 200 characters of it."""
    question, asked = await typed(at_the_status, text)
    seen = clean_text(text)  # lone surrogates, which no client shows, become U+FFFD
    assert question.plain_text == f"III.2.1 · Mittelfristig, Getan: {shorten(seen)}"
    assert f"\n{texts.NOTE_SO_FAR.format(note=shorten(seen, 200))}\n" in (asked.plain_text or "")


@pytest.fixture
async def at_the_review(at_the_status: Fuzz) -> Fuzz:
    world = at_the_status.world
    await world.say(world.contact, "Entwurf liegt vor")
    await world.press(world.contact, "🟢 im Plan")
    return at_the_status


@examples(FEW)
@given(text=TYPED)
async def test_typed_numbers_come_back_as_typed_on_the_review(
    at_the_review: Fuzz, text: str
) -> None:
    """On the review typed text is the indicator's numbers: the review collapses into a
    line with their beginning, and the review shown again has them in full."""
    review, again = await typed(at_the_review, text)
    seen = clean_text(text)
    assert review.plain_text == f"III.2.1 · Zahlen/Belege: {shorten(seen)}"
    assert again.plain_text is not None
    assert f"\n   Getan: Entwurf liegt vor\nZahlen/Belege: {seen}\n\n" in again.plain_text
    assert again.buttons[-1] == [texts.SUBMIT, texts.CHANGE, texts.LATER]


FIRST_NAMES = hostile_texts(long=False).map(lambda text: text[:64])
LAST_NAMES = st.none() | hostile_texts(long=False).map(lambda text: text[:64])
INVITATION_LINK = re.compile(r"\?start=([A-Za-z0-9_-]+)")


@examples(FEW)
@given(first=FIRST_NAMES, last=LAST_NAMES)
async def test_a_hostile_name_comes_back_as_typed(fuzz: Fuzz, first: str, last: str | None) -> None:
    """Someone with any name takes an invitation: the welcome, the notice to the inviting
    coordinator and the list of contacts show the name as Telegram shows it."""
    world = fuzz.world
    clara = Step("coordinator", "private", Command("/einladen"))
    await run_checked(fuzz, clara)
    await run_checked(fuzz, replace(clara, what=Tap("Frauenbüro")))
    link = INVITATION_LINK.search(world.last(world.coordinator).text)
    assert link is not None
    newcomer = Step("named", "private", Command(f"/start {link.group(1)}"), (20_000, first, last))
    await run_checked(fuzz, newcomer)

    name = clean_text(f"{first} {last}" if last else first)  # Telegram's full name
    welcome = world.last(fuzz.person(newcomer)).text
    assert welcome.startswith(f"Willkommen, {name}! Sie sind jetzt Ansprechperson für: ")
    notice = world.last(world.coordinator).text
    assert (
        notice
        == f"{name} hat Ihre Einladung angenommen und ist jetzt Ansprechperson für Frauenbüro."
    )
    before = len(world.standin.sent_messages(world.coordinator))
    await run_checked(fuzz, replace(clara, what=Command("/kontakte")))
    roster = world.standin.sent_messages(world.coordinator)[before:]
    assert f"\n• {name}\n" in "\n".join(m.plain_text or "" for m in roster) + "\n"
    async with world.sessions() as session, session.begin():  # the next newcomer anew
        contact = await contact_by_telegram_id(session, 20_000)
        assert contact is not None
        await remove_account(session, contact)
