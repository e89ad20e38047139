"""Read the active catalogue back from the database as a :class:`seed.schema.Catalogue`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from seed import schema
from storage.models import CatalogueInfo, FieldOfAction, Goal, HorizonTerm, Measure, Office


class CatalogueNotLoaded(Exception):
    """The database holds no catalogue yet (``monitoring-bot init`` has not run)."""


async def term_meanings(session: AsyncSession) -> dict[str, str]:
    """What each horizon term means in this plan: ``{"kurz": "Derzeit in der Umsetzung…"}``."""
    rows = await session.execute(select(HorizonTerm.term, HorizonTerm.description))
    return {term: description for term, description in rows if description}


async def catalogue_city(session: AsyncSession) -> str | None:
    """The city whose plan is loaded ("Mainz"); None if the catalogue names none."""
    city = await session.get(CatalogueInfo, "city")
    return city.value if city is not None else None


async def read_catalogue(session: AsyncSession) -> schema.Catalogue:
    """The catalogue as stored, without retired entries, in document order."""
    info = await session.get(CatalogueInfo, "name")
    if info is None:
        raise CatalogueNotLoaded
    terms = await session.scalars(select(HorizonTerm))
    offices = await session.scalars(
        select(Office).where(Office.retired.is_(False)).order_by(Office.position)
    )
    fields = await session.scalars(
        select(FieldOfAction)
        .where(FieldOfAction.retired.is_(False))
        .order_by(FieldOfAction.position)
        .options(
            selectinload(FieldOfAction.goals)
            .selectinload(Goal.measures)
            .options(selectinload(Measure.horizons), selectinload(Measure.offices))
        )
    )
    return schema.Catalogue(
        name=info.value,
        city=await catalogue_city(session),
        horizons={
            schema.Term(t.term): schema.HorizonDefinition(label=t.label, description=t.description)
            for t in terms
        },
        offices=tuple(office.name for office in offices),
        fields=tuple(
            schema.FieldOfAction(
                numeral=field.numeral,
                title=field.title,
                summary=field.summary,
                goals=tuple(
                    schema.Goal(
                        code=goal.code,
                        title=goal.title,
                        measures=tuple(
                            schema.Measure(
                                code=measure.code,
                                title=measure.title,
                                indicator=measure.indicator,
                                horizons=tuple(
                                    schema.HorizonTarget(
                                        terms=tuple(
                                            schema.Term(t) for t in horizon.terms.split("+")
                                        ),
                                        target=horizon.target,
                                    )
                                    for horizon in measure.horizons
                                    if not horizon.retired
                                ),
                                offices=tuple(office.name for office in measure.offices),
                            )
                            for measure in goal.measures
                            if not measure.retired
                        ),
                    )
                    for goal in field.goals
                    if not goal.retired
                ),
            )
            for field in fields
        ),
    )
