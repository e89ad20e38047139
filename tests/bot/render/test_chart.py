"""The status chart: a PNG of the right size whose content follows the counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime

from bot.render.chart import development_chart, development_figure, status_chart, status_counts
from storage.development import RoundStatus
from storage.models import Status
from storage.reporting import add_months
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


TITLES = {"I": "Bildung", "II": "Ausbildung und berufliche Integration", "III": "Wohnen"}


def development(count: int, numerals: tuple[str, ...] = ("I", "II", "III")) -> list[RoundStatus]:
    """``count`` monthly rounds; field n has n + 1 answers in round k, k of them achieved."""
    return [
        RoundStatus(
            add_months(date(2025, 1, 1), k),
            tuple(
                (numeral, Counter({Status.ACHIEVED: k, Status.DELAYED: n + 1, None: 2}))
                for n, numeral in enumerate(numerals)
            ),
        )
        for k in range(count)
    ]


def test_development_chart_is_a_png_with_a_row_per_two_fields() -> None:
    png = development_chart(development(3), TITLES)
    assert png_size(png) == (1000, 500)  # three panels: two rows of 250 px
    assert development_chart(development(3), TITLES) == png  # same input, same picture
    assert development_chart(development(4), TITLES) != png
    assert png_size(development_chart(development(24, ("I",)), TITLES)) == (1000, 250)
    five = ("I", "II", "III", "IV", "V")
    assert png_size(development_chart(development(24, five), TITLES)) == (1000, 750)
    assert png_size(development_chart([], TITLES)) == (1000, 250)  # nothing: still a picture


def test_development_has_a_panel_per_field_and_a_column_per_round() -> None:
    figure = development_figure(development(3), TITLES)
    assert [axes.get_title(loc="left") for axes in figure.axes] == [
        "I Bildung",
        "II Ausbildung und berufliche Integration",
        "III Wohnen",
    ]
    first, _second, third = figure.axes
    # seven segments (one per status) per round, stacked up to the round's answers
    assert len(first.patches) == 7 * 3
    assert first.get_ylim() == (0, 2 + 1 + 2)  # the newest round: two achieved, one delayed
    assert third.get_ylim() == (0, 2 + 3 + 2)
    dates = [label.get_text() for label in first.get_xticklabels()]
    assert dates == ["01.01.25", "01.02.25", "01.03.25"]


def test_many_rounds_name_only_some_dates_the_newest_always() -> None:
    figure = development_figure(development(24), TITLES)
    dates = [label.get_text() for label in figure.axes[0].get_xticklabels()]
    assert 4 <= len(dates) <= 8
    assert dates[-1] == "01.12.26"
    assert len(figure.axes[0].patches) == 7 * 24


def test_a_single_field_takes_the_whole_width() -> None:
    [axes] = development_figure(development(3, ("II",)), TITLES).axes
    spec = axes.get_subplotspec()
    assert spec is not None
    assert spec.get_gridspec().get_geometry() == (1, 1)
    assert axes.get_title(loc="left") == "II Ausbildung und berufliche Integration"
