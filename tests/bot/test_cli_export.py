"""`monitoring-bot export`: a real database, a submitted report, Excel and CSV files."""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storage.database import create_engine, session_factory
from storage.models import Obstacle, Office, Role, Status
from storage.people import add_contact
from storage.reporting import Cadence, open_round, start_draft, submit, work_items
from storage.support import register_requests
from tests.bot.conftest import Cli

SHEETS = [
    "I Bildung",
    "II Ausbildung und berufliche…",
    "III Wohnen",
    "IV Zivilgesellschaftliches…",
    "V Gesundheit",
    "Verlauf",
]


async def submit_report(database: Path, now: datetime) -> None:
    """Wanda reports for the Leitstelle Wohnen on III.1.1 in a round opened today."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with session_factory(engine)() as session, session.begin():
            office = await session.scalar(select(Office).where(Office.name == "Leitstelle Wohnen"))
            assert office is not None
            contact = await add_contact(
                session,
                telegram_user_id=1,
                display_name="Wanda Wohnen",
                role=Role.CONTACT,
                offices=[office],
                now=now,
            )
            today = now.astimezone(ZoneInfo("Europe/Berlin")).date()
            round_, _ = await open_round(session, today=today, cadence=Cadence.MONTHLY, now=now)
            item = (await work_items(session, contact))[0]
            assert item.measure.code == "III.1.1"
            draft = await start_draft(session, round_, item, contact, now)
            for answer in draft.answers:
                answer.status = Status.ON_TRACK
                answer.note = ""
                answer.support_requested = False
            first = draft.answers[0]
            first.status = Status.AT_RISK
            first.note = "Flächen fehlen"
            first.obstacles = (Obstacle.FUNDING,)
            first.support_requested = True
            first.support_note = "=Fördermittel beantragen"
            draft.indicator_note = "2 Projekte"
            await submit(session, draft, now)
            await register_requests(session, draft, now)  # as a submission in the chat
    finally:
        await engine.dispose()


@pytest.fixture
def database(cli: Cli, workdir: Path) -> datetime:
    """An initialised database with one submitted report; returns when it was submitted."""
    assert cli("init")[0] == 0
    now = datetime.now(UTC).replace(microsecond=0)
    asyncio.run(submit_report(workdir / "data" / "monitoring.sqlite3", now))
    return now


def test_export_xlsx(cli: Cli, workdir: Path, database: datetime) -> None:
    code, out, err = cli("export", "--format", "xlsx", "-o", "out/bericht.xlsx")
    assert (code, out) == (1, "")
    assert "Das Verzeichnis out gibt es nicht." in err
    assert "Traceback" not in err
    assert not (workdir / "out").exists()

    (workdir / "out").mkdir()
    code, out, err = cli("export", "-o", "out/bericht.xlsx")  # xlsx is the default
    assert (code, err) == (0, "")
    assert out == "Export geschrieben: out/bericht.xlsx\n"
    assert [p.name for p in (workdir / "out").iterdir()] == ["bericht.xlsx"]  # no leftovers

    book = load_workbook(workdir / "out" / "bericht.xlsx")
    assert book.sheetnames == SHEETS
    local = database.astimezone(ZoneInfo("Europe/Berlin"))
    rows = [tuple(c.value for c in row) for row in book["III Wohnen"].iter_rows(min_row=2)]
    ours = [row for row in rows if row[7] == "Leitstelle Wohnen" and row[0] == "III.1.1"]
    assert len(ours) == 2  # both horizon targets of III.1.1
    assert ours[0][2:] == (
        "Kurzfristig", "kurz", ours[0][4], "gefährdet",
        datetime(local.year, local.month, local.day), "Leitstelle Wohnen", "ja",
        "Flächen fehlen", "Finanzierung", "ja", "'=Fördermittel beantragen", "2 Projekte",
        None,  # no files sent as evidence
    )  # fmt: skip
    assert ours[1][5] == "im Plan"
    # The other office of III.1.1 has not reported, and other measures have no reports.
    assert all(row[5] == "ohne Bericht" for row in rows if row[0] == "III.3.2")

    history = [tuple(c.value for c in row) for row in book["Verlauf"].iter_rows()]
    assert len(history) == 3  # header and the two answers
    assert history[1][:6] == (
        datetime(local.year, local.month, local.day),
        "III.1.1",
        "Leitstelle Wohnen",
        1,
        local.replace(tzinfo=None),
        "Wanda Wohnen",
    )
    assert history[1][8:] == (
        "gefährdet", "nein", "Flächen fehlen", "Finanzierung", "ja",
        "'=Fördermittel beantragen", "2 Projekte",
    )  # fmt: skip


def test_export_csv(cli: Cli, workdir: Path, database: datetime) -> None:
    code, out, err = cli("export", "--format", "csv", "-o", "stand.csv")
    assert (code, err) == (0, "")
    assert out == "Export geschrieben: stand.csv\nExport geschrieben: stand-verlauf.csv\n"

    current = (workdir / "stand.csv").read_bytes()
    assert current.startswith(codecs.BOM_UTF8 + b"Handlungsfeld;Code;")
    rows = list(csv.reader(io.StringIO(current.decode("utf-8-sig")), delimiter=";"))
    ours = [row for row in rows if row[8] == "Leitstelle Wohnen"]
    assert ours[0][0] == "III Wohnen"
    assert ours[0][6] == "gefährdet"
    assert ours[0][13] == "'=Fördermittel beantragen"
    assert {row[0] for row in rows[1:]} == {
        "I Bildung",
        "II Ausbildung und berufliche Integration",
        "III Wohnen",
        "IV Zivilgesellschaftliches Engagement",
        "V Gesundheit",
    }

    past = (workdir / "stand-verlauf.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(past.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3
    local = database.astimezone(ZoneInfo("Europe/Berlin"))
    assert rows[1][1:6] == [
        "III.1.1",
        "Leitstelle Wohnen",
        "1",
        local.strftime("%d.%m.%Y %H:%M"),
        "Wanda Wohnen",
    ]


def test_export_refuses_a_directory_and_needs_init(cli: Cli, workdir: Path) -> None:
    (workdir / "ziel").mkdir()
    code, _, err = cli("export", "-o", "ziel")
    assert code == 1
    assert "ziel ist ein Verzeichnis" in err

    code, _, err = cli("export", "-o", "bericht.xlsx")
    assert code == 1
    assert "Bitte zuerst 'monitoring-bot init' ausführen." in err
    assert not (workdir / "bericht.xlsx").exists()
