"""What a button carries: one typed payload per kind of button, encoded and decoded here only.

Telegram gives a button at most 64 bytes of data and hands them back, unchanged or
forged, when it is pressed. Each kind of button is a frozen dataclass below; its wire
form is ``v1:<action>[:<tag>…]:<field>:…`` with the fields in declaration order, so
buttons sent by an earlier version of the bot keep working. :func:`decode` gives the
payload back, or None for anything this version did not make (the router then answers
"no longer valid"); a handler never sees raw strings.

Field types: ``int`` (a non-negative number that fits a database id), ``str`` (non-empty, without ``:``), a
``StrEnum`` (its value) and :class:`~conversations.report_questions.Question` (its key).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from conversations.report_questions import LARGEST_ID, Question

VERSION = "v1"
LIMIT = 64  # bytes, Telegram's limit for callback data
SEPARATOR = ":"


class Payload:
    """Base of all button payloads (see :func:`payload`)."""

    ACTION: ClassVar[str]
    TAG: ClassVar[tuple[str, ...]] = ()  # constant parts after the action, e.g. ("next",)

    def encode(self) -> str:
        values = [_encode(getattr(self, name)) for name, _kind in _FIELD_TYPES[type(self)]]
        data = SEPARATOR.join([VERSION, self.ACTION, *self.TAG, *values])
        if len(data.encode()) > LIMIT:
            raise ValueError(f"button data longer than {LIMIT} bytes: {data!r}")
        return data


P = TypeVar("P", bound=Payload)
_KINDS: dict[str, list[type[Payload]]] = {}
_FIELD_TYPES: dict[type[Payload], list[tuple[str, type]]] = {}


def payload(action: str, *tag: str) -> Callable[[type[P]], type[P]]:
    """Register a frozen dataclass as the payload of buttons with this action (and tag)."""

    def register(cls: type[P]) -> type[P]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        cls.ACTION, cls.TAG = action, tag
        hints = typing.get_type_hints(cls)
        _FIELD_TYPES[cls] = [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]
        kinds = _KINDS.setdefault(action, [])
        if any(
            tag == other.TAG and len(_FIELD_TYPES[other]) == len(_FIELD_TYPES[cls])
            for other in kinds
        ):
            raise ValueError(f"two payloads with the wire form of {cls.__name__}")
        kinds.append(cls)
        return cls

    return register


def _encode(value: object) -> str:
    if isinstance(value, Question):
        return value.key
    text = value.value if isinstance(value, StrEnum) else str(value)
    if not text or SEPARATOR in text:
        raise ValueError(f"not a button field: {value!r}")
    return text


def _decode(raw: str, kind: type) -> Any:
    """The field value of type ``kind`` that ``raw`` stands for; ValueError if none."""
    if kind is int:
        # ASCII digits only ("²" and "١" are digits to str.isdigit), and no larger than a
        # database id can be: a larger number would overflow in the database driver.
        if not raw.isdigit() or not raw.isascii() or int(raw) > LARGEST_ID:
            raise ValueError(raw)
        return int(raw)
    if kind is str:
        if not raw:
            raise ValueError(raw)
        return raw
    if kind is Question:
        question = Question.parse(raw)
        if question is None:
            raise ValueError(raw)
        return question
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return kind(raw)
    raise TypeError(f"no button codec for {kind!r}")


def decode(data: str | None) -> Payload | None:
    """The payload of a pressed button, or None if this version of the bot did not make it."""
    if not data:
        return None
    version, _, rest = data.partition(SEPARATOR)
    action, _, tail = rest.partition(SEPARATOR)
    if version != VERSION or not action:
        return None
    parts = tail.split(SEPARATOR) if tail else []
    for cls in _KINDS.get(action, []):
        fields = _FIELD_TYPES[cls]
        tag = parts[: len(cls.TAG)]
        values = parts[len(cls.TAG) :]
        if tuple(tag) != cls.TAG or len(values) != len(fields):
            continue
        try:
            decoded = {
                name: _decode(raw, kind) for (name, kind), raw in zip(fields, values, strict=True)
            }
        except ValueError:
            continue
        return cls(**decoded)
    return None


# --- the buttons -------------------------------------------------------------------------------


class ReviewAction(StrEnum):
    SEND = "send"
    CHANGE = "change"
    LATER = "later"


@payload("bye", "yes")
@dataclasses.dataclass(frozen=True)
class SignOffConfirmed(Payload):
    """/abmelden: "Ja, Konto löschen"."""


@payload("bye", "no")
@dataclasses.dataclass(frozen=True)
class SignOffKept(Payload):
    """/abmelden: "Nein, behalten"."""


@payload("inv")
@dataclasses.dataclass(frozen=True)
class InviteOffice(Payload):
    """/einladen: a contact for this office."""

    office_id: int


@payload("inv", "c")
@dataclasses.dataclass(frozen=True)
class InviteCoordinator(Payload):
    """/einladen: someone for the coordination office."""


@payload("off")
@dataclasses.dataclass(frozen=True)
class Deactivate(Payload):
    """/deaktivieren: this person was chosen (asks again)."""

    contact_id: int


@payload("offok")
@dataclasses.dataclass(frozen=True)
class DeactivateConfirmed(Payload):
    contact_id: int


@payload("offno")
@dataclasses.dataclass(frozen=True)
class DeactivateCancelled(Payload):
    pass


@payload("sf")
@dataclasses.dataclass(frozen=True)
class ShowField(Payload):
    """/status: one field of action, by its numeral."""

    numeral: str


@payload("chart")
@dataclasses.dataclass(frozen=True)
class ShowChart(Payload):
    pass


class MeasureView(StrEnum):
    STATUS = "s"  # /status CODE
    HISTORY = "h"  # /verlauf CODE


@payload("sm")
@dataclasses.dataclass(frozen=True)
class ShowMeasure(Payload):
    """/status or /verlauf found several measures: this one, in that view."""

    measure_id: int
    view: MeasureView


@payload("start")
@dataclasses.dataclass(frozen=True)
class ReportNow(Payload):
    """ "Jetzt berichten" under a round's opening message or a reminder."""


