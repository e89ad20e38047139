"""The council's workbook, read back with openpyxl: sheets, rows, colours, print setup."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.render import texts
from bot.render.chart import SEGMENTS
from bot.render.workbook import sheet_name, write_workbook
from storage.models import Status
from storage.report_basis import ReportBasis
from storage.status import Snapshot
from tests.answers import answer
from tests.bot.render.report_data import BASIS, HISTORY, ZONE

COLOURS = {status: colour.lstrip("#").upper() for status, colour in SEGMENTS}


async def workbook(basis: ReportBasis = BASIS, history: Any = HISTORY, **options: Any) -> Any:
    buffer = io.BytesIO()
    await write_workbook(buffer, basis, history, ZONE, **options)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def values(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


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


async def test_overview_first_with_counts_chart_requests_and_offices_without_contact() -> None:
    book = await workbook()
    assert book.sheetnames == [
        "Übersicht", "II Ausbildung und berufliche…", "V Gesundheit", "Verlauf",
    ]  # fmt: skip
    sheet = book["Übersicht"]
    rows = values(sheet)
    assert rows[0][0] == "Integrationskonzept der Stadt Beispiel"
    assert rows[1][0] == "Stand: 26.11.2026"
    assert rows[2][0] == "Berichtsrunde vom 01.11.2026 bis 30.11.2026"
    head = rows.index(tuple(c for c in rows[4]))
    assert rows[head][:8] == (
        "Handlungsfeld", "erreicht", "im Plan", "verzögert", "gefährdet", "nicht begonnen",
        "entfällt", "ohne Bericht",
    )  # fmt: skip
    # V.1.1: the short-term target is delayed (the worst of two offices), the other unreported
    assert rows[head + 2] == (
        "V Gesundheit", 0, 0, 1, 0, 0, 0, 1, 2, "1 von 2", "berichtet von 1 von 2 Ämtern",
    )  # fmt: skip
    assert rows[head + 3][0] == "Gesamt"
    assert rows[head + 3][7:9] == (2, 3)

    (chart,) = sheet._charts
    assert chart.grouping == "stacked"
    assert len(chart.series) == len(SEGMENTS)
    texts_below = [row[0] for row in rows[head + 4 :] if row[0] is not None]
    assert texts_below[:3] == ["Offene Bitten um Unterstützung: 1", "Amt", "Gesundheitsamt"]
    request = next(row for row in rows if row[0] == "Gesundheitsamt")
    assert request[:7] == (
        "Gesundheitsamt", "V.1.1", "Kurzfristig", datetime(2026, 11, 25), "Gina Gesund",
        "Kim Koordination", "Eine halbe Stelle",
    )  # fmt: skip
    assert texts_below[-2:] == ["Ämter ohne Ansprechperson: 1", "Jobcenter"]


async def test_field_sheet_groups_by_goal_with_every_office_and_status_colours() -> None:
    sheet = (await workbook())["V Gesundheit"]
    rows = values(sheet)
    assert rows[0][0] == "V Gesundheit"
    assert rows[2] == texts.EXPORT_CURRENT_COLUMNS
    assert rows[3][0] == "Ziel V.1: Zugang"
    assert "A4:P4" in {str(merged) for merged in sheet.merged_cells.ranges}
    parts = [(row[0], row[4], row[5], row[6]) for row in rows[4:]]
    assert parts == [
        ("V.1.1", "Zehn Lotsen sind ausgebildet.", "Gesundheitsamt", "verzögert"),
        ("V.1.1", None, "Sozialamt", "im Plan"),  # the target is named in its first row
        ("V.1.1", "Das Angebot ist verstetigt.", "Gesundheitsamt", "ohne Bericht"),
        ("V.1.1", None, "Sozialamt", "ohne Bericht"),
    ]
    assert rows[4][1:3] == ("Gesundheitslotsen ausbilden", "Zahl der Lotsen")
    assert rows[5][1:3] == (None, None)  # title and indicator once per measure
    assert rows[4][10] == '=HYPERLINK("http://x","klick")'  # text, not a formula
    assert sheet["K5"].data_type == "s"
    assert sheet["H5"].is_date
    assert sheet["H5"].number_format == "DD.MM.YYYY"
    fills = [sheet.cell(row, 7).fill.fgColor.rgb[-6:] for row in range(5, 9)]
    assert fills == [
        COLOURS[Status.DELAYED], COLOURS[Status.ON_TRACK], COLOURS[None], COLOURS[None],
    ]  # fmt: skip
    assert all(cell.font.bold for cell in sheet[3])
    assert all(cell.alignment.wrap_text for cell in sheet[5][9:12])


async def test_every_sheet_is_set_up_for_print() -> None:
    book = await workbook()
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert setup.fitToWidth in (None, 1)  # 1 is the default and not written
        assert setup.fitToHeight == 0
        assert sheet.oddFooter.center.text == "Seite &P von &N"
        assert sheet.oddFooter.right.text == "Stand: 26.11.2026"
    field = book["V Gesundheit"]
    assert field.freeze_panes == "A4"
    assert field.print_title_rows == "$1:$3"
    assert field.auto_filter.ref == "A3:P8"
    widths = [field.column_dimensions[chr(65 + n)].width for n in range(16)]
    assert 200 < sum(widths) < 240  # A4 landscape at about 70 %
    history = book["Verlauf"]
    assert (history.freeze_panes, history.print_title_rows) == ("A2", "$1:$1")
    assert history.auto_filter.ref == "A1:O4"


async def test_history_newest_first_with_status_colours() -> None:
    sheet = (await workbook())["Verlauf"]
    rows = values(sheet)
    assert rows[0] == texts.EXPORT_HISTORY_COLUMNS
    assert [(row[0], row[2], row[7]) for row in rows[1:]] == [
        (datetime(2026, 11, 1), "Gesundheitsamt", "Zehn Lotsen sind ausgebildet."),
        (datetime(2026, 10, 1), "Sozialamt", "Zehn Lotsen sind ausgebildet."),
        (datetime(2026, 10, 1), "Sozialamt", "Das Angebot ist verstetigt."),
    ]
    assert rows[1][4] == datetime(2026, 11, 25, 0, 30)
    assert sheet["E2"].number_format == "DD.MM.YYYY HH:MM"
    assert sheet["I2"].fill.fgColor.rgb[-6:] == COLOURS[Status.DELAYED]


async def test_a_history_longer_than_a_sheet_says_so_and_keeps_the_newest() -> None:
    rounds = [
        [answer(report_id=n, round_id=n, round_opens_on=date(2026, n, 1), target_id=1)]
        for n in range(1, 7)
    ]
    sheet = (await workbook(history=rounds, history_row_limit=5))["Verlauf"]
    rows = values(sheet)
    assert rows[0][0] == (
        "Der Verlauf hat 6 Zeilen, mehr als ein Excel-Blatt fasst. Hier stehen die neuesten 3. "
        "Den ganzen Verlauf enthält der CSV-Export (/export csv oder monitoring-bot export "
        "--format csv)."
    )
    assert rows[1] == texts.EXPORT_HISTORY_COLUMNS
    assert [row[0] for row in rows[2:]] == [datetime(2026, m, 1) for m in (6, 5, 4)]
    assert sheet.print_title_rows == "$1:$2"


async def test_an_empty_plan_and_history() -> None:
    empty = ReportBasis("Plan", date(2026, 11, 26), Snapshot((), None))
    book = await workbook(empty, [])
    assert book.sheetnames == ["Übersicht", "Verlauf"]
    assert values(book["Übersicht"])[2][0] == "Zurzeit läuft keine Berichtsrunde."
    assert values(book["Verlauf"]) == [texts.EXPORT_HISTORY_COLUMNS]


async def test_texts_that_no_cell_can_hold_are_cleaned() -> None:
    odd = HISTORY[1][0]._replace(note="a\x00b\ud800c 😀 & <x>")
    sheet = (await workbook(history=[[odd]]))["Verlauf"]
    assert values(sheet)[1][10] == "abc 😀 & <x>"
