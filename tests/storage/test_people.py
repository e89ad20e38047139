"""People in storage: invitations are single-use and expire; removal keeps reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage.models import Measure, Office, Report, ReportingRound, Role
from storage.people import (
    Redemption,
    add_contact,
    create_invitation,
    redeem_invitation,
    remove_account,
)
from storage.setup import init_database

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def test_redeem_once_then_used_and_expired(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        office = await session.scalar(select(Office).where(Office.name == "Frauenbüro"))
        token = await create_invitation(
            session, role=Role.CONTACT, office=office, now=NOW, valid_for=timedelta(days=14)
        )
        late = await create_invitation(
            session, role=Role.COORDINATOR, office=None, now=NOW, valid_for=timedelta(days=1)
        )
    async with sessions() as session, session.begin():
        first = await redeem_invitation(
            session, token, telegram_user_id=1, display_name="Eins", now=NOW
        )
        assert first.outcome is Redemption.ACCEPTED
        assert first.contact is not None
        assert [o.name for o in first.contact.offices] == ["Frauenbüro"]
    async with sessions() as session, session.begin():
        again = await redeem_invitation(
            session, token, telegram_user_id=2, display_name="Zwei", now=NOW
        )
        expired = await redeem_invitation(
            session, late, telegram_user_id=2, display_name="Zwei", now=NOW + timedelta(days=1)
        )
        unknown = await redeem_invitation(
            session, "gibt-es-nicht", telegram_user_id=2, display_name="Zwei", now=NOW
        )
    assert (again.outcome, expired.outcome, unknown.outcome) == (
        Redemption.USED,
        Redemption.EXPIRED,
        Redemption.UNKNOWN,
    )


async def test_removed_account_leaves_reports_with_their_office(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        office = await session.scalar(select(Office).where(Office.name == "Frauenbüro"))
        measure = await session.scalar(select(Measure).where(Measure.code == "III.3.1"))
        assert office is not None
        assert measure is not None
        author = await add_contact(
            session, telegram_user_id=3, display_name="Drei", role=Role.CONTACT,
            offices=[office], now=NOW,
        )  # fmt: skip
        round_ = ReportingRound(opens_on=date(2026, 11, 1), due_on=date(2026, 11, 30))
        session.add(round_)
        await session.flush()
        session.add(
            Report(round_id=round_.id, measure_id=measure.id, office_id=office.id, version=1,
                   author_id=author.id, submitted_at=NOW)
        )  # fmt: skip
    async with sessions() as session, session.begin():
        contact = await session.get(type(author), author.id)
        assert contact is not None
        await remove_account(session, contact)
    async with sessions() as session:
        report = await session.scalar(select(Report))
        assert report is not None
        assert report.author_id is None
        assert report.office_id == office.id
