"""The PDF report, read back with pypdf: from hand-made states of the plan and the bundled one."""

from __future__ import annotations

import io
import re
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.render import texts
from bot.render.chart import status_chart
from bot.render.pdf import CELL_SIZE, FONT, build_pdf, wrapped
from seed.schema import Catalogue
from storage.database import session_factory
from storage.models import Office, Role, Status
from storage.people import add_contact, contact_by_telegram_id
from storage.report_basis import ReportBasis, load_report_basis
from storage.reporting import Cadence, current_round, open_round, start_draft, submit, work_items
from storage.setup import init_database
from storage.status import FieldState, GoalState, MeasureState, RoundInfo, Snapshot, TargetState
from tests.answers import answer
from tests.bot.render.report_data import BASIS, ZONE

TODAY = date(2026, 12, 6)
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
ROUND = RoundInfo(7, date(2026, 12, 1), date(2026, 12, 15))
PLAN = "Integrationskonzept der Stadt Beispiel"
WORDS = ("Sprachkurs", "Beratung", "Elternabend", "Kita", "Schule", "Quartier", "Wohnung")


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Whitespace (line breaks included) as single spaces: text that wrapped reads whole."""
    return " ".join(text.split())


def squeezed(text: str) -> str:
    """Without any whitespace: a long word a narrow cell broke reads whole."""
    return "".join(text.split())


def footer_line(line: str) -> bool:
    return line.startswith(("Seite ", "Stand: ", PLAN[:20]))


def note(words: int) -> str:
    return " ".join(WORDS[n % len(WORDS)] for n in range(words)) or "-"


def measure(number: int, offices: tuple[str, ...], note_words: int, **changes: Any) -> MeasureState:
    """Measure I.1.<number> with two targets; the first office reported on each in this round
    (``note_words`` words of notes), the others did not."""
    code = f"I.1.{number}"
    targets = tuple(
        TargetState(
            id=number * 10 + index,
            terms=terms,
            target=f"Ziel {index} von {code} ist erreicht.",
            reports=(
                answer(
                    round_id=ROUND.id,
                    measure_code=code,
                    office=offices[0],
                    target_id=number * 10 + index,
                    terms=terms,
                    status=list(Status)[(number + index) % len(Status)],
                    note=note(note_words),
                    submitted_at=NOW,
                ),
            ),
        )
        for index, terms in enumerate(("kurz", "mittel+lang"))
    )
    state = MeasureState(
        id=number,
        code=code,
        title=f"Titel {number}",
        indicator=f"Indikator {number}",
        offices=offices,
        targets=targets,
        indicator_notes=((offices[0], f"{number} Kurse"),),
        reported_in_round=frozenset({offices[0]}),
    )
    return replace(state, **changes)


def basis_of(*measures: MeasureState, **changes: Any) -> ReportBasis:
    field = FieldState("I", "Bildung", (GoalState("I.1", "Frühe Hilfen", measures),))
    basis = ReportBasis(plan=PLAN, today=TODAY, snapshot=Snapshot((field,), ROUND))
    return replace(basis, **changes)


def long_basis(count: int = 60) -> ReportBasis:
    """Measures of varied length, enough for many pages and page ends in many places."""
    offices = ("Sozialamt", "Schulamt", "Jugendamt")
    return basis_of(
        *(measure(n, offices[: 1 + n % 3], note_words=(n * 37) % 160) for n in range(1, count + 1))
    )


# --- the bundled plan -----------------------------------------------------------------------


async def mainz_basis(engine: AsyncEngine, mainz: Catalogue) -> ReportBasis:
    """The bundled plan in a database: a round open, one office has reported."""
    await init_database(engine, mainz)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await open_round(session, today=TODAY, cadence=Cadence.MONTHLY, now=NOW)
        office = await session.scalar(select(Office).where(Office.name == "Sozialplanung"))
        assert office is not None
        await add_contact(
            session,
            telegram_user_id=5,
            display_name="Sina Sozial",
            role=Role.CONTACT,
            offices=[office],
            now=NOW,
        )
    async with sessions() as session, session.begin():
        person = await contact_by_telegram_id(session, 5)
        running = await current_round(session, TODAY)
        assert person is not None
        assert running is not None
        [item] = await work_items(session, person)
        draft = await start_draft(session, running, item, person, NOW)
        draft.answers[0].status = Status.AT_RISK
        draft.answers[0].note = "Räume fehlen"
        await submit(session, draft, NOW)
    async with sessions() as session:
        return await load_report_basis(session, TODAY)


async def test_bundled_plan_shows_every_field_goal_and_measure(
    engine: AsyncEngine, mainz: Catalogue
) -> None:
    basis = await mainz_basis(engine, mainz)
    started = time.perf_counter()
    data = build_pdf(basis, ZONE, [("Stand je Handlungsfeld", status_chart(basis.snapshot, TODAY))])
    seconds = time.perf_counter() - started
    text = flat("\n".join(pages_of(data)))
    for field in mainz.fields:
        assert f"Handlungsfeld {field.numeral} {flat(field.title)}" in text
    for goal in mainz.goals():
        assert f"Ziel {goal.code}: " in text
    for item in mainz.measures():
        assert f"Maßnahme {item.code}: " in text
    assert flat(mainz.name) in text
    assert "Räume fehlen" in text
    assert "gefährdet" in text
    assert seconds < 10  # about 0.2 s on a laptop; generous for a loaded CI machine


# --- pages, date, pictures ------------------------------------------------------------------


def test_every_page_is_numbered_and_dated() -> None:
    pages = pages_of(build_pdf(long_basis(), ZONE))
    assert len(pages) > 5
    for number, text in enumerate(pages, start=1):
        lines = text.splitlines()
        assert f"Seite {number} von {len(pages)}" in lines
        assert "Stand: 06.12.2026" in lines
        assert any(line.startswith(PLAN[:20]) for line in lines)  # the plan in the footer


def test_title_page_names_plan_date_and_round() -> None:
    first = pages_of(build_pdf(long_basis(3), ZONE))[0]
    assert first.startswith(PLAN)
    assert "Stand: 06.12.2026" in first
    assert "Berichtsrunde vom 01.12.2026 bis 15.12.2026" in first
    assert "berichtet von 1 von 3 Ämtern" in flat(first)


def test_pictures_are_embedded_with_their_captions() -> None:
    basis = long_basis(3)
    chart = status_chart(basis.snapshot, TODAY)
    without = PdfReader(io.BytesIO(build_pdf(basis, ZONE)))
    with_two = PdfReader(
        io.BytesIO(build_pdf(basis, ZONE, [("Erstes Bild", chart), ("Zweites Bild", chart)]))
    )
    assert sum(len(page.images) for page in without.pages) == 0
    assert sum(len(page.images) for page in with_two.pages) == 2
    text = "\n".join(page.extract_text() for page in with_two.pages)
    assert "Erstes Bild" in text
    assert "Zweites Bild" in text


def test_same_data_same_bytes() -> None:
    assert build_pdf(long_basis(5), ZONE) == build_pdf(long_basis(5), ZONE)


# --- content --------------------------------------------------------------------------------


def test_office_without_report_is_shown_as_such() -> None:
    basis = basis_of(measure(1, ("Sozialamt", "Jugendamt"), note_words=3))
    details = "\n".join(pages_of(build_pdf(basis, ZONE))[1:])
    lines = details.splitlines()
    marks = [n for n, line in enumerate(lines) if line == texts.NO_REPORT]
    assert len(marks) == 2  # the Jugendamt on both targets
    assert all(lines[n - 1] == "Jugendamt" for n in marks)  # its status cell follows its name


def test_hand_made_basis_shows_notes_support_evidence_and_offices() -> None:
    text = flat("\n".join(pages_of(build_pdf(BASIS, ZONE))))
    assert "Maßnahme V.1.1: Gesundheitslotsen ausbilden" in text
    assert "Indikator: Zahl der Lotsen" in text
    assert '=HYPERLINK("http://x","klick")' in squeezed(text)  # shown as it was typed
    assert "ja: Eine halbe Stelle" in text
    assert "Personal, Sonstiges: Raum fehlt" in text
    assert "@7 Lotsen" in text
    assert "(frühere Runde)" in text  # the Sozialamt's answer is from round 6
    assert "Belege (Dateien) zu V.1.1" in text
    assert "=rechnung.pdf" in text
    assert "Offene Bitten um Unterstützung: 1" in text
    assert "Gina Gesund" in text
    assert "Ämter ohne Ansprechperson: 1" in text
    assert "• Jobcenter" in text


def test_user_text_with_markup_and_unshowable_characters() -> None:
    typed = "<b>Fett & mehr</b> a<b \ud800Ende\x00 ü 😀🆘\ufe0f"
    basis = basis_of(
        measure(1, ("Sozialamt <&>",), note_words=1, title=typed, indicator=typed),
        plan=f"{PLAN} <i>&",
    )
    original = basis.snapshot.fields[0].goals[0].measures[0]
    first = original.targets[0]
    noted = replace(first, reports=(first.reports[0]._replace(note=typed),))
    basis = basis_of(replace(original, targets=(noted, *original.targets[1:])), plan=basis.plan)
    text = flat("\n".join(pages_of(build_pdf(basis, ZONE))))
    # the lone surrogate, NUL, the emoji and the variation selector left out
    shown = "<b>Fett & mehr</b> a<b Ende ü"
    assert text.count(shown) == 3  # the title, the indicator and the note
    assert f"Indikator: {shown} Horizont" in text  # nothing after it but the table
    assert "\ud800" not in text
    assert "Sozialamt <&>" in text
    assert f"{PLAN} <i>&" in text


def test_many_measures_and_long_notes_break_into_pages() -> None:
    """A note longer than a page splits inside its row rather than failing."""
    basis = basis_of(measure(1, ("Sozialamt",), note_words=2500), measure(2, ("Schulamt",), 3))
    pages = pages_of(build_pdf(basis, ZONE))
    assert len(pages) > 4
    assert "Maßnahme I.1.2: Titel 2" in flat("\n".join(pages))


def test_headings_are_in_the_outline_on_their_pages() -> None:
    reader = PdfReader(io.BytesIO(build_pdf(BASIS, ZONE)))
    found: dict[str, int] = {}

    def walk(entries: list[Any]) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            else:
                page = reader.get_destination_page_number(entry)
                assert page is not None
                found[entry.title] = page

    walk(reader.outline)
    for title, page in found.items():
        assert title in reader.pages[page].extract_text()
    assert "Maßnahme V.1.1: Gesundheitslotsen ausbilden" in found
    assert "Ziel II.1: Übergänge" in found
    assert "Offene Bitten um Unterstützung: 1" in found


def test_plan_without_measures_targets_or_requests() -> None:
    bare = replace(measure(1, ("Sozialamt",), note_words=1), targets=())
    empty_goal = GoalState("I.2", "Ohne Maßnahmen", ())
    field = FieldState("I", "Bildung", (GoalState("I.1", "Frühe Hilfen", (bare,)), empty_goal))
    basis = ReportBasis(plan="", today=TODAY, snapshot=Snapshot((field,), None))
    text = flat("\n".join(pages_of(build_pdf(basis, ZONE))))
    assert f"{texts.PDF_NO_TARGETS} Horizont" in text  # the office's figures below
    assert "Sozialamt 1 Kurse" in text
    assert f"Ziel I.2: Ohne Maßnahmen {texts.PDF_NO_MEASURES}" in text
    assert texts.REPORT_NO_ROUND in text
    assert texts.REPORT_NO_SUPPORT in text
    assert texts.REPORT_EVERY_OFFICE_HAS_CONTACT in text
    nothing = ReportBasis(plan="", today=TODAY, snapshot=Snapshot((), None))
    assert "Seite 1 von" in pages_of(build_pdf(nothing, ZONE))[0]


def test_cell_text_is_broken_into_lines_that_fit() -> None:
    build_pdf(basis_of(), ZONE)  # registers the fonts
    text = "Ein Gemeinschaftsunterkunftsbewirtschaftungsvertrag\nist  unterschrieben."
    lines = wrapped(text, 60).split("\n")
    assert all(pdfmetrics.stringWidth(line, FONT, CELL_SIZE) <= 60 for line in lines)
    assert len(lines) > 4
    assert squeezed("".join(lines)) == squeezed(text)  # nothing lost, nothing added
    # a long word's last piece is never just a letter or two
    room = pdfmetrics.stringWidth("Gemeinschaftsunterkünfte", FONT, CELL_SIZE) + 0.5
    assert wrapped("Gemeinschaftsunterkünften", room) == "Gemeinschaftsunterkünf\nten"
    assert wrapped("kurz", 60) == "kurz"


# --- headings stay with their content -------------------------------------------------------

_HEADING = re.compile(r"^(Handlungsfeld |Ziel I\.\d+: |Maßnahme I\.\d+\.\d+: |Indikator: )")


@pytest.mark.parametrize("count", [45, 85])
def test_no_heading_ends_a_page(count: int) -> None:
    pages = pages_of(build_pdf(long_basis(count), ZONE))
    detail_pages = pages[1:]
    assert len(detail_pages) > 5
    endings = []
    for text in detail_pages:
        lines = [line for line in text.splitlines() if line.strip() and not footer_line(line)]
        endings.append(lines[-1])
    assert [line for line in endings if _HEADING.match(line)] == []
    starts = sum(text.count("Maßnahme I.1.") for text in detail_pages)
    assert starts == count  # every heading is there, once


# --- a large plan -------------------------------------------------------------------------


def large_basis(measures: int) -> ReportBasis:
    """``measures`` measures in 10 fields of 25 goals, 2 targets and 1–3 offices each, all
    reported with notes of varied length."""
    offices = tuple(f"Amt für Aufgabe {n:03d}" for n in range(60))
    fields = []
    per_goal = max(1, measures // 250)
    number = 0
    for f in range(1, 11):
        goals = []
        for g in range(1, 26):
            items = []
            for m in range(1, per_goal + 1):
                number += 1
                chosen = tuple(offices[(number + k) % 60] for k in range(1 + number % 3))
                state = measure(number, chosen, note_words=(number * 37) % 60)
                items.append(replace(state, code=f"{f}.{g}.{m}", id=number))
            goals.append(GoalState(f"{f}.{g}", f"Ziel {f}.{g}", tuple(items)))
        fields.append(FieldState(str(f), f"Handlungsfeld Nummer {f}", tuple(goals)))
    snapshot = Snapshot(tuple(fields), ROUND)
    return ReportBasis(plan=PLAN, today=TODAY, snapshot=snapshot)


@pytest.mark.slow
def test_a_plan_of_2500_measures() -> None:
    basis = large_basis(2500)
    started = time.perf_counter()
    data = build_pdf(basis, ZONE)
    took = timedelta(seconds=time.perf_counter() - started)
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) > 200
    assert f"Seite {len(pages)} von {len(pages)}" in pages[-1].extract_text()
    assert took < timedelta(minutes=2)
