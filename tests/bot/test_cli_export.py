"""`monitoring-bot export`: a real database, a submitted report, Excel and CSV files."""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from bot.render import texts
from bot.render.chart import SEGMENTS
from bot.render.views import parts, status_counts
from seed.loader import load_catalogue
from storage.database import create_engine, session_factory
from storage.models import Obstacle, Office, Role, Status
from storage.people import add_contact
from storage.reporting import Cadence, open_round, start_draft, submit, work_items
from storage.status import Snapshot, load_snapshot
from storage.support import register_requests
from tests.bot.conftest import Cli

SHEETS = [
    "Übersicht",
    "I Bildung",
    "II Ausbildung und berufliche…",
    "III Wohnen",
    "IV Zivilgesellschaftliches…",
    "V Gesundheit",
    "Verlauf",
]


STATUS_ORDER = [status for status, _colour in SEGMENTS if status is not None]
STATUS_COLOURS = [
    (texts.STATUS_WORDS[s.value] if s is not None else texts.NO_REPORT, colour)
    for s, colour in SEGMENTS
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
    rows = [tuple(c.value for c in row) for row in book["III Wohnen"].iter_rows(min_row=5)]
    ours = [row for row in rows if row[5] == "Leitstelle Wohnen" and row[0] == "III.1.1"]
    assert len(ours) == 2  # both horizon targets of III.1.1
    assert ours[0][3:] == (
        "Kurzfristig", ours[0][4], "Leitstelle Wohnen", "gefährdet",
        datetime(local.year, local.month, local.day), "ja", "Wanda Wohnen", "Flächen fehlen",
        "Finanzierung", "ja", "=Fördermittel beantragen", "2 Projekte",
        None,  # no files sent as evidence
    )  # fmt: skip
    assert ours[1][6] == "im Plan"
    # The other offices of III.1.1 have not reported, and other measures have no reports.
    assert all(row[6] == "ohne Bericht" for row in rows if row[0] == "III.3.2")

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
        "=Fördermittel beantragen", "2 Projekte",
    )  # fmt: skip


def parts_in(sheet: Any) -> dict[str, set[tuple[str, str]]]:
    """(Zielhorizont, Amt) of each measure's rows; the target is named in its first row."""
    found: dict[str, set[tuple[str, str]]] = {}
    target = ""
    for row in sheet.iter_rows(min_row=4, values_only=True):
        code, _title, _indicator, _horizon, named, office = row[:6]
        if office is None:  # a goal's row
            continue
        target = named or target
        found.setdefault(code, set()).add((target, office))
    return found


def test_workbook_of_the_bundled_plan(cli: Cli, workdir: Path, database: datetime) -> None:
    assert cli("export", "-o", "bericht.xlsx")[0] == 0
    book = load_workbook(workdir / "bericht.xlsx")
    plan = load_catalogue()
    rows: dict[str, set[tuple[str, str]]] = {}
    goals: list[str] = []
    for name in SHEETS[1:-1]:
        sheet = book[name]
        rows |= parts_in(sheet)
        goals += [
            str(row[0]) for row in sheet.iter_rows(min_row=4, values_only=True) if row[5] is None
        ]
    # every measure has a row per horizon target and responsible office, as in the catalogue
    assert rows == {
        m.code: {(h.target, office) for h in m.horizons for office in m.offices}
        for m in plan.measures()
    }
    assert len(rows) == 26
    assert goals == [f"Ziel {g.code}: {g.title}" for f in plan.fields for g in f.goals]
    assert len(goals) == 14

    # the overview counts as /status does
    snapshot = asyncio.run(snapshot_of(workdir / "data" / "monitoring.sqlite3"))
    overview = list(book["Übersicht"].iter_rows(values_only=True))
    for field in snapshot.fields:
        (line,) = [row for row in overview if row[0] == f"{field.numeral} {field.title}"]
        shown = status_counts(field.targets())
        assert list(line[1:7]) == [shown[s] for s in STATUS_ORDER], field.numeral
        assert line[7] == sum(t.overall is None for t in field.targets())
        reported, total = parts(field.measures(), None)
        assert line[9] == f"{reported} von {total}"
    assert overview[0][0] == plan.name
    assert "Offene Bitten um Unterstützung: 1" in [row[0] for row in overview]

    # colours follow the status, and the sheet prints on A4 landscape, one page wide
    sheet = book["III Wohnen"]
    colours = {status_word: colour.lstrip("#").upper() for status_word, colour in STATUS_COLOURS}
    for row in sheet.iter_rows(min_row=4):
        status = row[6]
        if row[5].value is not None:
            assert status.fill.fgColor.rgb[-6:] == colours[status.value]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
    assert sheet.print_title_rows == "$1:$3"


