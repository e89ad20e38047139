"""The overall status of a shared measure is the most critical of its offices' reports."""

from __future__ import annotations

from storage.models import Status
from storage.status import most_critical


def test_most_critical() -> None:
    assert most_critical([Status.ON_TRACK, Status.AT_RISK, Status.DELAYED]) is Status.AT_RISK
    assert most_critical([Status.ACHIEVED, Status.NOT_STARTED]) is Status.NOT_STARTED
    assert most_critical([None, Status.DROPPED]) is Status.DROPPED
    assert most_critical([]) is None
