"""Which question comes next in a report: derived from the stored answers, never remembered.

A report on one measure asks, per horizon target, for its status; a few words on what
happened may be typed at the same question (before tapping the status), so a target
nothing is to be said about costs one tap. Only for 🟡 verzögert and 🔴 gefährdet follow
what is in the way (several obstacles; a few words for "Sonstiges") and whether the
coordination should help (with an optional sentence if so). The measure ends with its
review, which is also where figures or evidence for the success indicator are typed or
sent, and where it is submitted.

``None`` means "not answered yet", an empty value "skipped" or "none", so the current
question is the first one of :func:`plan` whose answer is ``None``. The note and the
indicator are not in the plan (they are optional and taken where they are offered); they
are asked on their own only when a person chooses to change them. These functions are
pure: they read answers and return questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from storage.models import Obstacle, Status, TargetAnswer

NEEDS_FOLLOW_UP = frozenset({Status.DELAYED, Status.AT_RISK})
TEXT_LIMIT = 2000


class Kind(StrEnum):
    STATUS = "st"
    NOTE = "nt"
    OBSTACLE = "ob"
    OBSTACLE_NOTE = "on"
    SUPPORT = "sp"
    SUPPORT_NOTE = "sn"
    INDICATOR = "in"
    REVIEW = "rv"


# Questions whose answer is typed text.
TEXT_KINDS = frozenset({Kind.NOTE, Kind.OBSTACLE_NOTE, Kind.SUPPORT_NOTE, Kind.INDICATOR})
# Questions at which typed text is taken: as the answer, or as the optional text that
# belongs to them (the status takes the target's note, the review the indicator's).
TAKES_TEXT = TEXT_KINDS | {Kind.STATUS, Kind.REVIEW}
# Where the answer to each question about a horizon target is stored in its TargetAnswer
# (the indicator's note is the report's own ``indicator_note``).
ANSWER_FIELDS: dict[Kind, str] = {
    Kind.STATUS: "status",
    Kind.NOTE: "note",
    Kind.OBSTACLE: "obstacles",
    Kind.OBSTACLE_NOTE: "obstacle_note",
    Kind.SUPPORT: "support_requested",
    Kind.SUPPORT_NOTE: "support_note",
}
PER_MEASURE = frozenset({Kind.INDICATOR, Kind.REVIEW})
# The ids are INTEGER columns: 32 bits on PostgreSQL, where a larger number in a query
# fails ("value out of int32 range"); SQLite's 64 bits hold them as well.
LARGEST_ID = 2**31 - 1


@dataclass(frozen=True)
class Question:
    kind: Kind
    target_id: int | None = None  # the horizon target; None for indicator and review

    @property
    def key(self) -> str:
        """Short and stable, carried in button data: ``st.12``, ``in``, ``rv``."""
        return self.kind.value if self.target_id is None else f"{self.kind.value}.{self.target_id}"

    @property
    def expects_text(self) -> bool:
        """Whether the answer itself is text (the status and review take text beside)."""
        return self.kind in TEXT_KINDS

    @property
    def takes_text(self) -> bool:
        return self.kind in TAKES_TEXT

    @property
    def text_question(self) -> Question:
        """The question typed text answers while this one is asked."""
        if self.kind is Kind.STATUS:
            return Question(Kind.NOTE, self.target_id)
        if self.kind is Kind.REVIEW:
            return Question(Kind.INDICATOR)
        return self

    @classmethod
    def parse(cls, key: str) -> Question | None:
        kind, _, target = key.partition(".")
        try:
            parsed = Kind(kind)
        except ValueError:
            return None
        if parsed in PER_MEASURE:
            return None if target else cls(parsed)
        if not (target.isascii() and target.isdigit()) or int(target) > LARGEST_ID:
            return None
        return cls(parsed, int(target))


def target_questions(answer: TargetAnswer) -> list[Question]:
    """The questions about one horizon target that apply given its answers so far."""
    target = answer.horizon_target_id
    questions = [Question(Kind.STATUS, target)]
    if answer.status in NEEDS_FOLLOW_UP:
        questions.append(Question(Kind.OBSTACLE, target))
        if answer.obstacles and Obstacle.OTHER in answer.obstacles:
            questions.append(Question(Kind.OBSTACLE_NOTE, target))
        questions.append(Question(Kind.SUPPORT, target))
        if answer.support_requested:
            questions.append(Question(Kind.SUPPORT_NOTE, target))
    return questions


def plan(answers: Sequence[TargetAnswer]) -> list[Question]:
    """All questions of the measure that apply, in order, without the review."""
    return [q for answer in answers for q in target_questions(answer)]


def stored_value(
    question: Question, answers: Sequence[TargetAnswer], indicator_note: str | None
) -> object:
    """The stored answer to ``question`` (None if unanswered)."""
    if question.kind is Kind.INDICATOR:
        return indicator_note
    if question.kind is Kind.REVIEW:
        return None
    answer = next((a for a in answers if a.horizon_target_id == question.target_id), None)
    return None if answer is None else getattr(answer, ANSWER_FIELDS[question.kind])


def current_question(
    answers: Sequence[TargetAnswer], indicator_note: str | None, editing: Question | None = None
) -> Question:
    """The question being changed, else the first unanswered one, else the review.

    ``editing`` is a question the person chose to answer again ("Ändern", /zurueck); it
    keeps its answer until a new one is given, and counts only while it still applies.
    """
    if editing is not None and editing in changeable(answers, indicator_note):
        return editing
    for question in plan(answers):
        if stored_value(question, answers, indicator_note) is None:
            return question
    return Question(Kind.REVIEW)


def previous_question(
    answers: Sequence[TargetAnswer], indicator_note: str | None, editing: Question | None = None
) -> Question | None:
    """The answered question just before the current one (for /zurueck), if any."""
    questions = plan(answers)
    current = current_question(answers, indicator_note, editing)
    if current.kind is Kind.REVIEW:
        end = len(questions)
    elif current in questions:
        end = questions.index(current)
    else:  # a note or the indicator being changed: back to the status it belongs to
        status = Question(Kind.STATUS, current.target_id)
        end = questions.index(status) + 1 if status in questions else len(questions)
    for question in reversed(questions[:end]):
        if stored_value(question, answers, indicator_note) is not None:
            return question
    return None


def answered_questions(
    answers: Sequence[TargetAnswer], indicator_note: str | None
) -> list[Question]:
    """Questions of the plan with a stored answer, in order."""
    return [q for q in plan(answers) if stored_value(q, answers, indicator_note) is not None]


def changeable(answers: Sequence[TargetAnswer], indicator_note: str | None) -> list[Question]:
    """What "Ändern" offers: every answered question, each target's note once its status is
    given, and the indicator."""
    choices: list[Question] = []
    for answer in answers:
        for question in target_questions(answer):
            if stored_value(question, answers, indicator_note) is None:
                continue
            choices.append(question)
            if question.kind is Kind.STATUS:
                choices.append(Question(Kind.NOTE, answer.horizon_target_id))
    choices.append(Question(Kind.INDICATOR))
    return choices
