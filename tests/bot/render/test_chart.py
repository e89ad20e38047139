"""The status chart: a PNG of the right size whose content follows the counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.render.chart import status_chart, status_counts
from storage.models import Status
from storage.status import (
    FieldState,
    GoalState,
    MeasureState,
    Snapshot,
    TargetState,
)
from tests.answers import answer

DAY = date(2026, 11, 25)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def target(number: int, *statuses: Status) -> TargetState:
    reports = tuple(
        answer(
            office=f"Amt {n}",
            status=status,
            target_id=number,
            submitted_at=datetime(2026, 11, 20, tzinfo=UTC),
        )
        for n, status in enumerate(statuses)
    )
    return TargetState(id=number, terms="kurz", target=f"Ziel {number}", reports=reports)


def field(numeral: str, title: str, *targets: TargetState) -> FieldState:
    measure = MeasureState(
        id=1,
        code=f"{numeral}.1.1",
        title="Maßnahme",
        indicator="Zahl",
        offices=("Amt 0", "Amt 1"),
        targets=targets,
        indicator_notes=(),
        reported_in_round=frozenset(),
    )
    return FieldState(numeral, title, (GoalState(f"{numeral}.1", "Ziel", (measure,)),))


FIELDS = (
    field(
        "I",
        "Bildung",
        target(1, Status.ACHIEVED),
        target(2, Status.ON_TRACK, Status.AT_RISK),  # shared: the worst counts
        target(3),
        target(4, Status.DROPPED),
    ),
    field(
        "II",
        "Ausbildung und berufliche Integration",
        target(5, Status.DELAYED),
        target(6, Status.NOT_STARTED),
    ),
)
SNAPSHOT = Snapshot(fields=FIELDS, round=None)


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"  # the first chunk carries width and height
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_counts_use_the_overall_status() -> None:
    assert status_counts(FIELDS[0]) == {
        Status.ACHIEVED: 1,
        Status.AT_RISK: 1,
        None: 1,
        Status.DROPPED: 1,
    }


def test_png_of_the_expected_size() -> None:
    png = status_chart(SNAPSHOT, DAY)
    assert png_size(png) == (1000, 500)
    assert len(png) < 150_000
    assert status_chart(SNAPSHOT, DAY) == png  # same input, same picture


def test_different_counts_give_a_different_picture() -> None:
    png = status_chart(SNAPSHOT, DAY)
    changed = replace(
        SNAPSHOT,
        fields=(FIELDS[0], field("II", "Ausbildung", target(5, Status.ACHIEVED), target(6))),
    )
    other = status_chart(changed, DAY)
    assert png_size(other) == (1000, 500)
    assert other != png
    assert status_chart(SNAPSHOT, date(2026, 12, 1)) != png  # the date is in the title


def test_empty_snapshot_still_draws() -> None:
    assert png_size(status_chart(Snapshot((), None), DAY)) == (1000, 500)
