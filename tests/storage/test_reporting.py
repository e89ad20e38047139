"""Rounds, work lists, drafts and versions in storage, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage.models import LatestReport, Obstacle, Office, Report, Role, Status
from storage.people import add_contact, contact_by_telegram_id
from storage.reporting import (
    Cadence,
    current_draft,
    current_round,
    due_date,
    latest_submitted,
    open_round,
    previous_answers,
    start_draft,
    submit,
    work_items,
)
from storage.setup import init_database
from storage.status import load_snapshot
from tests.storage.test_claims import Race, at_once, held

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("opens", "cadence", "due"),
    [
        (date(2026, 11, 25), Cadence.WEEKLY, date(2026, 12, 1)),
        (date(2026, 11, 1), Cadence.MONTHLY, date(2026, 11, 30)),
        (date(2027, 1, 31), Cadence.MONTHLY, date(2027, 2, 27)),
        (date(2026, 11, 15), Cadence.QUARTERLY, date(2027, 2, 14)),
    ],
)
def test_due_dates(opens: date, cadence: Cadence, due: date) -> None:
    assert due_date(opens, cadence) == due


async def prepare(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        offices = list(
            await session.scalars(
                select(Office).where(
                    Office.name.in_(["Leitstelle Wohnen", "Amt für soziale Leistungen"])
                )
            )
        )
        await add_contact(
            session,
            telegram_user_id=1,
            display_name="W",
            role=Role.CONTACT,
            offices=offices,
            now=NOW,
        )


async def test_round_work_list_draft_and_versions(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await prepare(engine, sessions, mainz)
    async with sessions() as session, session.begin():
        assert await current_round(session, date(2026, 11, 25)) is None
        october, created = await open_round(
            session, today=date(2026, 10, 1), cadence=Cadence.MONTHLY, now=NOW
        )
        assert created
        again, created = await open_round(
            session, today=date(2026, 10, 1), cadence=Cadence.MONTHLY, now=NOW
        )
        assert (again.id, created) == (october.id, False)
        contact = await contact_by_telegram_id(session, 1)
        assert contact is not None
        items = await work_items(session, contact)
        assert [(i.measure.code, i.office.name) for i in items] == [
            ("III.1.1", "Leitstelle Wohnen"), ("III.1.1", "Amt für soziale Leistungen"),
            ("III.1.2", "Leitstelle Wohnen"), ("III.1.2", "Amt für soziale Leistungen"),
            ("III.3.2", "Amt für soziale Leistungen"), ("V.1.1", "Amt für soziale Leistungen"),
        ]  # fmt: skip
        item = items[0]
        draft = await start_draft(session, october, item, contact, NOW)
        assert [a.status for a in draft.answers] == [None, None]
        assert draft.version is None
        draft.answers[0].status = Status.DELAYED
        draft.answers[0].note = "langsam"
        assert await submit(session, draft, NOW) == 1

    async with sessions() as session, session.begin():
        contact = await contact_by_telegram_id(session, 1)
        assert contact is not None
        found = await current_round(session, date(2026, 10, 20))
        assert found is not None
        assert await current_draft(session, found.id, contact.id) is None
        item = (await work_items(session, contact))[0]
        correction = await start_draft(session, found, item, contact, NOW + timedelta(hours=1))
        assert correction.answers[0].status is Status.DELAYED  # a copy of version 1
        assert (await current_draft(session, found.id, contact.id)) is correction
        correction.answers[0].status = Status.ON_TRACK
        assert await submit(session, correction, NOW + timedelta(hours=1)) == 2
        latest = await latest_submitted(session, found.id, item.measure.id, item.office.id)
        assert latest is not None
        assert latest.version == 2

        november, _ = await open_round(
            session, today=date(2026, 11, 1), cadence=Cadence.MONTHLY, now=NOW
        )
        previous = await previous_answers(
            session, office_id=item.office.id, measure_id=item.measure.id, before=november.opens_on
        )
        assert previous.opens_on == date(2026, 10, 1)
        assert [a.status for a in previous.answers.values()] == [Status.ON_TRACK, None]


async def test_several_obstacles_are_read_and_copied_into_a_correction(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    """Obstacles and the words for "Sonstiges" reach the current state and the next draft."""
    await prepare(engine, sessions, mainz)
    async with sessions() as session, session.begin():
        october, _ = await open_round(
            session, today=date(2026, 10, 1), cadence=Cadence.MONTHLY, now=NOW
        )
        contact = await contact_by_telegram_id(session, 1)
        assert contact is not None
        item = (await work_items(session, contact))[0]
        draft = await start_draft(session, october, item, contact, NOW)
        first, second = draft.answers
        first.status, second.status = Status.AT_RISK, Status.DELAYED
        first.obstacles = (Obstacle.OTHER, Obstacle.STAFF, Obstacle.FUNDING)
        first.obstacle_note = "Raum fehlt"
        second.obstacles = ()  # asked, none named
        await submit(session, draft, NOW)

    async with sessions() as session, session.begin():
        measure = (await load_snapshot(session, date(2026, 10, 20))).find_measure("III.1.1")
        assert measure is not None
        said = [(r.obstacles, r.obstacle_note) for t in measure.targets for r in t.reports]
        assert said == [
            ((Obstacle.STAFF, Obstacle.FUNDING, Obstacle.OTHER), "Raum fehlt"),
            ((), None),
        ]
        contact = await contact_by_telegram_id(session, 1)
        assert contact is not None
        item = (await work_items(session, contact))[0]
        correction = await start_draft(session, october, item, contact, NOW + timedelta(hours=1))
        copied = [(a.obstacles, a.obstacle_note) for a in correction.answers]
        assert copied == [
            ((Obstacle.STAFF, Obstacle.FUNDING, Obstacle.OTHER), "Raum fehlt"),
            ((), None),  # "none named" stays apart from "not answered" (None)
        ]


@pytest.mark.parametrize("race", [held, at_once], ids=["held", "at_once"])
async def test_two_colleagues_submitting_the_same_measure_at_once_get_two_versions(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    mainz: Catalogue,
    race: Race[tuple[int, int]],
) -> None:
    """Both drafts of the first submission of a measure, submitted in two transactions at
    the same moment: versions 1 and 2, one latest report, no error (seen with concurrent
    updates on PostgreSQL: both read "no version yet")."""
    await prepare(engine, sessions, mainz)
    async with sessions() as session, session.begin():
        office = await session.scalar(select(Office).where(Office.name == "Leitstelle Wohnen"))
        assert office is not None
        await add_contact(
            session, telegram_user_id=2, display_name="V", role=Role.CONTACT, offices=[office],
            now=NOW,
        )  # fmt: skip
        round_, _ = await open_round(
            session, today=date(2026, 11, 1), cadence=Cadence.MONTHLY, now=NOW
        )
        drafts = []
        for user in (1, 2):
            contact = await contact_by_telegram_id(session, user)
            assert contact is not None
            item = (await work_items(session, contact))[0]
            drafts.append((await start_draft(session, round_, item, contact, NOW)).id)
    turn = iter(drafts)

    async def submit_next(session: AsyncSession) -> tuple[int, int]:
        draft_id = next(turn)
        draft = await session.get(Report, draft_id)
        assert draft is not None
        return draft_id, await submit(session, draft, NOW)

    first, second = await race(sessions, submit_next)
    assert sorted([first[1], second[1]]) == [1, 2]
    async with sessions() as session:
        latest = list(await session.scalars(select(LatestReport)))
        assert [(r.measure_id, r.office_id) for r in latest] == [(item.measure.id, office.id)]
        assert latest[0].report_id == (first if first[1] == 2 else second)[0]
