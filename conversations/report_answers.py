"""Storing and clearing one answer of a draft report (the only place that writes answers)."""

from __future__ import annotations

from datetime import datetime

from conversations.report_questions import NEEDS_FOLLOW_UP, Kind, Question
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
    if status not in NEEDS_FOLLOW_UP:
        # obstacle and support only apply to delayed and at-risk targets
        answer.obstacle = None
        answer.support_requested = None
        answer.support_note = None
    _touch(draft, answer, now)


def record_unchanged(
    draft: Report, question: Question, previous: TargetAnswer, now: datetime
) -> None:
    """ "Unverändert": status and texts of the last report carried over into this round."""
    answer = _answer(draft, question)
    answer.status = previous.status
    answer.progress_note = previous.progress_note if previous.progress_note is not None else ""
    answer.obstacle = previous.obstacle
    answer.support_requested = previous.support_requested
    answer.support_note = previous.support_note
    answer.carried_over = True
    _touch(draft, answer, now)


def record_obstacle(draft: Report, question: Question, obstacle: Obstacle, now: datetime) -> None:
    answer = _answer(draft, question)
    answer.obstacle = obstacle
    _touch(draft, answer, now)


def record_support(draft: Report, question: Question, wanted: bool, now: datetime) -> None:
    answer = _answer(draft, question)
    answer.support_requested = wanted
    if not wanted:
        answer.support_note = None
    _touch(draft, answer, now)


def record_text(draft: Report, question: Question, text: str, now: datetime) -> None:
    """A free-text answer as typed; the empty string means skipped."""
    if question.kind is Kind.INDICATOR:
        draft.indicator_note = text
        draft.updated_at = now
        return
    answer = _answer(draft, question)
    if question.kind is Kind.NOTE:
        answer.progress_note = text
    elif question.kind is Kind.SUPPORT_NOTE:
        answer.support_note = text
    else:
        raise ValueError(f"{question.key} is not a text question")
    _touch(draft, answer, now)


def clear(draft: Report, question: Question, now: datetime) -> None:
    """Forget one answer so that it is asked again (/zurueck, "Ändern")."""
    if question.kind is Kind.INDICATOR:
        draft.indicator_note = None
        draft.updated_at = now
        return
    answer = _answer(draft, question)
    if question.kind is Kind.STATUS:
        answer.status = None
        answer.carried_over = False
    elif question.kind is Kind.NOTE:
        answer.progress_note = None
    elif question.kind is Kind.OBSTACLE:
        answer.obstacle = None
    elif question.kind is Kind.SUPPORT:
        answer.support_requested = None
        answer.support_note = None
    elif question.kind is Kind.SUPPORT_NOTE:
        answer.support_note = None
    _touch(draft, answer, now)


def _touch(draft: Report, answer: TargetAnswer, now: datetime) -> None:
    answer.answered_at = now
    draft.updated_at = now
