"""Excel and CSV exports built from a hand-made read model (no database)."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.render import texts
from bot.render.export import (
    build_csv,
    build_xlsx,
    current_rows,
    history_rows,
    sheet_name,
    write_xlsx,
)
from bot.render.export_values import neutralise
from storage.answers import Answer
from storage.evidence import EvidenceItem
from storage.models import EvidenceKind, Obstacle, Status
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

ROW_HEALTH_OFFICE = (
    "V.1.1", "Gesundheitslotsen ausbilden", "Kurzfristig", "kurz", "Zehn Lotsen sind ausgebildet.",
    "verzögert", date(2026, 11, 25), "Gesundheitsamt", "ja", "'=HYPERLINK(\"http://x\",\"klick\")",
    "Personal, Sonstiges: Raum fehlt", "ja", "Eine halbe Stelle", "'@7 Lotsen",
    "'=rechnung.pdf (Karl Kontakt, 25.11.2026); Foto (gelöschtes Konto, 24.11.2026)",
)  # fmt: skip
ROW_SOCIAL_OFFICE = (
    "V.1.1", "Gesundheitslotsen ausbilden", "Kurzfristig", "kurz", "Zehn Lotsen sind ausgebildet.",
    "im Plan", date(2026, 10, 3), "Sozialamt", "nein (älter)", "'-", None, "nein", None, None, None,
)  # fmt: skip
ROW_NO_REPORT = (
    "V.1.1", "Gesundheitslotsen ausbilden", "Mittel- und langfristig", "mittel, lang",
    "Das Angebot ist verstetigt.", "ohne Bericht", None, None, None, None, None, None, None, None,
    None,
)  # fmt: skip


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
HISTORY_ROWS = [
    (
        date(2026, 10, 1), "V.1.1", "Sozialamt", 1, datetime(2026, 10, 3, 12, 0), "Bea Beispiel",
        "Kurzfristig", "Zehn Lotsen sind ausgebildet.", "im Plan", "nein", "'-", None, "nein", None, None,
    ),
    (
        date(2026, 10, 1), "V.1.1", "Sozialamt", 1, datetime(2026, 10, 3, 12, 0), "Bea Beispiel",
        "Mittel- und langfristig", "Das Angebot ist verstetigt.", "nicht begonnen", "ja", None, None,
        "nein", None, None,
    ),
    (
        date(2026, 11, 1), "V.1.1", "Gesundheitsamt", 2, datetime(2026, 11, 25, 0, 30), "–",
        "Kurzfristig", "Zehn Lotsen sind ausgebildet.", "verzögert", "nein", "'+1 Kurs",
        "Finanzierung, Recht/Verwaltung", "ja", "Geld", "'@7 Lotsen",
    ),
]  # fmt: skip


def test_neutralise_formula_starts() -> None:
    assert [neutralise(text) for text in ["=1+1", "+49", "-", "@a", "\tx", "a=b", "–"]] == [
        "'=1+1", "'+49", "'-", "'@a", "'\tx", "a=b", "–",
    ]  # fmt: skip
    assert neutralise("\x01=cmd") == "'=cmd"  # a control character cannot hide a formula


def test_current_rows() -> None:
    assert current_rows(HEALTH, ZONE, EVIDENCE) == [
        ROW_HEALTH_OFFICE, ROW_SOCIAL_OFFICE, ROW_NO_REPORT,
    ]  # fmt: skip
    assert all(len(row) == len(texts.EXPORT_CURRENT_COLUMNS) for row in current_rows(LONG, ZONE))


def test_history_rows() -> None:
    assert list(history_rows([a for batch in HISTORY for a in batch], ZONE)) == HISTORY_ROWS
    empty = answer(
        round_opens_on=date(2026, 9, 1), measure_code="I.1.1", office="Amt",
        submitted_at=OCTOBER, author="A", indicator_note="=2", target_id=None, terms=None,
        target=None, status=None,
    )  # fmt: skip
    assert list(history_rows([empty], ZONE)) == [
        (date(2026, 9, 1), "I.1.1", "Amt", 1, datetime(2026, 10, 3, 12, 0), "A", *[None] * 8, "'=2")
    ]


def test_sheet_names_are_valid_and_unique() -> None:
    taken = {"verlauf"}
    names = [
        sheet_name(text, taken)
        for text in [
            "II Ausbildung und berufliche Integration",
            "III Wohnen: [neu]/alt?*\\",
            "iii wohnen neu alt",
            "Verlauf",
            "'Zitat'",
        ]
    ]
    assert names == [
        "II Ausbildung und berufliche…",
        "III Wohnen neu alt",
        "iii wohnen neu alt (2)",
        "Verlauf (2)",
        "Zitat",
    ]
    assert all(len(name) <= 31 for name in names)


async def test_workbook() -> None:
    data = await build_xlsx(SNAPSHOT, HISTORY, ZONE, EVIDENCE)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["II Ausbildung und berufliche…", "V Gesundheit", "Verlauf"]

    sheet = book["V Gesundheit"]
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0] == texts.EXPORT_CURRENT_COLUMNS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O4"
    assert sheet.column_dimensions["B"].width == 45
    # openpyxl reads every date back as a datetime; what matters is that it is one.
    assert rows[1] == (*ROW_HEALTH_OFFICE[:6], datetime(2026, 11, 25), *ROW_HEALTH_OFFICE[7:])
    assert rows[2] == (*ROW_SOCIAL_OFFICE[:6], datetime(2026, 10, 3), *ROW_SOCIAL_OFFICE[7:])
    assert rows[3] == ROW_NO_REPORT
    assert sheet["G2"].is_date
    assert sheet["G2"].number_format == "DD.MM.YYYY"
    assert sheet["J2"].data_type == "s"  # the formula stayed text

    history = book["Verlauf"]
    rows = [tuple(cell.value for cell in row) for row in history.iter_rows()]
    assert rows[0] == texts.EXPORT_HISTORY_COLUMNS
    assert rows[1] == (datetime(2026, 10, 1), *HISTORY_ROWS[0][1:])
    assert rows[3] == (datetime(2026, 11, 1), *HISTORY_ROWS[2][1:])
    assert len(rows) == 4
    assert history["E4"].number_format == "DD.MM.YYYY HH:MM"
    assert history["A4"].is_date

    long = book["II Ausbildung und berufliche…"]
    assert [cell.value for cell in long[2]][:6] == [
        "II.1.1", "Beratung", "Langfristig", "lang", "Alle beraten.", "ohne Bericht",
    ]  # fmt: skip


async def test_workbook_with_an_empty_history() -> None:
    book = load_workbook(io.BytesIO(await build_xlsx(Snapshot((), None), [], ZONE)))
    assert book.sheetnames == ["Verlauf"]
    assert [c.value for c in book["Verlauf"][1]] == list(texts.EXPORT_HISTORY_COLUMNS)


async def test_long_history_continues_on_further_sheets() -> None:
    buffer = io.BytesIO()
    await write_xlsx(buffer, Snapshot((), None), HISTORY, ZONE, rows_per_sheet=2)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["Verlauf", "Verlauf 2"]
    first = [tuple(c.value for c in row) for row in book["Verlauf"].iter_rows()]
    second = [tuple(c.value for c in row) for row in book["Verlauf 2"].iter_rows()]
    assert first[0] == second[0] == texts.EXPORT_HISTORY_COLUMNS
    assert len(first) == 3  # header and two rows
    assert len(second) == 2  # header and the third row
    assert second[1] == (datetime(2026, 11, 1), *HISTORY_ROWS[2][1:])


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


async def test_csv_files() -> None:
    current, past = await build_csv(SNAPSHOT, HISTORY, ZONE, EVIDENCE)
    assert current.startswith(codecs.BOM_UTF8 + "Handlungsfeld;Code;Maßnahme;".encode())
    rows = parse(current)
    assert rows[0] == [texts.EXPORT_FIELD_COLUMN, *texts.EXPORT_CURRENT_COLUMNS]
    assert rows[1][:7] == [
        "II Ausbildung und berufliche Integration", "II.1.1", "Beratung", "Langfristig",
        "lang", "Alle beraten.", "ohne Bericht",
    ]  # fmt: skip
    assert rows[2] == [
        "V Gesundheit", "V.1.1", "Gesundheitslotsen ausbilden", "Kurzfristig", "kurz",
        "Zehn Lotsen sind ausgebildet.", "verzögert", "25.11.2026", "Gesundheitsamt", "ja",
        "'=HYPERLINK(\"http://x\",\"klick\")", "Personal, Sonstiges: Raum fehlt", "ja",
        "Eine halbe Stelle", "'@7 Lotsen",
        "'=rechnung.pdf (Karl Kontakt, 25.11.2026); Foto (gelöschtes Konto, 24.11.2026)",
    ]  # fmt: skip
    assert rows[3][7:11] == ["03.10.2026", "Sozialamt", "nein (älter)", "'-"]
    assert rows[4][6:] == ["ohne Bericht", *[""] * 9]
    assert len(rows) == 5

    rows = parse(past)
    assert rows[0] == list(texts.EXPORT_HISTORY_COLUMNS)
    assert rows[3] == [
        "01.11.2026", "V.1.1", "Gesundheitsamt", "2", "25.11.2026 00:30", "–", "Kurzfristig",
        "Zehn Lotsen sind ausgebildet.", "verzögert", "nein", "'+1 Kurs",
        "Finanzierung, Recht/Verwaltung", "ja", "Geld", "'@7 Lotsen",
    ]  # fmt: skip
    assert len(rows) == 4
