"""Several obstacles and the words for "Sonstiges", as people read them: in messages and views."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.render import texts
from bot.render.formatting import obstacles_text
from bot.render.summary import weekly_summary
from bot.render.views import field_view, measure_view
from storage.answers import Answer
from storage.models import Obstacle, Status
from storage.status import (
    FieldState,
    GoalState,
    MeasureState,
    RoundInfo,
    Snapshot,
    TargetState,
)
from storage.support import SupportItem
from tests.answers import answer

ZONE = ZoneInfo("Europe/Berlin")
ROUND = RoundInfo(7, date(2026, 11, 1), date(2026, 11, 30))
IN_ROUND = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("obstacles", "note", "text"),
    [
        ((), None, ""),
        ((), "", ""),
        ((Obstacle.FUNDING,), None, "Finanzierung"),
        ((Obstacle.STAFF, Obstacle.FUNDING), None, "Personal, Finanzierung"),
        ((Obstacle.FUNDING, Obstacle.STAFF), None, "Personal, Finanzierung"),  # the usual order
        ((Obstacle.OTHER,), None, "Sonstiges"),
        ((Obstacle.OTHER,), "", "Sonstiges"),  # words skipped
        ((Obstacle.OTHER,), "  ", "Sonstiges"),
        ((Obstacle.STAFF, Obstacle.OTHER), "Raum fehlt", "Personal, Sonstiges: Raum fehlt"),
        (
            (Obstacle.OTHER, Obstacle.DATA),
            " Raum\n fehlt ",
            "Daten/Information, Sonstiges: Raum fehlt",
        ),
        ((Obstacle.STAFF,), "Raum fehlt", "Personal, Sonstiges: Raum fehlt"),  # words kept
        ((), "Raum fehlt", "Sonstiges: Raum fehlt"),
        (frozenset({Obstacle.LEGAL, Obstacle.STAFF}), None, "Personal, Recht/Verwaltung"),
        (
            tuple(Obstacle),
            "<b>&</b>",  # plain text: escaped where it goes into a message
            "Personal, Finanzierung, Recht/Verwaltung, Kooperation/Partner, Daten/Information, "
            "Sonstiges: <b>&</b>",
        ),
    ],
)
def test_obstacles_text(obstacles: tuple[Obstacle, ...], note: str | None, text: str) -> None:
    assert obstacles_text(obstacles, note) == text


def test_every_obstacle_has_a_label() -> None:
    assert set(texts.OBSTACLE_LABELS) == {obstacle.value for obstacle in Obstacle}


def report(office: str, **changes: object) -> Answer:
    return answer(office=office, round_id=ROUND.id, submitted_at=IN_ROUND, **changes)


# V.1.1: the Gesundheitsamt names three obstacles and words for "Sonstiges" and asks for
# support, the Sozialamt names none, the Jobcenter one without words.
MEASURE = MeasureState(
    id=1,
    code="V.1.1",
    title="Gesundheitslotsen ausbilden",
    indicator="Zahl der Lotsen",
    offices=("Gesundheitsamt", "Sozialamt", "Jobcenter"),
    targets=(
        TargetState(
            id=11,
            terms="kurz",
            target="Zehn Lotsen sind ausgebildet.",
            reports=(
                report(
                    "Gesundheitsamt",
                    status=Status.AT_RISK,
                    obstacles=(Obstacle.STAFF, Obstacle.FUNDING, Obstacle.OTHER),
                    obstacle_note="Raum <fehlt> & mehr",
                    support_requested=True,
                    support_note="Eine halbe Stelle",
                ),
                report("Sozialamt", status=Status.ON_TRACK),
                report(
                    "Jobcenter",
                    status=Status.DELAYED,
                    obstacles=(Obstacle.OTHER,),
                    support_requested=True,
                ),
            ),
        ),
    ),
    indicator_notes=(),
    reported_in_round=frozenset({"Gesundheitsamt", "Sozialamt", "Jobcenter"}),
)
FIELD = FieldState("V", "Gesundheit", (GoalState("V.1", "Zugang", (MEASURE,)),))
SNAPSHOT = Snapshot(fields=(FIELD,), round=ROUND)


def test_measure_view_names_every_obstacle_and_the_words() -> None:
    lines = measure_view(MEASURE, [], ZONE).split("\n")
    obstacles = [line for line in lines if line.lstrip().startswith("Hindernis")]
    assert obstacles == [
        texts.fill(
            texts.DETAIL_OBSTACLE,
            obstacle="Personal, Finanzierung, Sonstiges: Raum <fehlt> & mehr",
        ),
        texts.fill(texts.DETAIL_OBSTACLE, obstacle="Sonstiges"),
    ]
    assert "Sonstiges: Raum &lt;fehlt&gt; &amp; mehr" in obstacles[0]  # escaped once
    health = lines.index(next(line for line in lines if "Gesundheitsamt:" in line))
    assert lines[health + 1] == obstacles[0]  # below the office that named them
    social = next(line for line in lines if "Sozialamt:" in line)
    assert texts.OBSTACLE_MARK not in social  # none named: no mark, no line


def test_field_view_marks_answers_with_obstacles() -> None:
    lines = field_view(FIELD, SNAPSHOT, ZONE).split("\n")
    marked = {
        office
        for office in MEASURE.offices
        for line in lines
        if office in line and texts.OBSTACLE_MARK in line
    }
    assert marked == {"Gesundheitsamt", "Jobcenter"}


def request(office: str, text: str | None, taken_by: str | None = None) -> SupportItem:
    """An open request for support on V.1.1's short-term target."""
    return SupportItem(
        id=1, measure_code="V.1.1", office=office, terms="kurz", text=text,
        requested_by="Bea Beispiel", requested_by_chat=None, requested_at=IN_ROUND,
        taken_by=taken_by, taken_at=IN_ROUND if taken_by else None, resolved_by=None,
        resolved_at=None, resolution_note=None,
    )  # fmt: skip


