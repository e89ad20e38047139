"""Finding what people ask for: codes as they type them, offices, words of a measure; and the
views that answer (an office's measures, choices, a field naming every responsible office)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.render import texts
from bot.render.views import (
    CHOICES_SHOWN,
    choice_label,
    field_choices,
    field_view,
    find_measures,
    find_office,
    is_code,
    measure_choices,
    office_candidates,
    office_view,
)
from storage.models import Status
from storage.status import (
    FieldState,
    GoalState,
    MeasureState,
    RoundInfo,
    Snapshot,
    TargetState,
)
from tests.answers import answer

ZONE = ZoneInfo("Europe/Berlin")
ROUND = RoundInfo(7, date(2026, 11, 2), date(2026, 12, 1))
IN_ROUND = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
OFFICES = [
    "Amt für Jugend und Familie",
    "Amt für soziale Leistungen",
    "Jugendhilfeplanung",
    "Leitstelle Wohnen",
    "Bau & Boden",
]


def measure(
    code: str,
    title: str,
    indicator: str = "Zahl der Angebote",
    offices: tuple[str, ...] = ("Amt für soziale Leistungen",),
    reports: dict[str, Status] | None = None,
) -> MeasureState:
    given = reports or {}
    made = tuple(
        answer(office=office, status=status, submitted_at=IN_ROUND, measure_code=code)
        for office, status in given.items()
    )
    return MeasureState(
        id=hash(code) & 0xFFFF,
        code=code,
        title=title,
        indicator=indicator,
        offices=offices,
        targets=(TargetState(11, "kurz", "Ziel", made),),
        indicator_notes=(),
        reported_in_round=frozenset(given),
    )


THERAPY = measure("V.1.1", "Angebote der Beratung und Therapie", "Traumatherapie wird vermittelt")
MINORS = measure(
    "V.1.2",
    "Betreuung unbegleiteter Minderjähriger",
    "Überleitung in eine Traumatherapie",
    offices=("Amt für Jugend und Familie",),
    reports={"Amt für Jugend und Familie": Status.DELAYED},
)
HOUSING = measure(
    "III.1.1",
    "Wohnraumversorgungskonzept erstellen (Straßenzüge prüfen)",
    offices=("Leitstelle Wohnen", "Amt für soziale Leistungen", "Bau & Boden"),
    reports={"Leitstelle Wohnen": Status.ON_TRACK, "Amt für soziale Leistungen": Status.AT_RISK},
)
SNAPSHOT = Snapshot(
    (
        FieldState("III", "Wohnen", (GoalState("III.1", "Wohnraum", (HOUSING,)),)),
        FieldState("V", "Gesundheit", (GoalState("V.1", "Zugang", (THERAPY, MINORS)),)),
    ),
    ROUND,
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("V.1.2", True), ("5.1.2", True), ("v.1.2.", True), ("V.1.2,", True), ("3.1", True),
        ("V", False), ("5", False), ("Gesundheit", False), ("V.1.2.3", False), ("0.1", False),
    ],
)  # fmt: skip
def test_is_code(query: str, *, expected: bool) -> None:
    assert is_code(query) is expected


@pytest.mark.parametrize(
    ("query", "office"),
    [
        ("Amt für soziale Leistungen", "Amt für soziale Leistungen"),
        ("amt für SOZIALE   leistungen", "Amt für soziale Leistungen"),  # case and spaces
        ("Amt für soz", "Amt für soziale Leistungen"),  # a unique beginning
        ("jugendhilfe", "Jugendhilfeplanung"),
        ("Leitstelle", "Leitstelle Wohnen"),
        ("Amt für", None),  # two offices begin so
        ("Amt", None),
        ("soziale Leistungen", None),  # not a beginning
        ("", None),
        ("   ", None),
    ],
)
def test_find_office(query: str, office: str | None) -> None:
    assert find_office(query, OFFICES) == office


def test_an_exact_name_wins_over_a_longer_one() -> None:
    offices = ["Sozialamt", "Sozialamt Nord"]
    assert find_office("sozialamt", offices) == "Sozialamt"
    assert office_candidates("sozialamt", offices) == offices
    assert office_candidates("Amt für", OFFICES) == OFFICES[:2]
    assert office_candidates("", OFFICES) == []


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("Traumatherapie", ["V.1.1", "V.1.2"]),  # in an indicator
        ("traumatherapie.", ["V.1.1", "V.1.2"]),  # any case, punctuation after it
        ("Therapie", ["V.1.1", "V.1.2"]),  # inside a longer word
        ("Minderjähriger", ["V.1.2"]),  # in a title
        ("Therapie Überleitung", ["V.1.2"]),  # every word must be there
        ("STRASSENZÜGE", ["III.1.1"]),  # "ß" and "ss" are the same
        ("Kultur", []),
        ("und", []),  # too short to search for: it is in everything
        ("der die und", []),
        ("", []),
    ],
)
def test_find_measures_by_a_word(query: str, codes: list[str]) -> None:
    assert [m.code for m in find_measures(query, SNAPSHOT.measures())] == codes


def test_field_choices_offer_offices_and_say_what_else_is_found() -> None:
    text = field_choices("Amt für", SNAPSHOT.fields, ["Amt für Jugend und Familie", "Bau & Boden"])
    assert text.split("\n") == [
        "„Amt für“ ist nicht eindeutig oder unbekannt. Möglich sind:",
        "   /status III – Wohnen",
        "   /status V – Gesundheit",
        "   /status Amt für Jugend und Familie",
        "   /status Bau &amp; Boden",
        "",
        texts.LOOKUP_HINT,
    ]


def test_measure_choices_show_at_most_ten() -> None:
    many = [measure(f"I.1.{n}", f"Maßnahme <{n}>") for n in range(1, 14)]
    text, shown = measure_choices("<b>Kopf</b>", many)
    assert shown == many[:CHOICES_SHOWN]
    lines = text.split("\n")
    assert lines[0] == "<b>Kopf</b>"
    assert lines[1] == "<b>I.1.1</b> Maßnahme &lt;1&gt;"
    assert len(lines) == 1 + CHOICES_SHOWN + 1
    assert lines[-1] == texts.fill(texts.MEASURE_CHOICES_MORE, count=3)
    assert measure_choices("Kopf", many[:2])[0].count("\n") == 2  # no "more" line


def test_a_choice_button_is_plain_text() -> None:
    label = choice_label(measure("I.1.1", "Bau & Boden – eine sehr lange Überschrift mit mehr"))
    assert label == "I.1.1 Bau & Boden – eine sehr lange Übers…"  # not escaped: a button


def test_office_view_shows_the_offices_own_part() -> None:
    lines = office_view("Amt für soziale Leistungen", SNAPSHOT, ZONE).split("\n")
    assert lines == [
        "<b>Amt für soziale Leistungen</b>",
        "Berichtsrunde 02.11.2026 bis 01.12.2026",
        "Zuständig für 2 Maßnahmen; in dieser Runde berichtet: 1 von 2",
        "",
        "<b>III.1.1</b> Wohnraumversorgungskonzept erstellen (Straßenzüge prüfen) "
        "(mit 2 weiteren Ämtern)",
        "   Kurzfristig: 🔴 gefährdet, 03.11.2026",
        "",
        "<b>V.1.1</b> Angebote der Beratung und Therapie",
        "   Kurzfristig: – ohne Bericht",
        "",
        texts.fill(texts.OFFICE_HINT, code="III.1.1"),
        texts.VIEW_LEGEND,
    ]


def test_office_view_of_a_shared_office_and_without_a_round() -> None:
    text = office_view("Bau & Boden", Snapshot(SNAPSHOT.fields, None), ZONE)
    assert text.split("\n")[:3] == [
        "<b>Bau &amp; Boden</b>",
        texts.NO_ROUND_LINE,
        "Zuständig für 1 Maßnahme",
    ]
    assert "(mit 2 weiteren Ämtern)" in text
    only_one_other = office_view("Amt für Jugend und Familie", SNAPSHOT, ZONE)
    assert "<b>V.1.2</b> Betreuung unbegleiteter Minderjähriger\n" in only_one_other


def test_office_view_without_visible_measures() -> None:
    assert office_view("Jugendhilfeplanung", SNAPSHOT, ZONE) == texts.fill(
        texts.OFFICE_NOT_YOURS, office="Jugendhilfeplanung"
    )


def test_field_view_names_the_office_of_every_measure() -> None:
    lines = field_view(SNAPSHOT.fields[1], SNAPSHOT, ZONE).split("\n")
    assert "   Kurzfristig: – ohne Bericht · Amt für soziale Leistungen" in lines
    assert "   Kurzfristig: 🟡 verzögert · Amt für Jugend und Familie, 03.11.2026" in lines
    housing = field_view(SNAPSHOT.fields[0], SNAPSHOT, ZONE).split("\n")
    assert housing[-6:-2] == [
        "   Kurzfristig: 🔴 gefährdet (gesamt, aus 2 von 3 Ämtern)",
        "      Leitstelle Wohnen: 🟢 im Plan, 03.11.2026",
        "      Amt für soziale Leistungen: 🔴 gefährdet, 03.11.2026",
        "      Bau &amp; Boden: – ohne Bericht",  # escaped once
    ]


def test_snapshot_finds_codes_as_typed() -> None:
    assert SNAPSHOT.find_measure("5.1.2") is MINORS
    assert SNAPSHOT.find_measure("v.1.2.") is MINORS
    assert SNAPSHOT.find_measure("V.1.2") is MINORS
    assert SNAPSHOT.find_measure("V.1.9") is None
    found = SNAPSHOT.find_goal("3.1")
    assert found is not None
    assert found[1].code == "III.1"
    assert SNAPSHOT.offices() == [
        "Leitstelle Wohnen",
        "Amt für soziale Leistungen",
        "Bau & Boden",
        "Amt für Jugend und Familie",
    ]
