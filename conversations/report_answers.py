"""Storing one answer of a draft report (the only place that writes answers)."""

from __future__ import annotations

from datetime import datetime

from conversations.report_questions import (
    ANSWER_FIELDS,
    NEEDS_FOLLOW_UP,
    TEXT_KINDS,
    Kind,
    Question,
)
from storage.models import Obstacle, Report, Status, TargetAnswer


def _answer(draft: Report, question: Question) -> TargetAnswer:
    for answer in draft.answers:
        if answer.horizon_target_id == question.target_id:
            return answer
    raise LookupError(f"draft {draft.id} has no answer for {question.key}")


def record_status(draft: Report, question: Question, status: Status, now: datetime) -> None:
    answer = _answer(draft, question)
    answer.status = status
    answer.carried_over = False
    if answer.note is None:
        answer.note = ""  # no note typed before the status was chosen: none
    if status not in NEEDS_FOLLOW_UP:
        # obstacle and support only apply to delayed and at-risk targets
        answer.obstacles = None
        answer.obstacle_note = None
        answer.support_requested = None
        answer.support_note = None
    _touch(draft, answer, now)


def record_unchanged(
    draft: Report, question: Question, previous: TargetAnswer, now: datetime
) -> None:
    """ "Unverändert": status and texts of the last report carried over into this round."""
    answer = _answer(draft, question)
    answer.status = previous.status
    answer.note = previous.note if previous.note is not None else ""
    answer.obstacles = previous.obstacles
    answer.obstacle_note = previous.obstacle_note
    answer.support_requested = previous.support_requested
    answer.support_note = previous.support_note
    answer.carried_over = True
    _touch(draft, answer, now)


def record_obstacles(
    draft: Report, question: Question, obstacles: frozenset[Obstacle], now: datetime
) -> None:
    """The obstacles chosen (several, or none); words for "Sonstiges" only while it is chosen."""
    answer = _answer(draft, question)
    chosen = tuple(o for o in Obstacle if o in obstacles)
    if answer.obstacles != chosen:
        answer.carried_over = False
    answer.obstacles = chosen
    if Obstacle.OTHER not in chosen:
        answer.obstacle_note = None
    _touch(draft, answer, now)


def record_support(draft: Report, question: Question, wanted: bool, now: datetime) -> None:
    answer = _answer(draft, question)
    if answer.support_requested != wanted:
        answer.carried_over = False
    answer.support_requested = wanted
    if not wanted:
        answer.support_note = None
    _touch(draft, answer, now)


def record_text(draft: Report, question: Question, text: str, now: datetime) -> None:
    """A free-text answer as typed; the empty string means skipped."""
    if question.kind not in TEXT_KINDS:
        raise ValueError(f"{question.key} is not a text question")
    _store(draft, question, text, now)


def _store(draft: Report, question: Question, value: str, now: datetime) -> None:
    """Store the text ``value`` as the answer to ``question``."""
    if question.kind is Kind.INDICATOR:
        draft.indicator_note = value
        draft.updated_at, draft.paused_at, draft.editing = now, None, None
        return
    answer = _answer(draft, question)
    name = ANSWER_FIELDS[question.kind]
    if getattr(answer, name) != value:
        answer.carried_over = False  # changed: no longer what the last report said
    setattr(answer, name, value)
    _touch(draft, answer, now)


def keep(draft: Report, now: datetime) -> None:
    """ "Beibehalten": the answer being changed stays as it was."""
    draft.editing = None
    draft.updated_at, draft.paused_at = now, None


def _touch(draft: Report, answer: TargetAnswer, now: datetime) -> None:
    """An answer was given: the draft is in use (and no longer paused)."""
    answer.answered_at = now
    draft.updated_at, draft.paused_at, draft.editing = now, None, None