@payload("snooze")
@dataclasses.dataclass(frozen=True)
class Snooze(Payload):
    """ "Später erinnern" under a reminder."""


@payload("go", "next")
@dataclasses.dataclass(frozen=True)
class NextItem(Payload):
    """ "Der Reihe nach": the next measure still open."""


@payload("go")
@dataclasses.dataclass(frozen=True)
class StartItem(Payload):
    """One measure, for one office."""

    measure_id: int
    office_id: int


@payload("a")
@dataclasses.dataclass(frozen=True)
class AnswerChoice(Payload):
    """An answer button of the question ``question`` of draft ``report_id``."""

    report_id: int
    question: Question
    value: str


@payload("rv")
@dataclasses.dataclass(frozen=True)
class Review(Payload):
    """Absenden, Ändern or Später on a draft's review."""

    report_id: int
    action: ReviewAction


@payload("ch")
@dataclasses.dataclass(frozen=True)
class ChangeAnswer(Payload):
    """Ändern: ask this question of the draft again (the review question: back to review)."""

    report_id: int
    question: Question


@payload("away")
@dataclasses.dataclass(frozen=True)
class AbsentUntil(Payload):
    """/abwesend: absent up to and including this day (``yyyymmdd``); 0: back again."""

    day: int


@payload("pause")
@dataclasses.dataclass(frozen=True)
class Pause(Payload):
    """ "Später" under the "Weiter?" that earlier versions sent after a submission.

    No longer offered (the next measure follows at once), but kept so that such buttons
    still in people's chats keep working.
    """


@payload("file")
@dataclasses.dataclass(frozen=True)
class EvidenceFile(Payload):
    """Under a measure's status: send this evidence file again."""

    evidence_id: int


def day_number(day: date) -> int:
    """A day as buttons carry it: ``yyyymmdd``."""
    return day.year * 10_000 + day.month * 100 + day.day


def day_from_number(number: int) -> date | None:
    """The day a button's ``yyyymmdd`` names; None for anything that is not a date."""
    try:
        return date(number // 10_000, number // 100 % 100, number % 100)
    except ValueError:
        return None


class RoundStep(StrEnum):
    OPEN = "open"  # open a round (none is running)
    EXTEND = "ext"  # extend the due date
    CLOSE = "close"  # close the running round early
    NEXT = "next"  # open the next round in place of the running one
    CANCEL = "no"


@payload("rd")
@dataclasses.dataclass(frozen=True)
class RoundAction(Payload):
    """/runde: a step chosen for the round ``round_id`` (0: none running); ``day`` is a new
    due date (``yyyymmdd``) for EXTEND, else 0. Asks for confirmation."""

    step: RoundStep
    round_id: int
    day: int


@payload("rd", "ok")
@dataclasses.dataclass(frozen=True)
class RoundConfirmed(Payload):
    """/runde: the step confirmed."""

    step: RoundStep
    round_id: int
    day: int


@payload("remind")
@dataclasses.dataclass(frozen=True)
class RemindOutstanding(Payload):
    """/offen: remind the contacts of an office (0: of all offices with open measures) in
    round ``round_id``, within field number ``field`` (1-based; 0: the whole plan)."""

    round_id: int
    office_id: int
    field: int


@payload("sup", "take")
@dataclasses.dataclass(frozen=True)
class SupportTake(Payload):
    """ "Ich kümmere mich" under a support request's notice."""

    request_id: int


@payload("sup", "done")
@dataclasses.dataclass(frozen=True)
class SupportResolve(Payload):
    """ "Erledigt" (``with_note`` 0) or "Erledigt mit Notiz …" (1)."""

    request_id: int
    with_note: int


@payload("sup", "show")
@dataclasses.dataclass(frozen=True)
class SupportShow(Payload):
    """/bitten: show this request's notice (with its buttons) again."""

    request_id: int


@payload("for")
@dataclasses.dataclass(frozen=True)
class ReportFor(Payload):
    """A coordinator enters the report of this office (0: choose the office)."""

    office_id: int
