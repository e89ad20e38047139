"""Answers made by hand, for tests of what reads them (views, exports, chart, summary)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from storage.answers import Answer
from storage.models import Status

EXAMPLE = Answer(
    report_id=1,
    round_id=1,
    round_opens_on=date(2026, 11, 1),
    measure_code="V.1.1",
    office="Gesundheitsamt",
    version=1,
    submitted_at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
    author="Bea Beispiel",
    indicator_note=None,
    target_id=11,
    terms="kurz",
    target="Zehn Lotsen sind ausgebildet.",
    status=Status.ON_TRACK,
    note=None,
    obstacles=(),
    obstacle_note=None,
    support_requested=False,
    support_note=None,
    carried_over=False,
)


def answer(**changes: Any) -> Answer:
    """:data:`EXAMPLE` with these fields changed."""
    return EXAMPLE._replace(**changes)
