"""The reports table keeps every version: a version number is never used twice."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage.models import Measure, Office, Report, ReportingRound
from storage.setup import init_database


async def test_version_is_unique_per_round_measure_and_office(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session:
        measure = await session.scalar(select(Measure).where(Measure.code == "V.2.1"))
        office = await session.scalar(select(Office).where(Office.name == "Sozialplanung"))
        assert measure is not None
        assert office is not None
        round_ = ReportingRound(opens_on=date(2026, 11, 1), due_on=date(2026, 11, 30))
        session.add(round_)
        await session.flush()
        key = {"round_id": round_.id, "measure_id": measure.id, "office_id": office.id}
        session.add(Report(**key, version=1, submitted_at=datetime(2026, 11, 3, tzinfo=UTC)))
        session.add(Report(**key, version=2))
        await session.commit()
        session.add(Report(**key, version=2))
        with pytest.raises(IntegrityError):
            await session.commit()
        await session.rollback()
        versions = list(await session.scalars(select(Report.version).order_by(Report.version)))
        first = await session.scalar(select(Report).where(Report.version == 1))
    assert versions == [1, 2]
    assert first is not None
    assert first.submitted_at == datetime(2026, 11, 3, tzinfo=UTC)
