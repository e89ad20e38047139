"""The overall status of a shared measure is the most critical of its offices' reports;
codes as people type them."""

from __future__ import annotations

import pytest

from storage.models import Status
from storage.status import canonical_code, most_critical, roman


def test_most_critical() -> None:
    assert most_critical([Status.ON_TRACK, Status.AT_RISK, Status.DELAYED]) is Status.AT_RISK
    assert most_critical([Status.ACHIEVED, Status.NOT_STARTED]) is Status.NOT_STARTED
    assert most_critical([None, Status.DROPPED]) is Status.DROPPED
    assert most_critical([]) is None


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("V.1.2", "V.1.2"),
        ("v.1.2", "V.1.2"),
        ("5.1.2", "V.1.2"),
        ("3.1", "III.1"),
        ("14.2.1", "XIV.2.1"),
        ("V.1.2.", "V.1.2"),
        ("V.1.2,", "V.1.2"),
        ("V.1.2?!", "V.1.2"),
        (" „V.1.2“ ", "V.1.2"),
        ("(5.1.2).", "V.1.2"),
        ("V.01.02", "V.1.2"),
        ("iii.3", "III.3"),
        ("V", None),
        ("5", None),
        ("0.1", None),
        ("V.1.2.3", None),
        ("V 1 2", None),
        ("V..1", None),
        ("Gesundheit", None),
        ("", None),
    ],
)
def test_canonical_code(typed: str, code: str | None) -> None:
    assert canonical_code(typed) == code


@pytest.mark.parametrize(
    ("number", "numeral"),
    [(1, "I"), (4, "IV"), (5, "V"), (9, "IX"), (14, "XIV"), (1994, "MCMXCIV")],
)
def test_roman(number: int, numeral: str) -> None:
    assert roman(number) == numeral
