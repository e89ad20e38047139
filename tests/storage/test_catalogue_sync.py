"""Loading the catalogue into the database: faithful, idempotent, and safe for reports."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed import schema
from seed.schema import Catalogue, Goal, Term
from storage.catalogue_read import catalogue_city, read_catalogue
from storage.models import (
    Base,
    Contact,
    Office,
    Report,
    ReportingRound,
    Role,
    Status,
    TargetAnswer,
)
from storage.models import HorizonTarget as HorizonTargetRow
from storage.models import Measure as MeasureRow
from storage.setup import init_database


async def count_rows(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


async def test_init_loads_the_whole_plan(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    result = await init_database(engine, mainz)
    assert result.added["Maßnahmen"] == 26
    assert result.added["Zeithorizonte"] == 47
    assert result.added["Ämter"] == 19
    async with sessions() as session:
        assert await read_catalogue(session) == mainz
    counts = await count_rows(sessions)
    assert counts["measure_offices"] == sum(len(m.offices) for m in mainz.measures())


async def test_init_twice_changes_nothing(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    before = await count_rows(sessions)
    result = await init_database(engine, mainz)
    assert not result.changed, result.describe()
    assert result.describe() == "Katalog unverändert."
    assert await count_rows(sessions) == before


def revise(catalogue: Catalogue) -> Catalogue:
    """Mainz with V.2.1 dropped, I.1.1 reworded, a new measure V.1.3 and a new office."""
    fields = list(catalogue.fields)
    health = fields[4]
    psycho, care = health.goals
    new_measure = schema.Measure(
        code="V.1.3",
        title="Neue Maßnahme",
        indicator="Neuer Indikator",
        horizons=(schema.HorizonTarget(terms=(Term.KURZ,), target="Bald"),),
        offices=("Gesundheitsamt",),
    )
    psycho = psycho.model_copy(update={"measures": (*psycho.measures, new_measure)})
    care = Goal(
        code="V.2", title=care.title, measures=(new_measure.model_copy(update={"code": "V.2.2"}),)
    )
    fields[4] = health.model_copy(update={"goals": (psycho, care)})
    education = fields[0]
    first_goal = education.goals[0]
    reworded = first_goal.measures[0].model_copy(update={"title": "Neu formuliert"})
    fields[0] = education.model_copy(
        update={
            "goals": (first_goal.model_copy(update={"measures": (reworded,)}), *education.goals[1:])
        }
    )
    offices = (*tuple(o for o in catalogue.offices if o != "Sozialplanung"), "Gesundheitsamt")
    return catalogue.model_copy(update={"fields": tuple(fields), "offices": offices})


async def add_report(session: AsyncSession, code: str) -> None:
    measure = await session.scalar(select(MeasureRow).where(MeasureRow.code == code))
    assert measure is not None
    office = await session.scalar(select(Office).where(Office.name == "Sozialplanung"))
    assert office is not None
    target = await session.scalar(
        select(HorizonTargetRow).where(HorizonTargetRow.measure_id == measure.id)
    )
    assert target is not None
    author = Contact(telegram_user_id=42, display_name="Erika", role=Role.CONTACT, offices=[office])
    round_ = ReportingRound(opens_on=date(2026, 11, 1), due_on=date(2026, 11, 30))
    session.add_all([author, round_])
    await session.flush()
    report = Report(
        round_id=round_.id,
        measure_id=measure.id,
        office_id=office.id,
        version=1,
        author_id=author.id,
    )
    report.answers.append(TargetAnswer(horizon_target_id=target.id, status=Status.ON_TRACK))
    session.add(report)
    await session.commit()


async def test_revised_catalogue_updates_adds_and_retires(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session:
        await add_report(session, "V.2.1")  # V.2.1 has a report and disappears below

    revised = revise(mainz)
    result = await init_database(engine, revised)
    assert result.updated["Maßnahmen"] == 1  # I.1.1 reworded
    assert result.added["Maßnahmen"] == 2  # V.1.3, V.2.2
    assert result.retired["Maßnahmen"] == 1  # V.2.1 kept for its report
    assert result.retired["Ämter"] == 1  # Sozialplanung has a contact and a report
    assert not result.removed

    async with sessions() as session:
        assert await read_catalogue(session) == revised
        retired = await session.scalar(select(MeasureRow).where(MeasureRow.code == "V.2.1"))
        assert retired is not None
        assert retired.retired
        reports = (await session.scalars(select(Report))).all()
        assert [r.measure_id for r in reports] == [retired.id]

    again = await init_database(engine, revised)
    assert not again.changed, again.describe()

    # going back to the original reactivates what was retired
    back = await init_database(engine, mainz)
    assert back.removed["Maßnahmen"] == 2  # the new ones had no reports
    async with sessions() as session:
        assert await read_catalogue(session) == mainz


async def test_measure_without_reports_is_removed(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    revised = revise(mainz)
    result = await init_database(engine, revised)
    assert result.removed["Maßnahmen"] == 1  # V.2.1 had no report
    assert result.removed["Ämter"] == 1  # Sozialplanung: nobody refers to it
    async with sessions() as session:
        codes = set(await session.scalars(select(MeasureRow.code)))
    assert "V.2.1" not in codes
    assert {"V.1.3", "V.2.2"} <= codes


def drop_last_horizon(catalogue: Catalogue, *codes: str) -> Catalogue:
    """``catalogue`` with the last horizon target of each measure in ``codes`` removed."""
    fields = []
    for field in catalogue.fields:
        goals = []
        for goal in field.goals:
            measures = tuple(
                m.model_copy(update={"horizons": m.horizons[:-1]}) if m.code in codes else m
                for m in goal.measures
            )
            goals.append(goal.model_copy(update={"measures": measures}))
        fields.append(field.model_copy(update={"goals": tuple(goals)}))
    return catalogue.model_copy(update={"fields": tuple(fields)})


async def test_dropped_horizon_target_is_retired_only_when_answered(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session:
        await add_report(session, "V.2.1")  # a report elsewhere must not protect these targets
    # I.1.1 loses "lang" (never answered); V.1.2 loses "mittel+lang" (never answered)
    revised = drop_last_horizon(mainz, "I.1.1", "V.1.2")
    result = await init_database(engine, revised)
    assert result.removed["Zeithorizonte"] == 2
    assert not result.retired
    async with sessions() as session:
        assert await read_catalogue(session) == revised


async def test_answered_horizon_target_is_retired(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session:
        await add_report(session, "I.1.1")  # answers I.1.1's first target ("kurz")
    fields = list(mainz.fields)
    goal = fields[0].goals[0]
    measure = goal.measures[0].model_copy(update={"horizons": goal.measures[0].horizons[1:]})
    fields[0] = fields[0].model_copy(
        update={"goals": (goal.model_copy(update={"measures": (measure,)}), *fields[0].goals[1:])}
    )
    revised = mainz.model_copy(update={"fields": tuple(fields)})
    result = await init_database(engine, revised)
    assert result.retired["Zeithorizonte"] == 1
    async with sessions() as session:
        assert await read_catalogue(session) == revised
        answered = await session.scalar(
            select(HorizonTargetRow).join(TargetAnswer).where(HorizonTargetRow.terms == "kurz")
        )
        assert answered is not None
        assert answered.retired


async def test_the_city_follows_the_catalogue(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session:
        assert await catalogue_city(session) == "Mainz"
    result = await init_database(engine, mainz.model_copy(update={"city": "Musterstadt"}))
    assert result.updated["Stadt"] == 1
    async with sessions() as session:
        assert await catalogue_city(session) == "Musterstadt"
    without = mainz.model_copy(update={"city": None})
    result = await init_database(engine, without)
    assert result.removed["Stadt"] == 1
    async with sessions() as session:
        assert await catalogue_city(session) is None
        assert await read_catalogue(session) == without
