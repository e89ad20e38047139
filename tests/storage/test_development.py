"""The status per field of action over the rounds: each office's last version, gaps as None."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.render.chart import history_counts
from seed.schema import Catalogue
from storage.development import RoundStatus, status_by_round
from storage.history import measure_history
from storage.models import HorizonTarget, Measure, Office, Status, measure_offices
from storage.reporting import Cadence, open_round
from storage.setup import init_database
from storage.status import load_snapshot
from tests.storage.test_history import KITAS, NEWCOMERS, person, report

AUGUST = datetime(2026, 8, 4, 9, 0, tzinfo=UTC)
SEPTEMBER = datetime(2026, 9, 2, 9, 0, tzinfo=UTC)
OCTOBER = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
OCTOBER_LATER = datetime(2026, 10, 9, 14, 0, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# Horizon targets × responsible offices per field of the Mainz catalogue
PAIRS = {"I": 23, "II": 15, "III": 21, "IV": 10, "V": 6}


def counts(**given: int) -> Counter[Status | None]:
    """``counts(on_track=2, none=19)``: a Counter by status, ``none`` for None."""
    return Counter({(None if name == "none" else Status(name)): n for name, n in given.items()})


def nothing_but(field: str, **given: int) -> tuple[tuple[str, Counter[Status | None]], ...]:
    """Every field without answers, except ``field`` with the ``given`` counts."""
    return tuple(
        (numeral, counts(**given) if numeral == field else counts(none=pairs))
        for numeral, pairs in PAIRS.items()
    )


def with_field(
    fields: tuple[tuple[str, Counter[Status | None]], ...], numeral: str, **given: int
) -> tuple[tuple[str, Counter[Status | None]], ...]:
    return tuple((n, counts(**given) if n == numeral else c) for n, c in fields)


async def five_months(session: AsyncSession) -> None:
    """August to December; September has only a draft, December nothing at all."""
    anna = await person(session, 1, "Anna Amt", KITAS, NEWCOMERS)
    ben = await person(session, 2, "Ben Beispiel", KITAS)
    await report(session, anna, "I.2.1", KITAS, AUGUST, Status.ACHIEVED, Status.ON_TRACK)
    await report(session, ben, "I.3.1", KITAS, SEPTEMBER, *[Status.AT_RISK] * 3, submitted=False)
    # October: Anna reports, Ben corrects her (version 2 counts), both offices of I.2.1 report
    await report(session, anna, "I.2.1", KITAS, OCTOBER, Status.DELAYED, Status.AT_RISK)
    await report(session, ben, "I.2.1", KITAS, OCTOBER_LATER, Status.ON_TRACK, Status.ON_TRACK)
    await report(session, anna, "I.2.1", NEWCOMERS, OCTOBER, Status.NOT_STARTED, Status.DROPPED)
    await report(session, anna, "II.1.3", NEWCOMERS, OCTOBER, Status.AT_RISK)
    # November: one report, and a draft nobody submitted
    await report(
        session, ben, "I.3.1", KITAS, NOVEMBER, Status.ACHIEVED, Status.ACHIEVED, Status.DELAYED
    )
    await report(session, anna, "I.2.1", KITAS, NOVEMBER, Status.DROPPED, Status.DROPPED, submitted=False)  # fmt: skip
    await open_round(session, today=DECEMBER.date(), cadence=Cadence.MONTHLY, now=DECEMBER)


async def test_counts_per_field_and_round(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        await five_months(session)
    async with sessions() as session:
        found = await status_by_round(session)
        newest_two = await status_by_round(session, rounds=2)
        newest = await status_by_round(session, rounds=1)

    august = RoundStatus(date(2026, 8, 1), nothing_but("I", achieved=1, on_track=1, none=21))
    october = RoundStatus(
        date(2026, 10, 1),
        with_field(
            # KITAS's version 2 (two on track), NEWCOMERS's version 1; the rest had no answer
            nothing_but("I", on_track=2, not_started=1, dropped=1, none=19),
            "II",
            at_risk=1,
            none=14,
        ),
    )
    november = RoundStatus(date(2026, 11, 1), nothing_but("I", achieved=2, delayed=1, none=20))
    # September (a draft only) and December (nothing) are left out; oldest first
    assert found == [august, october, november]
    assert newest_two == [october, november]
    assert newest == [november]


async def test_only_the_measures_a_contact_may_see(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        await five_months(session)
    async with sessions() as session:
        i_3_1 = await session.scalar(select(Measure.id).where(Measure.code == "I.3.1"))
        assert i_3_1 is not None
        found = await status_by_round(session, measure_ids={i_3_1})
    # I.3.1 has three targets and one office; only November has a report on it
    assert [(r.opens_on, dict(r.fields)["I"]) for r in found] == [
        (date(2026, 8, 1), counts(none=3)),
        (date(2026, 10, 1), counts(none=3)),
        (date(2026, 11, 1), counts(achieved=2, delayed=1)),
    ]
    assert all(dict(r.fields)["II"] == Counter() for r in found)


async def summed_history_counts(
    session: AsyncSession, days: list[date]
) -> list[tuple[date, dict[str, Counter[Status | None]]]]:
    """What /verlauf's chart counts for each measure, summed over the measures of a field
    (a round without a report on a measure: all its targets and offices without answer)."""
    snapshot = await load_snapshot(session, NOVEMBER.date())
    expected = {day: {f.numeral: Counter[Status | None]() for f in snapshot.fields} for day in days}
    for field in snapshot.fields:
        for measure in field.measures():
            history = history_counts(measure, await measure_history(session, measure.id))
            pairs = len(measure.targets) * len(measure.offices)
            for day, totals in expected.items():
                totals[field.numeral].update(history.get(day, Counter({None: pairs})))
    return list(expected.items())


async def test_the_sum_of_each_measure_s_history_counts(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        await five_months(session)
    async with sessions() as session:
        found = await status_by_round(session)
        expected = await summed_history_counts(session, [r.opens_on for r in found])
    assert [(r.opens_on, dict(r.fields)) for r in found] == expected


async def test_answers_beyond_today_s_targets_and_offices_count_but_fill_nothing(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    """Answers on a target retired since, or from an office no longer responsible, count by
    their status; the gaps are those of the targets and offices of today."""
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        await five_months(session)
        i_2_1 = await session.scalar(select(Measure.id).where(Measure.code == "I.2.1"))
        newcomers = await session.scalar(select(Office.id).where(Office.name == NEWCOMERS))
        await session.execute(
            update(HorizonTarget)
            .where(HorizonTarget.measure_id == i_2_1, HorizonTarget.position == 1)  # "lang"
            .values(retired=True)
        )
        await session.execute(
            delete(measure_offices).where(
                measure_offices.c.measure_id == i_2_1, measure_offices.c.office_id == newcomers
            )
        )
    async with sessions() as session:
        found = await status_by_round(session)
        expected = await summed_history_counts(session, [r.opens_on for r in found])
    # I.2.1 now expects one target of one office: 23 - 2 × 2 + 1 pairs in field I
    assert dict(found[1].fields)["I"] == counts(on_track=2, not_started=1, dropped=1, none=19)
    assert [(r.opens_on, dict(r.fields)) for r in found] == expected


async def test_retired_measures_and_fields_are_left_out(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        await five_months(session)
        await session.execute(update(Measure).where(Measure.code == "II.1.3").values(retired=True))
        i_3_1 = await session.scalar(select(Measure).where(Measure.code == "I.3.1"))
        assert i_3_1 is not None
        i_3_1.retired = True
    async with sessions() as session:
        october, november = await status_by_round(session, rounds=2)
    # II.1.3 had one target and two offices; I.3.1 three targets and one office
    assert dict(october.fields)["II"] == counts(none=13)
    assert dict(november.fields)["I"] == counts(none=20)


async def test_no_rounds_no_reports(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session:
        assert await status_by_round(session) == []
    async with sessions() as session, session.begin():
        await open_round(session, today=DECEMBER.date(), cadence=Cadence.MONTHLY, now=DECEMBER)
    async with sessions() as session:
        assert await status_by_round(session) == []
        assert await status_by_round(session, rounds=0) == []
