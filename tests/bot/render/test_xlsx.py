"""The streaming workbook writer: what it writes, openpyxl reads back exactly."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from bot.render import xlsx


async def workbook(*sheets: tuple[str, list[list[xlsx.Cell]]]) -> bytes:
    buffer = io.BytesIO()
    async with xlsx.Workbook(buffer) as book:
        for name, rows in sheets:
            sheet = book.add_sheet(name, ["Text", "Zahl", "Datum"], [30, 8.5, 12])
            for row in rows:
                sheet.append(row)
            await sheet.close()
    return buffer.getvalue()


async def test_values_come_back_as_written() -> None:
    rows: list[list[xlsx.Cell]] = [
        ["<b>Fett</b> & \"zitiert\" 'so'", 42, date(2026, 11, 25)],
        ["  Leerzeichen an den Enden  ", 2.5, datetime(2026, 3, 29, 3, 0, 59)],
        ["Zeile 1\nZeile 2\tTab", -7, datetime(1999, 12, 31, 23, 59)],
        [None, None, None],
        ["", 0, None],
        ["Ünïcödé ✓ 😀 ß", 10**12, date(1900, 3, 1)],
    ]
    data = await workbook(("Daten", rows))
    sheet = load_workbook(io.BytesIO(data))["Daten"]
    read = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2, max_col=3)]
    assert read == [
        ["<b>Fett</b> & \"zitiert\" 'so'", 42, datetime(2026, 11, 25)],
        ["  Leerzeichen an den Enden  ", 2.5, datetime(2026, 3, 29, 3, 0, 59)],
        ["Zeile 1\nZeile 2\tTab", -7, datetime(1999, 12, 31, 23, 59)],
        [None, None, None],
        [None, 0, None],
        ["Ünïcödé ✓ 😀 ß", 10**12, datetime(1900, 3, 1)],
    ]
    assert sheet["C2"].number_format == xlsx.DATE_FORMAT
    assert sheet["C3"].number_format == xlsx.DATETIME_FORMAT
    assert sheet["B2"].data_type == "n"


async def test_forbidden_characters_are_dropped_and_long_texts_cut() -> None:
    rows: list[list[xlsx.Cell]] = [
        ["a\x00b\x01c\x1fd\ud800e\ufffe", None, None],
        ["x" * (xlsx.CELL_TEXT_LIMIT + 10), None, None],
    ]
    data = await workbook(("Daten", rows))
    sheet = load_workbook(io.BytesIO(data))["Daten"]
    assert sheet["A2"].value == "abcde"
    assert sheet["A3"].value == "x" * xlsx.CELL_TEXT_LIMIT
    assert xlsx.inline_cell("\x01") == xlsx.EMPTY  # nothing left: an empty cell
    assert xlsx.Cells().shared("\x01") == xlsx.EMPTY


async def test_sheet_layout_and_package() -> None:
    data = await workbook(("Erstes 'Blatt' & mehr", [["a", 1, None]] * 3), ("Zweites", []))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Erstes 'Blatt' & mehr", "Zweites"]
    first, second = book.worksheets
    assert [cell.value for cell in first[1]] == ["Text", "Zahl", "Datum"]
    assert all(cell.font.bold for cell in first[1])
    assert first.freeze_panes == "A2"
    assert first.auto_filter.ref == "A1:C4"
    assert second.auto_filter.ref == "A1:C1"
    assert first.column_dimensions["A"].width == 30
    assert first.column_dimensions["B"].width == 8.5
    assert first.max_row == 4
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    for name in archive.namelist():  # every part is well-formed XML
        ElementTree.fromstring(archive.read(name))


async def test_rows_rendered_elsewhere_and_drained_in_pieces() -> None:
    buffer = io.BytesIO()
    cells = [f"{xlsx.inline_cell(f'Zeile {n}')}{xlsx.number_cell(n)}" for n in range(5000)]
    async with xlsx.Workbook(buffer) as book:
        sheet = book.add_sheet("Viele", ["Text", "Zahl"], [10, 10])
        for start in range(0, len(cells), 700):
            sheet.add_rows(cells[start : start + 700])
            await sheet.drain(at_least=1000)  # hands over almost every piece
        await sheet.close()
    read = load_workbook(io.BytesIO(buffer.getvalue()))["Viele"]
    values = [(row[0].value, row[1].value) for row in read.iter_rows(min_row=2)]
    assert values == [(f"Zeile {n}", n) for n in range(5000)]


async def test_misuse_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 3)
    async with xlsx.Workbook(io.BytesIO()) as book:
        sheet = book.add_sheet("Klein", ["A"], [5])
        with pytest.raises(RuntimeError, match="still open"):
            book.add_sheet("Noch eins", ["A"], [5])
        sheet.add_rows([xlsx.number_cell(1), xlsx.number_cell(2)])
        with pytest.raises(OverflowError):
            sheet.add_rows([xlsx.number_cell(3)])  # the header and two rows fill it
    with pytest.raises(ValueError, match="time zones"):
        xlsx.datetime_cell(datetime(2026, 1, 1).astimezone())
    with pytest.raises(TypeError):
        xlsx.Cells().value(True)


async def test_an_error_while_writing_surfaces_unchanged() -> None:
    async def fail_halfway() -> None:
        async with xlsx.Workbook(io.BytesIO()) as book:
            sheet = book.add_sheet("Halb", ["A"], [5])
            sheet.add_rows([xlsx.number_cell(1)] * 50_000)
            await sheet.drain(at_least=1)  # compression under way in its thread
            raise LookupError("weg")

    with pytest.raises(LookupError, match="weg"):
        await fail_halfway()
