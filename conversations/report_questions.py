"""Which question comes next in a report: derived from the stored answers, never remembered.

A report on one measure asks, per horizon target: the status; what happened since the last
report; and, only for 🟡 verzögert and 🔴 gefährdet, what is in the way and whether the
coordination should help (with an optional sentence if so). Then, once per measure, the
evidence for the success indicator, and finally the review. ``None`` means "not answered
yet", an empty string "skipped", so the current question is simply the first one whose
answer is ``None``. These functions are pure: they read answers and return questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from storage.models import Status, TargetAnswer

NEEDS_FOLLOW_UP = frozenset({Status.DELAYED, Status.AT_RISK})
TEXT_LIMIT = 2000


class Kind(StrEnum):
    STATUS = "st"
    NOTE = "nt"
    OBSTACLE = "ob"
    SUPPORT = "sp"
    SUPPORT_NOTE = "sn"
    INDICATOR = "in"
    REVIEW = "rv"


TEXT_KINDS = frozenset({Kind.NOTE, Kind.SUPPORT_NOTE, Kind.INDICATOR})
# Where the answer to each question about a horizon target is stored in its TargetAnswer
# (the indicator's note is the report's own ``indicator_note``).
ANSWER_FIELDS: dict[Kind, str] = {
    Kind.STATUS: "status",
    Kind.NOTE: "note",
    Kind.OBSTACLE: "obstacle",
    Kind.SUPPORT: "support_requested",
    Kind.SUPPORT_NOTE: "support_note",
}


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
        return self.kind in TEXT_KINDS

    @classmethod
    def parse(cls, key: str) -> Question | None:
        kind, _, target = key.partition(".")
        try:
            parsed = Kind(kind)
        except ValueError:
            return None
        per_measure = parsed in (Kind.INDICATOR, Kind.REVIEW)
        if per_measure:
            return None if target else cls(parsed)
        return cls(parsed, int(target)) if target.isdigit() else None


def target_questions(answer: TargetAnswer) -> list[Question]:
    """The questions about one horizon target that apply given its answers so far."""
    target = answer.horizon_target_id
    questions = [Question(Kind.STATUS, target), Question(Kind.NOTE, target)]
    if answer.status in NEEDS_FOLLOW_UP:
        questions += [Question(Kind.OBSTACLE, target), Question(Kind.SUPPORT, target)]
        if answer.support_requested:
            questions.append(Question(Kind.SUPPORT_NOTE, target))
    return questions


def plan(answers: Sequence[TargetAnswer]) -> list[Question]:
    """All questions of the measure that apply, in order, without the review."""
    questions = [q for answer in answers for q in target_questions(answer)]
    questions.append(Question(Kind.INDICATOR))
    return questions


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
    questions = plan(answers)
    if editing is not None and editing in questions:
        return editing
    for question in questions:
        if stored_value(question, answers, indicator_note) is None:
            return question
    return Question(Kind.REVIEW)


def previous_question(
    answers: Sequence[TargetAnswer], indicator_note: str | None, editing: Question | None = None
) -> Question | None:
    """The answered question just before the current one (for /zurueck), if any."""
    questions = plan(answers)
    current = current_question(answers, indicator_note, editing)
    end = len(questions) if current.kind is Kind.REVIEW else questions.index(current)
    for question in reversed(questions[:end]):
        if stored_value(question, answers, indicator_note) is not None:
            return question
    return None


def answered_questions(
    answers: Sequence[TargetAnswer], indicator_note: str | None
) -> list[Question]:
    """Questions with a stored answer, in order: the choices for "Ändern"."""
    return [q for q in plan(answers) if stored_value(q, answers, indicator_note) is not None]
