"""/verlauf as people read it: per round and office every version with its author, notes,
obstacles, support and files; corrections as versions; split between rounds; the picture."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.render import texts
from bot.render.chart import history_chart, history_counts, history_rounds
from bot.render.formatting import visible_len
from bot.render.views import history_view
from storage.answers import Answer, by_round_and_office
from storage.evidence import EvidenceItem
from storage.models import EvidenceKind, Obstacle, Status
from storage.status import MeasureState, TargetState
from tests.answers import answer
from tests.bot.render.test_chart import png_size

ZONE = ZoneInfo("Europe/Berlin")
HEALTH, SOCIAL = "Gesundheitsamt", "Sozialamt"
MEASURE = MeasureState(
    id=1,
    code="V.1.1",
    title="Gesundheitslotsen ausbilden",
    indicator="Zahl der Lotsen",
    offices=(HEALTH, SOCIAL),
    targets=(
        TargetState(11, "kurz", "Zehn Lotsen", ()),
        TargetState(12, "mittel+lang", "Lotsen in jedem Stadtteil", ()),
    ),
    indicator_notes=(),
    reported_in_round=frozenset(),
)
NOVEMBER, DECEMBER, JANUARY = date(2026, 11, 2), date(2026, 12, 1), date(2027, 1, 4)


def version(
    report_id: int,
    opens_on: date,
    office: str,
    submitted_at: datetime,
    *statuses: Status,
    number: int = 1,
    author: str | None = "Bea Beispiel",
    indicator_note: str | None = None,
    **changes: object,
) -> list[Answer]:
    """A submitted version: one answer per target of MEASURE, ``changes`` on the first."""
    made = []
    for position, (target, status) in enumerate(zip(MEASURE.targets, statuses, strict=True)):
        made.append(
            answer(
                report_id=report_id,
                round_id=opens_on.toordinal(),
                round_opens_on=opens_on,
                measure_code=MEASURE.code,
                office=office,
                version=number,
                submitted_at=submitted_at,
                author=author,
                indicator_note=indicator_note,
                target_id=target.id,
                terms=target.terms,
                target=target.target,
                status=status,
                **(changes if position == 0 else {}),
            )
        )
    return made


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def file(
    number: int, opens_on: date, office: str, received_at: datetime, **changes: Any
) -> EvidenceItem:
    made = EvidenceItem(
        id=number,
        kind=EvidenceKind.DOCUMENT,
        file_name=f"beleg-{number}.pdf",
        mime_type="application/pdf",
        file_size=2_500,
        office=office,
        author="Bea Beispiel",
        received_at=received_at,
        round_opens_on=opens_on,
        measure_code=MEASURE.code,
        stored_path=None,
        caption=None,
    )
    return made._replace(**changes)


# November: the Gesundheitsamt reports, then corrects; the Sozialamt reports once (by a
# person whose account is gone). December: the Gesundheitsamt carries everything over.
HISTORY = [
    *version(
        1, NOVEMBER, HEALTH, at(NOVEMBER), Status.DELAYED, Status.ON_TRACK,
        note="Zwei <Lotsen> & mehr", obstacles=(Obstacle.STAFF, Obstacle.OTHER),
        obstacle_note="Raum fehlt", support_requested=True, support_note="Eine halbe Stelle",
    ),
    *version(
        2, NOVEMBER, HEALTH, at(NOVEMBER + timedelta(days=3), 15), Status.ON_TRACK,
        Status.ON_TRACK, number=2, note="Stelle besetzt", indicator_note="4 Lotsen",
    ),
    *version(3, NOVEMBER, SOCIAL, at(NOVEMBER, 10), Status.NOT_STARTED, Status.NOT_STARTED,
             author=None),
    *version(
        4, DECEMBER, HEALTH, at(DECEMBER), Status.ON_TRACK, Status.ON_TRACK,
        note="Stelle besetzt", carried_over=True, indicator_note="4 Lotsen",
    ),
]  # fmt: skip


def test_no_history() -> None:
    assert history_view(MEASURE, [], [], ZONE) == [texts.fill(texts.HISTORY_EMPTY, code="V.1.1")]


def test_rounds_offices_versions_and_everything_said() -> None:
    files = [
        file(1, NOVEMBER, HEALTH, at(NOVEMBER, 8)),  # sent with version 1
        file(2, NOVEMBER, HEALTH, at(NOVEMBER, 12), caption=" Seite\n 2 "),  # with version 2
        file(3, NOVEMBER, SOCIAL, at(NOVEMBER, 9), kind=EvidenceKind.PHOTO, file_size=None),
        file(4, DECEMBER, SOCIAL, at(DECEMBER)),  # no version of that office: not shown
    ]
    [text] = history_view(MEASURE, HISTORY, files, ZONE)
    assert text.split("\n\n") == [
        "<b>Verlauf V.1.1</b>\nGesundheitslotsen ausbilden\n"
        "<i>Zuständig:</i> Gesundheitsamt und Sozialamt",
        "<b>Berichtsrunde ab 02.11.2026</b>\n"
        "<b>Gesundheitsamt</b> · Version 1 vom 02.11.2026, 10:00 Uhr · Bea Beispiel\n"
        "   Kurzfristig: 🟡 verzögert\n"
        "      Getan: Zwei &lt;Lotsen&gt; &amp; mehr\n"
        "      Hindernis: Personal, Sonstiges: Raum fehlt\n"
        "      Unterstützung erbeten: Eine halbe Stelle\n"
        "   Mittel- und langfristig: 🟢 im Plan\n"
        "   📄 beleg-1.pdf · 2,5 KB\n"
        "<b>Gesundheitsamt</b> · Version 2, korrigiert am 05.11.2026, 16:00 Uhr · Bea Beispiel\n"
        "   Kurzfristig: 🟢 im Plan\n"
        "      Getan: Stelle besetzt\n"
        "   Mittel- und langfristig: 🟢 im Plan\n"
        "   Zahlen/Belege: 4 Lotsen\n"
        "   📄 beleg-2.pdf · 2,5 KB – „Seite 2“\n"
        "<b>Sozialamt</b> · ehemalige Ansprechperson, 02.11.2026\n"
        "   Kurzfristig: ⚪ nicht begonnen\n"
        "   Mittel- und langfristig: ⚪ nicht begonnen\n"
        "   📷 Foto",
        "<b>Berichtsrunde ab 01.12.2026</b>\n"
        "<b>Gesundheitsamt</b> · Bea Beispiel, 01.12.2026\n"
        "   Kurzfristig: 🟢 im Plan (unverändert)\n"  # the note was said in November
        "   Mittel- und langfristig: 🟢 im Plan\n"
        "   Zahlen/Belege: 4 Lotsen",
    ]


def test_offices_in_the_measures_order_and_former_ones_last() -> None:
    history = [
        *version(1, NOVEMBER, "Zuletzt abgegeben", at(NOVEMBER), Status.ON_TRACK, Status.ON_TRACK),
        *version(2, NOVEMBER, SOCIAL, at(NOVEMBER), Status.ON_TRACK, Status.ON_TRACK),
        *version(3, NOVEMBER, HEALTH, at(NOVEMBER), Status.ON_TRACK, Status.ON_TRACK),
    ]
    [text] = history_view(MEASURE, history, [], ZONE)
    heads = [line for line in text.split("\n") if " · Bea Beispiel" in line]
    assert [head.split("</b>")[0] for head in heads] == [
        "<b>Gesundheitsamt",
        "<b>Sozialamt",
        "<b>Zuletzt abgegeben",
    ]


def test_a_version_without_targets_shows_its_numbers() -> None:
    bare = answer(
        report_id=9, round_opens_on=NOVEMBER, office=HEALTH, submitted_at=at(NOVEMBER),
        indicator_note="12 Plätze", target_id=None, terms=None, target=None, status=None,
    )  # fmt: skip
    [text] = history_view(MEASURE, [bare], [], ZONE)
    assert text.endswith(
        "<b>Gesundheitsamt</b> · Bea Beispiel, 02.11.2026\n   Zahlen/Belege: 12 Plätze"
    )


def monthly(rounds: int, note: str = "") -> list[Answer]:
    history: list[Answer] = []
    for number in range(rounds):
        opens_on = date(2020 + number // 12, number % 12 + 1, 1)
        history += version(
            number + 1, opens_on, HEALTH, at(opens_on), Status.ON_TRACK, Status.DELAYED, note=note
        )
    return history


def test_only_the_newest_rounds_are_shown() -> None:
    [text] = history_view(MEASURE, monthly(5), [], ZONE, rounds=2)
    assert texts.fill(texts.HISTORY_OLDER, shown=2, count=3) in text.split("\n")
    assert [line for line in text.split("\n") if "Berichtsrunde ab" in line] == [
        "<b>Berichtsrunde ab 01.04.2020</b>",
        "<b>Berichtsrunde ab 01.05.2020</b>",
    ]


def test_a_long_history_is_split_between_rounds() -> None:
    messages = history_view(MEASURE, monthly(30, "Viel geschehen. " * 40), [], ZONE)
    assert len(messages) > 3
    assert all(visible_len(message) <= 4096 for message in messages)
    assert messages[0].startswith("<b>Verlauf V.1.1</b>")
    assert "Berichtsrunde ab 01.07.2020" in messages[0]  # the oldest of the newest 24
    for message in messages[1:]:
        assert message.startswith("<b>Berichtsrunde ab ")  # a round never begins mid-message
    rounds = "\n".join(messages).count("<b>Berichtsrunde ab ")
    assert rounds == 24


def test_a_round_longer_than_a_message_is_split_at_its_lines() -> None:
    history = [
        answer
        for n in range(1, 9)
        for answer in version(
            n, NOVEMBER, f"Amt {n:02d}", at(NOVEMBER), Status.ON_TRACK, Status.ON_TRACK,
            note="x" * 300,
        )
    ]  # fmt: skip
    messages = history_view(MEASURE, history, [], ZONE, limit=1000)
    assert all(visible_len(message) <= 1000 for message in messages)
    lines = "\n".join(messages).split("\n")
    assert lines.count("      Getan: " + "x" * 300) == 8  # no line cut


def test_history_counts_per_round_with_missing_offices() -> None:
    counts = history_counts(MEASURE, HISTORY)
    assert list(counts) == [NOVEMBER, DECEMBER]
    # November: the Gesundheitsamt's version 2 counts, not version 1
    assert counts[NOVEMBER] == Counter({Status.ON_TRACK: 2, Status.NOT_STARTED: 2})
    # December: the Sozialamt did not report its two targets
    assert counts[DECEMBER] == Counter({Status.ON_TRACK: 2, None: 2})
    assert history_rounds(HISTORY) == 2


def test_versions_are_grouped_per_round_and_office_oldest_first() -> None:
    grouped = by_round_and_office(HISTORY)
    assert list(grouped) == [NOVEMBER, DECEMBER]
    assert [v[0].version for v in grouped[NOVEMBER][HEALTH]] == [1, 2]
    assert list(grouped[DECEMBER]) == [HEALTH]


def test_history_chart_is_a_png() -> None:
    history = monthly(3) + HISTORY
    png = history_chart(MEASURE, history)
    assert png_size(png) == (1000, 500)
    assert history_chart(MEASURE, history) == png  # same input, same picture
    assert history_chart(MEASURE, monthly(30)) != png
    assert png_size(history_chart(MEASURE, monthly(30), rounds=24)) == (1000, 500)
