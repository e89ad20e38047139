"""The rows every export shows, and the CSV files, built from a hand-made read model."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import replace
from datetime import date, datetime

from bot.render import texts
from bot.render.export import (
    build_csv,
    field_parts,
    field_summary,
    history_rows,
    newest_first,
    total_summary,
)
from bot.render.export_values import clean, neutralise
from bot.render.views import parts, status_counts
from storage.models import Status
from storage.status import FieldState, GoalState
from tests.answers import answer
from tests.bot.render.report_data import (
    EVIDENCE,
    HEALTH,
    HISTORY,
    LONG,
    OCTOBER,
    SHARED,
    SNAPSHOT,
    ZONE,
)

HEAD = ("V.1.1", "Gesundheitslotsen ausbilden", "Zahl der Lotsen")
FIRST_TARGET = ("Kurzfristig", "Zehn Lotsen sind ausgebildet.")
SECOND_TARGET = ("Mittel- und langfristig", "Das Angebot ist verstetigt.")
ROW_HEALTH_OFFICE = (
    *HEAD, *FIRST_TARGET, "Gesundheitsamt", "verzögert", date(2026, 11, 25), "ja", "Bea Beispiel",
    '=HYPERLINK("http://x","klick")', "Personal, Sonstiges: Raum fehlt", "ja", "Eine halbe Stelle",
    "@7 Lotsen", "=rechnung.pdf (Karl Kontakt, 25.11.2026); Foto (gelöschtes Konto, 24.11.2026)",
)  # fmt: skip
ROW_SOCIAL_OFFICE = (
    *HEAD, *FIRST_TARGET, "Sozialamt", "im Plan", date(2026, 10, 3), "nein (älter)",
    "Bea Beispiel", "-", None, "nein", None, None, None,
)  # fmt: skip
NO_REPORT = ("ohne Bericht", *[None] * 9)
HISTORY_ROWS = [
    (
        date(2026, 10, 1), "V.1.1", "Sozialamt", 1, datetime(2026, 10, 3, 12, 0), "Bea Beispiel",
        "Kurzfristig", "Zehn Lotsen sind ausgebildet.", "im Plan", "nein", "-", None, "nein", None, None,
    ),
    (
        date(2026, 10, 1), "V.1.1", "Sozialamt", 1, datetime(2026, 10, 3, 12, 0), "Bea Beispiel",
        "Mittel- und langfristig", "Das Angebot ist verstetigt.", "nicht begonnen", "ja", None, None,
        "nein", None, None,
    ),
    (
        date(2026, 11, 1), "V.1.1", "Gesundheitsamt", 2, datetime(2026, 11, 25, 0, 30),
        "gelöschtes Konto", "Kurzfristig", "Zehn Lotsen sind ausgebildet.", "verzögert", "nein",
        "+1 Kurs", "Finanzierung, Recht/Verwaltung", "ja", "Geld", "@7 Lotsen",
    ),
]  # fmt: skip


def test_neutralise_formula_starts() -> None:
    assert [neutralise(text) for text in ["=1+1", "+49", "-", "@a", "\tx", "a=b", "–"]] == [
        "'=1+1", "'+49", "'-", "'@a", "'\tx", "a=b", "–",
    ]  # fmt: skip
    assert neutralise("\x01=cmd") == "'=cmd"  # a control character cannot hide a formula
    assert neutralise("a\ud800b") == "ab"  # a lone surrogate cannot be written at all


def test_clean_keeps_what_a_cell_can_hold() -> None:
    assert clean("Zeile 1\nZeile 2\t😀") == "Zeile 1\nZeile 2\t😀"
    assert clean("a\x00b\ud83dc\ufffe") == "abc"
    assert len(clean("x" * 40_000)) == 32_767


def test_every_responsible_office_has_a_row_per_target() -> None:
    rows = [part.cells for part in field_parts(HEALTH, ZONE, EVIDENCE)]
    assert rows == [
        ROW_HEALTH_OFFICE,
        ROW_SOCIAL_OFFICE,
        (*HEAD, *SECOND_TARGET, "Gesundheitsamt", *NO_REPORT),
        (*HEAD, *SECOND_TARGET, "Sozialamt", *NO_REPORT),
    ]
    assert all(len(row) == len(texts.EXPORT_CURRENT_COLUMNS) for row in rows)
    assert [part.first for part in field_parts(HEALTH, ZONE)] == [True, False, False, False]


def test_an_office_that_is_no_longer_responsible_keeps_its_row_last() -> None:
    only_social = replace(SHARED, offices=("Sozialamt",))
    field = FieldState("V", "Gesundheit", (GoalState("V.1", "Zugang", (only_social,)),))
    offices = [(part.target and part.target.id, part.office) for part in field_parts(field, ZONE)]
    assert offices == [(11, "Sozialamt"), (11, "Gesundheitsamt"), (12, "Sozialamt")]


def test_an_entry_by_a_coordinator_names_both() -> None:
    target = SHARED.targets[0]
    by_hand = target.reports[0]._replace(author="Kim Koordination", on_behalf=True)
    measure = replace(SHARED, targets=(replace(target, reports=(by_hand,)),))
    field = FieldState("V", "Gesundheit", (GoalState("V.1", "Zugang", (measure,)),))
    author = field_parts(field, ZONE)[0].cells[texts.EXPORT_CURRENT_COLUMNS.index("Von")]
    assert author == "erfasst von Kim Koordination für Gesundheitsamt"


def test_overview_counts_as_status_does() -> None:
    for field in SNAPSHOT.fields:
        summary = field_summary(field)
        shown = status_counts(field.targets())
        assert {s: summary.counts[s] for s in Status} == {s: shown[s] for s in Status}
        assert summary.counts[None] == sum(t.overall is None for t in field.targets())
        assert summary.parts == parts(field.measures(), None)
    health = field_summary(HEALTH)
    assert health.offices == (1, 2)  # the Gesundheitsamt reported this round, the Sozialamt not
    assert health.parts == (1, 2)
    total = total_summary([field_summary(f) for f in SNAPSHOT.fields], SNAPSHOT)
    assert total.counts.total() == len(LONG.targets()) + len(HEALTH.targets())
    assert total.offices == (1, 3)


def test_history_rows() -> None:
    assert list(history_rows([a for batch in HISTORY for a in batch], ZONE)) == HISTORY_ROWS
    empty = answer(
        round_opens_on=date(2026, 9, 1), measure_code="I.1.1", office="Amt",
        submitted_at=OCTOBER, author="A", indicator_note="=2", target_id=None, terms=None,
        target=None, status=None,
    )  # fmt: skip
    assert list(history_rows([empty], ZONE)) == [
        (date(2026, 9, 1), "I.1.1", "Amt", 1, datetime(2026, 10, 3, 12, 0), "A", *[None] * 8, "=2")
    ]


def test_a_rounds_newest_version_comes_first() -> None:
    first = answer(report_id=1, submitted_at=OCTOBER, target_id=1)
    also_first = answer(report_id=1, submitted_at=OCTOBER, target_id=2)
    later = answer(report_id=2, version=2, submitted_at=OCTOBER.replace(day=9), target_id=1)
    other = answer(report_id=3, office="Sozialamt", submitted_at=OCTOBER.replace(day=5))
    assert newest_first([first, also_first, later, other]) == [later, other, first, also_first]


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


async def test_csv_files() -> None:
    current, past = await build_csv(SNAPSHOT.fields, HISTORY, ZONE, EVIDENCE)
    assert current.startswith(codecs.BOM_UTF8 + b"Handlungsfeld;Ziel-Code;Ziel;Code;")
    rows = parse(current)
    assert rows[0] == [*texts.EXPORT_FIELD_COLUMNS, *texts.EXPORT_CURRENT_COLUMNS]
    assert rows[1][:10] == [
        "II Ausbildung und berufliche Integration", "II.1", "Übergänge", "II.1.1", "Beratung",
        "Fälle", "Langfristig", "Alle beraten.", "Jobcenter", "ohne Bericht",
    ]  # fmt: skip
    assert rows[2] == [
        "V Gesundheit", "V.1", "Zugang", *HEAD, *FIRST_TARGET, "Gesundheitsamt", "verzögert",
        "25.11.2026", "ja", "Bea Beispiel", "'=HYPERLINK(\"http://x\",\"klick\")",
        "Personal, Sonstiges: Raum fehlt", "ja", "Eine halbe Stelle", "'@7 Lotsen",
        "'=rechnung.pdf (Karl Kontakt, 25.11.2026); Foto (gelöschtes Konto, 24.11.2026)",
    ]  # fmt: skip
    assert rows[3][10:15] == ["03.10.2026", "nein (älter)", "Bea Beispiel", "'-", ""]
    assert [row[8:10] for row in rows[4:]] == [
        ["Gesundheitsamt", "ohne Bericht"],
        ["Sozialamt", "ohne Bericht"],
    ]
    assert len(rows) == 6

    rows = parse(past)
    assert rows[0] == list(texts.EXPORT_HISTORY_COLUMNS)
    assert [row[:3] for row in rows[1:]] == [  # newest round first
        ["01.11.2026", "V.1.1", "Gesundheitsamt"],
        ["01.10.2026", "V.1.1", "Sozialamt"],
        ["01.10.2026", "V.1.1", "Sozialamt"],
    ]
    assert rows[1][4:] == [
        "25.11.2026 00:30", "gelöschtes Konto", "Kurzfristig", "Zehn Lotsen sind ausgebildet.",
        "verzögert", "nein", "'+1 Kurs", "Finanzierung, Recht/Verwaltung", "ja", "Geld",
        "'@7 Lotsen",
    ]  # fmt: skip


def test_a_measure_without_horizon_targets_still_names_its_offices() -> None:
    bare = replace(SHARED, targets=())
    field = FieldState("V", "Gesundheit", (GoalState("V.1", "Zugang", (bare,)),))
    rows = [part.cells for part in field_parts(field, ZONE)]
    assert [(r[0], r[3], r[5], r[6], r[14]) for r in rows] == [
        ("V.1.1", None, "Gesundheitsamt", None, "@7 Lotsen"),
        ("V.1.1", None, "Sozialamt", None, None),
    ]
