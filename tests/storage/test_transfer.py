"""Copying all data into another database: every row with its id, sequences moved on,
counts compared; a target holding data is refused. Targets: SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine, session_factory
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Contact, Report, ReportingRound, Revision, Role, TargetAnswer
from storage.people import add_contact
from storage.reporting import Cadence, open_round
from storage.setup import SchemaOutdated
from storage.transfer import TABLES, TargetNotEmpty, copy_database, snapshot, stored_rows
from tests.sample_data import NOW, every_row, fill, history


@pytest.fixture
async def source(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'quelle.sqlite3'}")
    yield engine
    await engine.dispose()


async def test_every_row_is_copied_with_its_id_and_new_rows_follow(
    source: AsyncEngine, engine: AsyncEngine, tmp_path: Path
) -> None:
    sample = await fill(source, tmp_path / "daten")
    before = await every_row(source)

    copied = await copy_database(source, engine, batch_size=7)  # several batches per table

    assert copied.rows == {name: len(rows) for name, rows in before.items()}
    assert copied.tables == len(TABLES)
    assert copied.rows["reports"] == 2
    assert copied.rows["target_answers"] == 2 * copied.rows["reports"]
    assert copied.rows["evidence"] == 1
    assert copied.rows["support_requests"] == 2  # one per horizon target of the measure
    assert await current_revision(engine) == head_revision()
    after = await every_row(engine)
    assert after == before  # every table, every column, ids included
    for name in ("reports", "target_answers", "evidence", "latest_reports", "revisions"):
        assert after[name], name
    assert await history(engine, sample.measure_id) == await history(source, sample.measure_id)
    assert [a.version for a in await history(engine, sample.measure_id)] == [1, 1, 2, 2]

    # new rows get ids after the copied ones (PostgreSQL: the sequences were moved on)
    async with session_factory(engine)() as session, session.begin():
        highest = await session.scalar(select(func.max(Contact.id)))
        newcomer = await add_contact(
            session, telegram_user_id=999, display_name="Nina Neu", role=Role.CONTACT, now=NOW
        )
        assert newcomer.id == (highest or 0) + 1
        december, created = await open_round(
            session, today=date(2026, 12, 1), cadence=Cadence.MONTHLY, now=NOW
        )
        assert created
        assert december.id == 3
        template = await session.scalar(select(Report).order_by(Report.id.desc()).limit(1))
        assert template is not None
        report = Report(
            round_id=december.id, measure_id=template.measure_id, office_id=template.office_id,
            author_id=newcomer.id, created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        session.add(report)
        await session.flush()
        assert report.id == template.id + 1
        answer = TargetAnswer(report_id=report.id, horizon_target_id=1)
        session.add(answer)
        await session.flush()
        assert answer.id == copied.rows["target_answers"] + 1


async def set_up_with_a_contact(engine: AsyncEngine, telegram_user_id: int) -> None:
    """The schema (without the catalogue, which takes a while) and one person."""
    await upgrade(engine)
    async with session_factory(engine)() as session, session.begin():
        await add_contact(
            session, telegram_user_id=telegram_user_id, display_name="Paula Probe",
            role=Role.COORDINATOR, now=NOW,
        )  # fmt: skip


async def test_a_target_holding_data_is_refused_and_left_alone(
    source: AsyncEngine, engine: AsyncEngine
) -> None:
    await set_up_with_a_contact(source, 1)
    await set_up_with_a_contact(engine, 2)  # e.g. after "monitoring-bot init"
    before = await every_row(engine)
    assert await stored_rows(engine) == 1

    with pytest.raises(TargetNotEmpty) as refused:
        await copy_database(source, engine)

    assert refused.value.rows == 1
    assert await every_row(engine) == before


async def test_a_freshly_migrated_target_counts_as_empty(
    source: AsyncEngine, engine: AsyncEngine
) -> None:
    await set_up_with_a_contact(source, 1)
    await upgrade(engine)  # the migrations write the counter of submissions (revisions)
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(Revision)) == 1
    assert await stored_rows(engine) == 0

    await copy_database(source, engine)

    assert await every_row(engine) == await every_row(source)


async def test_a_source_not_set_up_is_refused(source: AsyncEngine, engine: AsyncEngine) -> None:
    with pytest.raises(SchemaOutdated):
        await copy_database(source, engine)
    assert await stored_rows(engine) == 0


async def test_the_snapshot_reads_one_state_while_others_write(engine: AsyncEngine) -> None:
    await upgrade(engine)
    async with session_factory(engine)() as session, session.begin():
        for month in (10, 11):
            await open_round(session, today=date(2026, month, 1), cadence=Cadence.MONTHLY, now=NOW)
    async with snapshot(engine) as reading:
        first = await reading.scalar(select(func.count()).select_from(ReportingRound))
        async with session_factory(engine)() as session, session.begin():
            await open_round(
                session, today=date(2027, 1, 1), cadence=Cadence.MONTHLY,
                now=datetime(2027, 1, 1, tzinfo=UTC),
            )  # fmt: skip
        again = await reading.scalar(select(func.count()).select_from(ReportingRound))
        assert again == first == 2
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(ReportingRound)) == 3
