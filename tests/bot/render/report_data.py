"""A small hand-made state of the plan and its history, for the tests of the exports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from storage.answers import Answer
from storage.evidence import EvidenceItem
from storage.models import EvidenceKind, Obstacle, Status
from storage.report_basis import ReportBasis
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
LATE_EVENING = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # already 25.11. in Berlin
OCTOBER = datetime(2026, 10, 3, 10, 0, tzinfo=UTC)  # 12:00 in Berlin (summer time)


def report(
    office: str,
    status: Status,
    when: datetime,
    *,
    current: bool,
    note: str | None = None,
    obstacles: tuple[Obstacle, ...] = (),
    obstacle_note: str | None = None,
    support_requested: bool = False,
    support_note: str | None = None,
    indicator_note: str | None = None,
) -> Answer:
    """An office's latest answer on V.1.1's first target (``current``: in round 7)."""
    return answer(
        round_id=7 if current else 6,
        office=office,
        status=status,
        note=note,
        obstacles=obstacles,
        obstacle_note=obstacle_note,
        support_requested=support_requested,
        support_note=support_note,
        submitted_at=when,
        indicator_note=indicator_note,
    )


SHARED = MeasureState(
    id=1,
    code="V.1.1",
    title="Gesundheitslotsen ausbilden",
    indicator="Zahl der Lotsen",
    offices=("Gesundheitsamt", "Sozialamt"),
    targets=(
        TargetState(
            id=11,
            terms="kurz",
            target="Zehn Lotsen sind ausgebildet.",
            reports=(
                report(
                    "Gesundheitsamt",
                    Status.DELAYED,
                    LATE_EVENING,
                    current=True,
                    note='=HYPERLINK("http://x","klick")',
                    obstacles=(Obstacle.STAFF, Obstacle.OTHER),
                    obstacle_note="Raum\nfehlt",
                    support_requested=True,
                    support_note="Eine halbe Stelle",
                    indicator_note="@7 Lotsen",
                ),
                report("Sozialamt", Status.ON_TRACK, OCTOBER, current=False, note="-"),
            ),
        ),
        TargetState(id=12, terms="mittel+lang", target="Das Angebot ist verstetigt.", reports=()),
    ),
    indicator_notes=(("Gesundheitsamt", "@7 Lotsen"),),
    reported_in_round=frozenset({"Gesundheitsamt"}),
)
HEALTH = FieldState(numeral="V", title="Gesundheit", goals=(GoalState("V.1", "Zugang", (SHARED,)),))
LONG = FieldState(
    numeral="II",
    title="Ausbildung und berufliche Integration",
    goals=(
        GoalState(
            "II.1",
            "Übergänge",
            (
                MeasureState(
                    id=2,
                    code="II.1.1",
                    title="Beratung",
                    indicator="Fälle",
                    offices=("Jobcenter",),
                    targets=(TargetState(21, "lang", "Alle beraten.", ()),),
                    indicator_notes=(),
                    reported_in_round=frozenset(),
                ),
            ),
        ),
    ),
)
SNAPSHOT = Snapshot(
    fields=(LONG, HEALTH), round=RoundInfo(7, date(2026, 11, 1), date(2026, 11, 30))
)

# Two rounds as the history reads them: a version with two answers, then a correction.
HISTORY = [
    [
        answer(
            report_id=100, round_id=1, round_opens_on=date(2026, 10, 1), office="Sozialamt",
            submitted_at=OCTOBER, author="Bea Beispiel", target_id=21, note="-",
        ),
        answer(
            report_id=100, round_id=1, round_opens_on=date(2026, 10, 1), office="Sozialamt",
            submitted_at=OCTOBER, author="Bea Beispiel", target_id=22, terms="mittel+lang",
            target="Das Angebot ist verstetigt.", status=Status.NOT_STARTED, note="",
            carried_over=True,
        ),
    ],
    [
        answer(
            report_id=101, round_id=2, version=2, submitted_at=LATE_EVENING, author=None,
            indicator_note="@7 Lotsen", target_id=21, status=Status.DELAYED, note="+1 Kurs",
            obstacles=(Obstacle.FUNDING, Obstacle.LEGAL), support_requested=True, support_note="Geld",
        ),
    ],
]  # fmt: skip


def evidence(file_name: str | None, author: str | None, received_at: datetime) -> EvidenceItem:
    kind = EvidenceKind.DOCUMENT if file_name else EvidenceKind.PHOTO
    return EvidenceItem(
        id=1, kind=kind, file_name=file_name, mime_type=None, file_size=10, office="Gesundheitsamt",
        author=author, received_at=received_at, round_opens_on=date(2026, 11, 1),
        measure_code="V.1.1", stored_path=None, caption=None,
    )  # fmt: skip


# files sent as evidence, newest first; the author of the photo removed their account
EVIDENCE = {
    ("V.1.1", "Gesundheitsamt"): [
        evidence("=rechnung.pdf", "Karl Kontakt", datetime(2026, 11, 24, 23, 30, tzinfo=UTC)),
        evidence(None, None, datetime(2026, 11, 24, 8, 0, tzinfo=UTC)),
    ],
}
OPEN_REQUEST = SupportItem(
    id=3, measure_code="V.1.1", office="Gesundheitsamt", terms="kurz", text="Eine halbe Stelle",
    requested_by="Gina Gesund", requested_by_chat=1, requested_at=LATE_EVENING, taken_by="Kim Koordination",
    taken_at=LATE_EVENING, resolved_by=None, resolved_at=None, resolution_note=None,
)  # fmt: skip
BASIS = ReportBasis(
    plan="Integrationskonzept der Stadt Beispiel",
    today=date(2026, 11, 26),
    snapshot=SNAPSHOT,
    evidence=EVIDENCE,
    support=(OPEN_REQUEST,),
    offices_without_contact=("Jobcenter",),
)