async def snapshot_of(database: Path) -> Snapshot:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with session_factory(engine)() as session:
            today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin")).date()
            return await load_snapshot(session, today)
    finally:
        await engine.dispose()


def test_export_csv(cli: Cli, workdir: Path, database: datetime) -> None:
    code, out, err = cli("export", "--format", "csv", "-o", "stand.csv")
    assert (code, err) == (0, "")
    assert out == "Export geschrieben: stand.csv\nExport geschrieben: stand-verlauf.csv\n"

    current = (workdir / "stand.csv").read_bytes()
    assert current.startswith(codecs.BOM_UTF8 + b"Handlungsfeld;Ziel-Code;Ziel;Code;")
    rows = list(csv.reader(io.StringIO(current.decode("utf-8-sig")), delimiter=";"))
    ours = [row for row in rows if row[8] == "Leitstelle Wohnen"]
    assert ours[0][:4] == ["III Wohnen", "III.1", ours[0][2], "III.1.1"]
    assert ours[0][9] == "gefährdet"
    assert ours[0][16] == "'=Fördermittel beantragen"
    # one row per horizon target and responsible office, as in the workbook
    plan = load_catalogue()
    assert len(rows) - 1 == sum(len(m.horizons) * len(m.offices) for m in plan.measures())
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


def test_export_pdf(cli: Cli, workdir: Path, database: datetime) -> None:
    code, out, err = cli("export", "--format", "pdf", "-o", "bericht.pdf")
    assert (code, err) == (0, "")
    assert out == "Export geschrieben: bericht.pdf\n"
    reader = PdfReader(workdir / "bericht.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    plan = load_catalogue()
    for field in plan.fields:
        assert field.numeral in text
        assert field.title in text
        for goal in field.goals:
            assert goal.code in text
            for measure in goal.measures:
                assert measure.code in text
    pages = len(reader.pages)
    assert f"Seite 1 von {pages}" in reader.pages[0].extract_text()
    assert f"Seite {pages} von {pages}" in reader.pages[-1].extract_text()
    assert sum(len(page.images) for page in reader.pages) >= 1  # the status chart
    assert "Fördermittel beantragen" in text


def test_a_name_that_does_not_match_the_format_is_refused(cli: Cli, workdir: Path) -> None:
    for arguments, name, wanted in (
        (("--format", "csv", "-o", "bericht.xlsx"), "bericht.xlsx", "csv"),
        (("-o", "bericht.csv"), "bericht.csv", "xlsx"),
        (("--format", "pdf", "-o", "bericht"), "bericht", "pdf"),
    ):
        code, out, err = cli("export", *arguments)
        assert (code, out) == (2, "")
        assert err == (
            f"Der Dateiname {name} passt nicht zum Format {wanted}: Bitte einen Namen auf "
            f".{wanted} angeben oder --format passend wählen.\n"
        )
    assert not list(workdir.glob("bericht*"))


def test_export_refuses_a_directory_and_needs_init(cli: Cli, workdir: Path) -> None:
    (workdir / "ziel").mkdir()
    code, _, err = cli("export", "-o", "ziel")
    assert code == 1
    assert "ziel ist ein Verzeichnis" in err

    code, _, err = cli("export", "-o", "bericht.xlsx")
    assert code == 1
    assert "Bitte zuerst 'monitoring-bot init' ausführen." in err
    assert not (workdir / "bericht.xlsx").exists()
