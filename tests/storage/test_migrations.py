"""Migrations are the only way the schema changes, and they keep rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage.history import measure_history
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import Base, Contact, Obstacle, Role, TargetAnswer
from storage.setup import init_database


async def test_migrations_build_exactly_the_models(engine: AsyncEngine) -> None:
    await upgrade(engine)

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []
    assert await current_revision(engine) == head_revision()


async def test_init_upgrades_in_place_without_losing_rows(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session:
        session.add(Contact(telegram_user_id=7, display_name="Max", role=Role.COORDINATOR))
        await session.commit()
    await init_database(engine, mainz)
    async with sessions() as session:
        names = list(await session.scalars(select(Contact.display_name)))
    assert names == ["Max"]


async def test_upgrade_from_first_schema_keeps_reports(engine: AsyncEngine) -> None:
    """A database at revision 0001 with a submitted report upgrades to head intact."""
    await upgrade(engine, "0001")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO fields (id, numeral, position, title, summary, retired) VALUES (1, 'I', 0, 'F', 'S', false)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO goals (id, code, field_id, position, title, retired) VALUES (1, 'I.1', 1, 0, 'Z', false)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO measures (id, code, goal_id, position, title, indicator, retired) VALUES (1, 'I.1.1', 1, 0, 'M', 'E', false)"
            )
        )
        await connection.execute(
            text("INSERT INTO offices (id, name, position, retired) VALUES (1, 'Amt', 0, false)")
        )
        await connection.execute(
            text("INSERT INTO rounds (id, opens_on, due_on, created_at) VALUES (1, :d, :d, :t)"),
            {"d": date(2026, 1, 1), "t": datetime(2026, 1, 1, tzinfo=UTC)},
        )
        await connection.execute(
            text(
                "INSERT INTO reports (id, round_id, measure_id, office_id, version, created_at, submitted_at) "
                "VALUES (1, 1, 1, 1, 1, :c, :s)"
            ),
            {"c": datetime(2026, 1, 2, tzinfo=UTC), "s": datetime(2026, 1, 3, tzinfo=UTC)},
        )
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT id, version, updated_at FROM reports"))).all()
    assert len(rows) == 1
    assert rows[0][1] == 1
    assert str(rows[0][2]).startswith("2026-01-03")
    async with engine.connect() as connection:
        latest = (
            await connection.execute(
                text("SELECT measure_id, office_id, report_id FROM latest_reports")
            )
        ).all()
    assert [tuple(row) for row in latest] == [(1, 1, 1)]


async def database_at_0007_with_answers(engine: AsyncEngine) -> None:
    """Revision 0007 with a submitted report whose three answers name one obstacle or none."""
    await upgrade(engine, "0007")
    statements = [
        "INSERT INTO fields (id, numeral, position, title, summary, retired) VALUES (1, 'I', 0, 'F', 'S', false)",
        "INSERT INTO goals (id, code, field_id, position, title, retired) VALUES (1, 'I.1', 1, 0, 'Z', false)",
        "INSERT INTO measures (id, code, goal_id, position, title, indicator, retired) VALUES (1, 'I.1.1', 1, 0, 'M', 'E', false)",
        "INSERT INTO offices (id, name, position, retired) VALUES (1, 'Amt', 0, false)",
        "INSERT INTO horizon_targets (id, measure_id, terms, position, target, retired) VALUES "
        "(1, 1, 'kurz', 0, 'A', false), (2, 1, 'mittel', 1, 'B', false), (3, 1, 'lang', 2, 'C', false)",
        "INSERT INTO rounds (id, opens_on, due_on, created_at) VALUES (1, :d, :d, :t)",
        "INSERT INTO reports (id, round_id, measure_id, office_id, version, created_at, updated_at, submitted_at) "
        "VALUES (1, 1, 1, 1, 1, :t, :t, :t)",
        "INSERT INTO target_answers (id, report_id, horizon_target_id, status, carried_over, obstacle, support_requested, answered_at) "
        "VALUES (1, 1, 1, 'at_risk', false, 'funding', true, :t), (2, 1, 2, 'on_track', false, NULL, false, :t), "
        "(3, 1, 3, 'delayed', false, 'other', false, :t)",
    ]  # fmt: skip
    values = {"d": date(2026, 1, 1), "t": datetime(2026, 1, 3, tzinfo=UTC)}
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement), values)


async def test_upgrade_carries_the_single_obstacle_over(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await database_at_0007_with_answers(engine)
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()
    async with engine.connect() as connection:
        stored = (
            await connection.execute(
                text("SELECT obstacles, obstacle_note FROM target_answers ORDER BY id")
            )
        ).all()
    assert [tuple(row) for row in stored] == [("funding", None), (None, None), ("other", None)]
    async with sessions() as session:
        answers = list(await session.scalars(select(TargetAnswer).order_by(TargetAnswer.id)))
        assert [a.obstacles for a in answers] == [(Obstacle.FUNDING,), None, (Obstacle.OTHER,)]
        assert [a.obstacle_note for a in answers] == [None, None, None]
        history = await measure_history(session, 1)  # the read model: () for none
    assert [a.obstacles for a in history] == [(Obstacle.FUNDING,), (), (Obstacle.OTHER,)]


async def test_a_table_rebuilt_by_a_migration_keeps_the_rows_that_refer_to_it(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    """Going back from 0008 rebuilds ``reports`` on SQLite; its answers must stay."""
    await init_database(engine, mainz)
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO rounds (id, opens_on, due_on, created_at) VALUES (1, :d, :d, :t)"),
            {"d": date(2026, 11, 1), "t": datetime(2026, 11, 1, tzinfo=UTC)},
        )
        measure_id, target_id = (
            await connection.execute(text("SELECT measure_id, id FROM horizon_targets LIMIT 1"))
        ).one()
        office_id = (await connection.execute(text("SELECT id FROM offices LIMIT 1"))).scalar()
        await connection.execute(
            text(
                "INSERT INTO reports (id, round_id, measure_id, office_id, version, created_at, "
                "updated_at, submitted_at) VALUES (1, 1, :m, :o, 1, :t, :t, :t)"
            ),
            {"m": measure_id, "o": office_id, "t": datetime(2026, 11, 2, tzinfo=UTC)},
        )
        await connection.execute(
            text(
                "INSERT INTO target_answers (report_id, horizon_target_id, status, carried_over, "
                "obstacles, answered_at) VALUES (1, :h, 'delayed', false, 'funding,other', :t)"
            ),
            {"h": target_id, "t": datetime(2026, 11, 2, tzinfo=UTC)},
        )
    await downgrade(engine, "0007")
    async with engine.connect() as connection:
        rows = (
            await connection.execute(text("SELECT report_id, obstacle FROM target_answers"))
        ).all()
    assert [tuple(row) for row in rows] == [(1, "funding")]
    await upgrade(engine)
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT obstacles FROM target_answers"))).all()
    assert [tuple(row) for row in rows] == [("funding",)]
