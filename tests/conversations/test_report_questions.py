"""The question order follows from the stored answers alone."""

from __future__ import annotations

from conversations.report_questions import (
    Kind,
    Question,
    answered_questions,
    changeable,
    current_question,
    plan,
    previous_question,
)
from storage.models import Obstacle, Status, TargetAnswer


def A(
    target_id: int,
    status: Status | None = None,
    note: str | None = None,
    obstacles: tuple[Obstacle, ...] | None = None,
    support_requested: bool | None = None,
    support_note: str | None = None,
    obstacle_note: str | None = None,
) -> TargetAnswer:
    """An answer of a draft as stored (not added to any session)."""
    return TargetAnswer(
        horizon_target_id=target_id,
        status=status,
        note=note,
        obstacles=obstacles,
        obstacle_note=obstacle_note,
        support_requested=support_requested,
        support_note=support_note,
    )


def keys(questions: list[Question]) -> list[str]:
    return [q.key for q in questions]


def test_plain_plan_is_one_question_per_target() -> None:
    # the note is typed at the status question, the indicator at the review
    assert keys(plan([A(1), A(2)])) == ["st.1", "st.2"]


def test_follow_up_only_for_delayed_and_at_risk() -> None:
    assert keys(plan([A(1, Status.DELAYED)])) == ["st.1", "ob.1", "sp.1"]
    assert keys(plan([A(1, Status.AT_RISK, support_requested=True)])) == [
        "st.1", "ob.1", "sp.1", "sn.1",
    ]  # fmt: skip
    assert keys(plan([A(1, Status.ON_TRACK, support_requested=True)])) == ["st.1"]


def test_other_obstacle_asks_for_words() -> None:
    other = (Obstacle.STAFF, Obstacle.OTHER)
    assert keys(plan([A(1, Status.DELAYED, obstacles=other)])) == ["st.1", "ob.1", "on.1", "sp.1"]
    assert keys(plan([A(1, Status.DELAYED, obstacles=())])) == ["st.1", "ob.1", "sp.1"]


def test_current_is_first_unanswered_then_the_review() -> None:
    answers = [A(1, Status.ON_TRACK, ""), A(2)]
    assert current_question(answers, None).key == "st.2"
    answers[1].note = "typed before the status"
    assert current_question(answers, None).key == "st.2"  # a note alone answers nothing
    answers[1].status = Status.ACHIEVED
    assert current_question(answers, None).kind is Kind.REVIEW  # the indicator is optional
    assert current_question(answers, "").kind is Kind.REVIEW


def test_editing_counts_only_while_it_applies() -> None:
    answers = [A(1, Status.ON_TRACK, "x")]
    assert current_question(answers, None, Question(Kind.NOTE, 1)) == Question(Kind.NOTE, 1)
    assert current_question(answers, None, Question(Kind.INDICATOR)) == Question(Kind.INDICATOR)
    # the obstacle question does not apply to a target on track
    assert current_question(answers, None, Question(Kind.OBSTACLE, 1)).kind is Kind.REVIEW


def test_previous_question_for_going_back() -> None:
    answers = [A(1, Status.DELAYED, "x", (Obstacle.STAFF,)), A(2)]
    assert current_question(answers, None).key == "sp.1"
    assert previous_question(answers, None) == Question(Kind.OBSTACLE, 1)
    assert previous_question([A(1)], None) is None
    done = [A(1, Status.ON_TRACK, "")]
    assert previous_question(done, "12 Kurse") == Question(Kind.STATUS, 1)
    # from a note being changed, back to the status it belongs to
    assert previous_question(done, None, Question(Kind.NOTE, 1)) == Question(Kind.STATUS, 1)


def test_what_can_be_changed() -> None:
    answers = [A(1, Status.DELAYED, "", (Obstacle.FUNDING,), False)]
    assert keys(answered_questions(answers, "")) == ["st.1", "ob.1", "sp.1"]
    assert keys(changeable(answers, "")) == ["st.1", "nt.1", "ob.1", "sp.1", "in"]


def test_question_keys_round_trip_and_reject_nonsense() -> None:
    for question in (
        Question(Kind.STATUS, 12),
        Question(Kind.OBSTACLE_NOTE, 3),
        Question(Kind.INDICATOR),
        Question(Kind.REVIEW),
    ):
        assert Question.parse(question.key) == question
    for bad in ("xx.1", "st", "st.abc", "in.3", "", "st.²", "st." + str(2**31)):
        assert Question.parse(bad) is None
