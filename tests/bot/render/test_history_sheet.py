"""The fast history rows say what the plain ones say, here and in worker processes."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import AsyncGenerator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.render import history_sheet, texts, xlsx
from bot.render.export import build_xlsx, history_rows
from bot.render.export_values import Cell, local_naive
from bot.render.history_sheet import HistoryCells, LocalTimes
from seed.schema import Catalogue
from storage.answers import Answer
from storage.database import create_engine, session_factory
from storage.history import HistoryNames, StoredHistory, assemble
from storage.models import Contact, Obstacle, Office, Role, Status
from storage.people import add_contact
from storage.reporting import Cadence, open_round, start_draft, submit, work_items
from storage.setup import init_database
from storage.status import Snapshot
from tests.answers import answer

ZONE = ZoneInfo("Europe/Berlin")
EMPTY = Snapshot((), None)
NAMES = HistoryNames(
    rounds={1: date(2026, 3, 1), 2: date(2026, 10, 1)},
    measures={5: "V.1.1", 6: "=V.9"},
    offices={1: "Amt für <Soziales> & Wohnen", 2: " Gesundheitsamt "},
    contacts={7: "@Bea", 8: "Carl\x01"},
    targets={21: ("kurz", "Zehn Lotsen."), 22: ("mittel+lang", "+ verstetigt")},
)
SPRING_SWITCH = datetime(2026, 3, 29, 1, 0)  # UTC: clocks go from 02:00 to 03:00 in Berlin
AUTUMN_SWITCH = datetime(2026, 10, 25, 1, 0)  # UTC: clocks go from 03:00 back to 02:00
# As the database gives them (SQLite leaves out the zone, flags are numbers), then assembled.
TRICKY = assemble(
    [
        (100, 1, 5, 1, 1, SPRING_SWITCH - timedelta(seconds=1), 7, None, 0),
        (101, 1, 5, 2, 1, SPRING_SWITCH.replace(microsecond=999_999), 8, "-3 Kurse", 1),  # entered for the office
        (102, 1, 6, 1, 1, datetime(2026, 3, 30, 9, 0, tzinfo=UTC), None, "ohne Ziele", True),
        (103, 2, 5, 1, 2, AUTUMN_SWITCH - timedelta(seconds=1), 99, " a ", False),
        (104, 2, 5, 1, 3, AUTUMN_SWITCH, 7, "\x02", 0),
        (105, 2, 6, 2, 1, AUTUMN_SWITCH + timedelta(days=3), 8, None, 0),
    ],
    [
        (100, 21, "on_track", 0, "=SUMME(A1:A9)", None, None, 0, None),
        (100, 22, None, 1, "a\nb\tc", "staff", None, None, "<b>fett</b> & mehr"),
        (101, 21, "at_risk", True, " Leerzeichen ", "funding,staff,other", "=Raum\x01 fehlt\n<i>", True, "Geld\x00"),
        (103, 22, "dropped", 0, "", "other", "", 0, ""),  # "Sonstiges" without words
        (104, 21, "achieved", 0, "Ünïcödé ✓ 😀", "", "  ", 0, None),  # none named, blank words
        (105, 21, "delayed", 0, None, "legal,cooperation,data", None, 1, None),
        (105, 22, "at_risk", 0, None, "staff", "Raum fehlt", 1, "x"),  # words, "Sonstiges" not stored
    ],
    NAMES,
)  # fmt: skip
# Made by hand: obstacles out of the enum's order, as no read from the database gives them.
BY_HAND = [
    answer(report_id=200, obstacles=(Obstacle.OTHER, Obstacle.STAFF), obstacle_note="-1 Raum"),
    answer(report_id=200, target_id=12, obstacles=(Obstacle.DATA, Obstacle.LEGAL)),
    answer(report_id=201, obstacles=tuple(Obstacle), support_requested=True),
]


def as_read(row: tuple[Cell, ...]) -> tuple[Cell, ...]:
    """A plain row as openpyxl reads it back: dates as datetimes, empty texts as None."""
    return tuple(
        datetime(value.year, value.month, value.day)
        if isinstance(value, date) and not isinstance(value, datetime)
        else None
        if value == ""
        else value
        for value in row
    )


def history_sheet_rows(data: bytes) -> list[tuple[Cell, ...]]:
    sheet = load_workbook(io.BytesIO(data))[texts.EXPORT_HISTORY_SHEET]
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=2)]


async def test_rendered_rows_are_the_plain_rows() -> None:
    expected = [as_read(row) for row in history_rows([*TRICKY, *BY_HAND], ZONE)]
    assert len(expected) == 8 + 3  # one row per answer, one for the version without answers
    assert history_sheet_rows(await build_xlsx(EMPTY, [TRICKY, BY_HAND], ZONE)) == expected
    obstacles = [row[texts.EXPORT_HISTORY_COLUMNS.index("Hindernis")] for row in expected]
    assert obstacles == [
        None,
        "Personal",
        "Personal, Finanzierung, Sonstiges: =Raum fehlt <i>",
        None,  # the version without answers
        "Sonstiges",
        None,
        "Recht/Verwaltung, Kooperation/Partner, Daten/Information",
        "Personal, Sonstiges: Raum fehlt",
        "Personal, Sonstiges: -1 Raum",
        "Recht/Verwaltung, Daten/Information",
        "Personal, Finanzierung, Recht/Verwaltung, Kooperation/Partner, Daten/Information, "
        "Sonstiges",
    ]


async def test_forgetful_memos_render_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = history_sheet_rows(await build_xlsx(EMPTY, [TRICKY], ZONE))
    monkeypatch.setattr(history_sheet, "MEMO_LIMIT", 1)
    assert history_sheet_rows(await build_xlsx(EMPTY, [TRICKY, TRICKY], ZONE)) == expected * 2
    assert "Personal, Finanzierung, Sonstiges: =Raum fehlt <i>" in expected[2]


def test_local_times_agree_with_the_zone_around_both_switches() -> None:
    times = LocalTimes(ZONE)
    for switch in (SPRING_SWITCH, AUTUMN_SWITCH):
        for minutes in range(-36 * 60, 36 * 60, 7):
            moment = (switch + timedelta(minutes=minutes, seconds=13)).replace(tzinfo=UTC)
            expected = xlsx.datetime_cell(local_naive(moment, ZONE))
            assert times.cell(moment) == expected, moment
            assert times.cell(moment.replace(tzinfo=None)) == expected, moment  # as SQLite


async def reported_database(engine: AsyncEngine, mainz: Catalogue) -> None:
    """Two rounds in which two contacts report on all their measures."""
    sessions = session_factory(engine)
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        people: list[Contact] = []
        for user_id, office in (
            (1, "Büro für Migration und Integration"),
            (2, "Leitstelle Wohnen"),
        ):
            found = await session.scalar(select(Office).where(Office.name == office))
            assert found is not None
            people.append(
                await add_contact(
                    session,
                    telegram_user_id=user_id,
                    display_name=f"Person {user_id}",
                    role=Role.CONTACT,
                    offices=[found],
                    now=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
        for month, status in ((9, Status.ON_TRACK), (10, Status.DELAYED)):
            now = datetime(2026, month, 2, 8, 30, tzinfo=UTC)
            round_, _ = await open_round(
                session, today=now.date(), cadence=Cadence.MONTHLY, now=now
            )
            for person in people:
                for item in await work_items(session, person):
                    draft = await start_draft(session, round_, item, person, now)
                    for answer in draft.answers:
                        answer.status = status
                        answer.note = f"{item.measure.code} im {month}. Monat"
                        if status is Status.DELAYED:
                            answer.obstacles = (Obstacle.STAFF, Obstacle.OTHER)
                            answer.obstacle_note = f"Raum fehlt ({item.measure.code})"
                    await submit(session, draft, now)


async def test_worker_processes_write_the_same_workbook(
    tmp_path: Path, mainz: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'history.sqlite3'}"
    engine = create_engine(url)
    await reported_database(engine, mainz)
    sessions: async_sessionmaker[AsyncSession] = session_factory(engine)
    monkeypatch.setattr(history_sheet, "PARALLEL_FROM", 1)
    monkeypatch.setattr(history_sheet, "WORKERS", 2)
    in_workers = history_sheet._in_workers
    calls = []

    def counted(*args: Any) -> AsyncGenerator[list[str], None]:
        calls.append(args)
        return in_workers(*args)

    monkeypatch.setattr(history_sheet, "_in_workers", counted)
    workbooks = []
    for database_url in (None, url):  # here, then in worker processes
        async with sessions() as session:
            history = await StoredHistory.load(session, database_url)
            workbooks.append(await build_xlsx(EMPTY, history, ZONE))
    await engine.dispose()
    assert len(calls) == 1  # the second export went to the workers

    here, there = (zipfile.ZipFile(io.BytesIO(data)) for data in workbooks)
    assert here.namelist() == there.namelist()
    for name in here.namelist():
        assert here.read(name) == there.read(name), name
    rows = history_sheet_rows(workbooks[1])
    assert len(rows) > 10
    assert {row[0] for row in rows} == {datetime(2026, 9, 2), datetime(2026, 10, 2)}
    obstacles = texts.EXPORT_HISTORY_COLUMNS.index("Hindernis")
    assert {row[obstacles] for row in rows if row[0] == datetime(2026, 9, 2)} == {None}
    assert "Personal, Sonstiges: Raum fehlt (III.1.1)" in {row[obstacles] for row in rows}


async def test_a_failed_export_stops_reading_ahead(
    tmp_path: Path, mainz: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'history.sqlite3'}")
    await reported_database(engine, mainz)

    def broken(self: HistoryCells, answers: Sequence[Answer]) -> list[str]:
        raise ArithmeticError("kaputt")

    monkeypatch.setattr(HistoryCells, "rows", broken)
    async with session_factory(engine)() as session:
        history = await StoredHistory.load(session)
        assert len(history.round_ids) == 2  # the second round was being read ahead
        with pytest.raises(ArithmeticError, match="kaputt"):
            await build_xlsx(EMPTY, history, ZONE)
        # The read-ahead is over, not left running on the session.
        assert [task for task in asyncio.all_tasks() if task is not asyncio.current_task()] == []
        assert (await session.scalar(select(func.count()).select_from(Office)) or 0) > 0
    await engine.dispose()
