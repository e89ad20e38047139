"""The history read for /verlauf and the export: submitted versions only, in plan order."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage.answers import Answer, by_version
from storage.history import (
    HistoryNames,
    StoredHistory,
    assemble,
    measure_history,
)
from storage.models import Contact, Measure, Obstacle, Office, Role, Status
from storage.people import add_contact
from storage.reporting import Cadence, open_round, start_draft, submit, work_items
from storage.setup import init_database

KITAS = "Abteilung Kindertagesstätten"
NEWCOMERS = "Koordinierungsstelle der Bildungsangebote für Neuzugewanderte"
OCTOBER = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 3, 15, 30, tzinfo=UTC)


async def person(session: AsyncSession, user_id: int, name: str, *offices: str) -> Contact:
    found = list(await session.scalars(select(Office).where(Office.name.in_(offices))))
    return await add_contact(
        session, telegram_user_id=user_id, display_name=name, role=Role.CONTACT,
        offices=found, now=OCTOBER,
    )  # fmt: skip


async def report(
    session: AsyncSession,
    contact: Contact,
    code: str,
    office: str,
    when: datetime,
    *statuses: Status,
    submitted: bool = True,
) -> None:
    """``contact`` answers ``code`` for ``office`` with one status per target."""
    round_, _ = await open_round(
        session, today=when.date().replace(day=1), cadence=Cadence.MONTHLY, now=when
    )
    [item] = [
        i
        for i in await work_items(session, contact)
        if i.measure.code == code and i.office.name == office
    ]
    draft = await start_draft(session, round_, item, contact, when)
    for answer, status in zip(draft.answers, statuses, strict=True):
        answer.status = status
        answer.note = f"{code} {status.value}"
    if statuses and statuses[0] is Status.AT_RISK:
        draft.answers[0].obstacles = (Obstacle.OTHER, Obstacle.FUNDING)  # stored in enum order
        draft.answers[0].obstacle_note = "Raum fehlt"
        draft.answers[0].support_requested = True
        draft.answers[0].support_note = "Bitte Mittel prüfen"
        draft.indicator_note = "3 Kitas beteiligt"
    if submitted:
        await submit(session, draft, when)


async def test_history_in_plan_order_with_versions_and_without_drafts(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        anna = await person(session, 1, "Anna Amt", KITAS, NEWCOMERS)
        ben = await person(session, 2, "Ben Beispiel", KITAS)
        # October, deliberately not in plan order.
        await report(session, anna, "II.1.3", NEWCOMERS, OCTOBER, Status.ON_TRACK)
        await report(session, anna, "I.2.1", NEWCOMERS, OCTOBER, Status.ON_TRACK, Status.DELAYED)
        await report(session, anna, "I.2.1", KITAS, OCTOBER, Status.ACHIEVED, Status.NOT_STARTED)
        # November: a report, its correction, and a draft nobody submitted.
        await report(session, anna, "I.2.1", KITAS, NOVEMBER, Status.AT_RISK, Status.ON_TRACK)
        await report(session, anna, "I.2.1", KITAS, NOVEMBER, Status.DELAYED, Status.ON_TRACK)
        await report(session, ben, "I.2.1", KITAS, NOVEMBER, Status.DROPPED, Status.DROPPED, submitted=False)  # fmt: skip

    async with sessions() as session:
        history = await StoredHistory.load(session)
        batches = [list(by_version(batch)) async for batch in history.batches()]
        newest = [list(by_version(batch)) async for batch in history.batches(newest_first=True)]
        measure_id = await session.scalar(select(Measure.id).where(Measure.code == "I.2.1"))
        assert measure_id is not None
        single = await measure_history(session, measure_id)

    assert newest == batches[::-1]
    # the export's row count: an answer each (each measure here has two targets)
    assert (history.versions, history.rows) == (5, sum(len(v) for b in batches for v in b))
    first, second = sorted((KITAS, NEWCOMERS), key=mainz.offices.index)  # catalogue order
    versions = [[v[0] for v in batch] for batch in batches]  # the first answer of each
    assert [[(e.measure_code, e.office, e.version) for e in batch] for batch in versions] == [
        [("I.2.1", first, 1), ("I.2.1", second, 1), ("II.1.3", NEWCOMERS, 1)],
        [("I.2.1", KITAS, 1), ("I.2.1", KITAS, 2)],  # versions count within a round
    ]
    assert [e.round_opens_on for batch in versions for e in batch] == [date(2026, 10, 1)] * 3 + [
        date(2026, 11, 1)
    ] * 2
    assert single == [a for batch in batches for v in batch for a in v if a.measure_code == "I.2.1"]

    targets = [h.target for h in {m.code: m for m in mainz.measures()}["I.2.1"].horizons]
    at_risk = batches[1][0]
    said = [
        (a.terms, a.target, a.status, a.note, a.obstacles, a.obstacle_note, a.support_requested, a.support_note, a.carried_over)
        for a in at_risk
    ]  # fmt: skip
    assert said == [
        ("kurz", targets[0], Status.AT_RISK, "I.2.1 at_risk", (Obstacle.FUNDING, Obstacle.OTHER), "Raum fehlt", True, "Bitte Mittel prüfen", False),
        ("lang", targets[1], Status.ON_TRACK, "I.2.1 on_track", (), None, False, None, False),  # not asked
    ]  # fmt: skip
    for answer in at_risk:  # each answer carries its version's facts
        assert (answer.round_opens_on, answer.measure_code, answer.office, answer.version) == (
            date(2026, 11, 1), "I.2.1", KITAS, 1,
        )  # fmt: skip
        assert (answer.submitted_at, answer.author) == (NOVEMBER, "Anna Amt")
        assert answer.indicator_note == "3 Kitas beteiligt"
    assert batches[1][1][0].status is Status.DELAYED  # the correction is its own version
    assert batches[1][1][0].submitted_at.tzinfo is not None


NAMES = HistoryNames(
    rounds={1: date(2026, 10, 1)},
    measures={5: "V.1.1"},
    offices={1: "Sozialamt"},
    contacts={7: "Bea"},
    targets={21: ("kurz", "Zehn Lotsen."), 22: ("lang", "Verstetigt.")},
)
NAIVE = datetime(2026, 10, 3, 10, 0)  # as SQLite gives it: UTC without the zone


def test_assemble_types_names_and_versions_without_answers() -> None:
    versions = [
        (100, 1, 5, 1, 1, NAIVE, 7, None, 0),
        (101, 1, 5, 1, 2, NAIVE, 99, "ohne Ziele", 1),  # entered for the office
    ]
    rows = [
        (100, 21, "delayed", 1, "n", "funding", None, 1, "s"),
        (100, 22, None, 0, None, None, None, None, None),
    ]
    first, second, empty = assemble(versions, rows, NAMES)
    assert first == Answer(
        100, 1, date(2026, 10, 1), "V.1.1", "Sozialamt", 1, NAIVE.replace(tzinfo=UTC), "Bea",
        None, 21, "kurz", "Zehn Lotsen.", Status.DELAYED, "n", (Obstacle.FUNDING,), None, True,
        "s", True, False,
    )  # fmt: skip
    assert empty.on_behalf
    assert (second.target_id, second.status, second.support_requested) == (22, None, False)
    assert (second.obstacles, second.obstacle_note) == ((), None)  # not answered
    assert empty.author is None  # account removed since
    assert (empty.target_id, empty.terms, empty.indicator_note) == (None, None, "ohne Ziele")
    assert (empty.obstacles, empty.obstacle_note) == ((), None)


@pytest.mark.parametrize(
    ("stored", "obstacles"),
    [
        (None, ()),  # not answered
        ("", ()),  # none named
        ("funding", (Obstacle.FUNDING,)),
        ("staff,other", (Obstacle.STAFF, Obstacle.OTHER)),
        ("other,staff,staff", (Obstacle.STAFF, Obstacle.OTHER)),  # the enum's order, once each
        ("staff,teleport", (Obstacle.STAFF,)),  # a value of a newer version is left out
    ],
)
def test_assemble_reads_several_obstacles_and_their_note(
    stored: str | None, obstacles: tuple[Obstacle, ...]
) -> None:
    versions = [(100, 1, 5, 1, 1, NAIVE, 7, None, 0)]
    rows = [
        (100, 21, "delayed", 0, None, stored, "Raum fehlt", 0, None),
        (100, 22, "at_risk", 0, None, stored, None, 0, None),
    ]
    first, second = assemble(versions, rows, NAMES)
    assert (first.obstacles, first.obstacle_note) == (obstacles, "Raum fehlt")
    assert (second.obstacles, second.obstacle_note) == (obstacles, None)
    assert first.obstacles is second.obstacles  # parsed once, shared by the rows


def test_answers_out_of_step_with_their_versions_are_a_bug() -> None:
    versions = [(100, 1, 5, 1, 1, NAIVE, 7, None, 0)]
    with pytest.raises(RuntimeError, match="out of step"):
        assemble(versions, [(101, 21, "delayed", 0, None, None, None, 0, None)], NAMES)