def test_weekly_summary_names_every_obstacle_of_a_request() -> None:
    open_ones = [request("Gesundheitsamt", "Eine halbe Stelle"), request("Jobcenter", None)]
    summary = weekly_summary(SNAPSHOT, None, [], 2026, 45, open_ones)
    text = "\n".join(summary.messages)
    assert texts.fill(
        texts.SUMMARY_SUPPORT,
        code="V.1.1",
        office="Gesundheitsamt",
        obstacle="Personal, Finanzierung, Sonstiges: Raum <fehlt> & mehr",
        note=": Eine halbe Stelle",
    ) in text.split("\n")
    assert "• V.1.1 (Jobcenter, Sonstiges)" in text.split("\n")


def test_weekly_summary_without_obstacles_shows_a_dash() -> None:
    asked = replace_reports(report("Sozialamt", status=Status.DELAYED, support_requested=True))
    open_ones = [request("Sozialamt", None, taken_by="Clara Koordina")]
    text = "\n".join(weekly_summary(asked, None, [], 2026, 45, open_ones).messages)
    assert "• V.1.1 (Sozialamt, –) · 🙋 Clara Koordina" in text.split("\n")


def test_weekly_summary_lists_the_open_requests_not_the_answers() -> None:
    """A request resolved (not in the open list) is not shown, though the answer asked."""
    text = "\n".join(weekly_summary(SNAPSHOT, None, [], 2026, 45, []).messages)
    assert texts.SUMMARY_NO_SUPPORT in text.split("\n")


def replace_reports(*reports: Answer) -> Snapshot:
    """:data:`SNAPSHOT` with V.1.1's target answered by these reports."""
    target = TargetState(11, "kurz", "Zehn Lotsen sind ausgebildet.", reports)
    measure = MeasureState(
        id=1, code="V.1.1", title="M", indicator="I", offices=("Sozialamt",), targets=(target,),
        indicator_notes=(), reported_in_round=frozenset({"Sozialamt"}),
    )  # fmt: skip
    return Snapshot((FieldState("V", "Gesundheit", (GoalState("V.1", "Z", (measure,)),)),), ROUND)
