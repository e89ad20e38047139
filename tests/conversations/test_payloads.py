"""Button payloads: every kind encodes within Telegram's 64 bytes and decodes to itself;
anything else, forged or from another version, decodes to nothing."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations import payloads
from conversations.payloads import (
    AnswerChoice,
    ChangeAnswer,
    InviteCoordinator,
    InviteOffice,
    NextItem,
    Payload,
    Review,
    ReviewAction,
    SignOffConfirmed,
    StartItem,
    decode,
)
from conversations.report_questions import Kind, Question

BIG = 2**31 - 1  # the largest id the database can give (INTEGER on PostgreSQL)

EXAMPLES: list[Payload] = [
    SignOffConfirmed(),
    payloads.SignOffKept(),
    InviteOffice(BIG),
    InviteCoordinator(),
    payloads.Deactivate(BIG),
    payloads.DeactivateConfirmed(BIG),
    payloads.DeactivateCancelled(),
    payloads.ShowField("XVIII"),
    payloads.ShowChart(),
    payloads.ShowMeasure(BIG, payloads.MeasureView.HISTORY),
    payloads.ReportNow(),
    payloads.Snooze(),
    NextItem(),
    StartItem(BIG, BIG),
    AnswerChoice(BIG, Question(Kind.SUPPORT_NOTE, BIG), "not_started"),
    Review(BIG, ReviewAction.CHANGE),
    ChangeAnswer(BIG, Question(Kind.REVIEW)),
    payloads.Pause(),
    payloads.AbsentUntil(20261231),
    payloads.EvidenceFile(BIG),
    payloads.RoundAction(payloads.RoundStep.EXTEND, BIG, 20270114),
    payloads.RoundConfirmed(payloads.RoundStep.NEXT, BIG, 0),
    payloads.RemindOutstanding(BIG, BIG, 5),
    payloads.SupportTake(BIG),
    payloads.SupportResolve(BIG, 1),
    payloads.SupportShow(BIG),
    payloads.ReportFor(BIG),
]


def test_every_kind_of_button_has_an_example() -> None:
    kinds = {cls for classes in payloads._KINDS.values() for cls in classes}
    assert kinds == {type(example) for example in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: type(e).__name__)
def test_round_trip_within_64_bytes(example: Payload) -> None:
    data = example.encode()
    assert len(data.encode()) <= payloads.LIMIT
    assert decode(data) == example


def test_wire_form_of_earlier_versions_is_kept() -> None:
    """Buttons already in people's chats keep working after an upgrade."""
    assert decode("v1:go:next") == NextItem()
    assert decode("v1:go:12:3") == StartItem(12, 3)
    assert decode("v1:inv:c") == InviteCoordinator()
    assert decode("v1:inv:7") == InviteOffice(7)
    assert decode("v1:a:5:st.12:same") == AnswerChoice(5, Question(Kind.STATUS, 12), "same")
    assert decode("v1:rv:5:send") == Review(5, ReviewAction.SEND)
    assert decode("v1:bye:yes") == SignOffConfirmed()
    assert StartItem(12, 3).encode() == "v1:go:12:3"


@pytest.mark.parametrize(
    "data",
    [
        None, "", "kaputt", "v0:offok:1", "v1:gibtsnicht", "v1:inv:99x", "v1:off:abc",
        "v1:off:-1", "v1:off:1:2", "v1:off", "v1:a:1:st.x:same", "v1:a:1:zz.1:same",
        "v1:rv:1:explode", "v1:bye:vielleicht", "v1:go:1", "v1:go:next:1", "v1:sf:",
        "v1:off:١٢",  # digits, but not ASCII ones
        "v1:off:²",  # a digit to str.isdigit(), not to int()
        "v1:off:2147483648",  # 2**31: no database id is that large
        "v1:off:" + "9" * 20,
    ],
)  # fmt: skip
def test_anything_else_decodes_to_nothing(data: str | None) -> None:
    assert decode(data) is None


# Forged data shaped like ours: the version, a known action, then parts of any kind.
FORGED = st.builds(
    ":".join,
    st.lists(
        st.one_of(
            st.sampled_from(["v1", "go", "next", "a", "rv", "inv", "c", "st.1", "send"]),
            st.integers(min_value=-3, max_value=2**64).map(str),
            st.text(max_size=12),
        ),
        max_size=6,
    ),
)


@given(st.one_of(st.text(max_size=80), FORGED))
def test_arbitrary_data_never_raises(data: str) -> None:
    result = decode(data)
    assert result is None or decode(result.encode()) == result


@pytest.mark.slow
@settings(max_examples=20_000)
@given(st.one_of(st.text(max_size=80), FORGED))
def test_arbitrary_data_never_raises_many_more(data: str) -> None:
    result = decode(data)
    assert result is None or decode(result.encode()) == result


def test_too_long_or_unencodable_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        payloads.ShowField("X" * 60).encode()
    with pytest.raises(ValueError, match="not a button field"):
        payloads.ShowField("a:b").encode()


def test_payloads_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        StartItem(1, 2).measure_id = 3  # type: ignore[misc]
