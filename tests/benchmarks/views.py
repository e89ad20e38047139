"""Benchmark of the coordinators' views on a large history (prints figures; asserts nothing).

    .venv/bin/python -m tests.benchmarks.views [--measures 2500] [--offices 3] [--years 1 10]

Builds the Mainz catalogue scaled up to about ``--measures`` measures with several offices
each, fills monthly rounds with a submitted report per measure and office, and times the
overview and a field view, first after the smallest number of years, then after each larger
one, so that the current-state views can be compared side by side as the history grows.
Peak memory is the maximum resident set size of this process. The exports have their own
benchmark, :mod:`tests.benchmarks.exports`, which builds its data with the functions here.

Targets on the development machine: overview and field view under 100 ms, current-state
views flat as the history grows.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.render.views import field_view, overview
from seed.loader import load_catalogue
from seed.schema import Catalogue, FieldOfAction, Goal, HorizonTarget, Measure
from storage.database import create_engine, session_factory
from storage.models import (
    Contact,
    LatestReport,
    Obstacle,
    Report,
    ReportingRound,
    Role,
    Status,
    TargetAnswer,
    measure_offices,
)
from storage.models import (
    HorizonTarget as HorizonTargetRow,
)
from storage.reporting import add_months
from storage.setup import init_database
from storage.status import SnapshotCache

ZONE = ZoneInfo("Europe/Berlin")
STATUSES = list(Status)
OBSTACLES = list(Obstacle)
AUTHORS = 200  # contacts who write the reports


def scaled_catalogue(base: Catalogue, measures: int, offices_per_measure: int) -> Catalogue:
    """The base plan with every goal repeated until there are about ``measures`` measures."""
    per_field = max(1, measures // len(base.fields))
    offices = [*base.offices, *(f"Amt {n:03d}" for n in range(60))]
    rng = random.Random(7)
    fields = []
    for field in base.fields:
        goals: list[Goal] = []
        count = 0
        copy = 0
        while count < per_field:
            for template in field.goals:
                number = len(goals) + 1
                code = f"{field.numeral}.{number}"
                measure_list = []
                for m_number, m in enumerate(template.measures, start=1):
                    if count >= per_field:
                        break
                    measure_list.append(
                        Measure(
                            code=f"{code}.{m_number}",
                            title=f"{m.title} (Kopie {copy})",
                            indicator=m.indicator,
                            horizons=m.horizons or (HorizonTarget(terms=(), target="x"),),
                            offices=tuple(rng.sample(offices, offices_per_measure)),
                        )
                    )
                    count += 1
                if measure_list:
                    goals.append(
                        Goal(code=code, title=template.title, measures=tuple(measure_list))
                    )
            copy += 1
        fields.append(
            FieldOfAction(
                numeral=field.numeral, title=field.title, summary=field.summary, goals=tuple(goals)
            )
        )
    used = sorted(
        {o for f in fields for g in f.goals for m in g.measures for o in m.offices},
        key=offices.index,
    )
    return Catalogue(
        name=base.name, horizons=base.horizons, offices=tuple(used), fields=tuple(fields)
    )


PHRASES = (
    "Fortschritt wie geplant.",
    "Unverändert zum Vormonat.",
    "Abstimmung mit dem Dezernat läuft.",
    "Personalengpass in der Sommerpause.",
)


def note_for(rng: random.Random, report_id: int) -> str | None:
    """Like real notes: often none, often a stock phrase, otherwise the office's own words."""
    roll = rng.random()
    if roll < 0.4:
        return None
    if roll < 0.7:
        return rng.choice(PHRASES)
    return f"Bericht {report_id}: {rng.randint(1, 40)} Termine, {rng.randint(0, 9)} neue Kontakte."


async def add_contacts(engine: AsyncEngine, count: int) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            insert(Contact),
            [
                {"telegram_user_id": 10_000 + n, "display_name": f"Kontakt {n:03d}",
                 "role": Role.CONTACT, "created_at": datetime(2016, 1, 1, tzinfo=UTC)}
                for n in range(count)
            ],
        )  # fmt: skip


async def add_history(engine: AsyncEngine, first: date, months: int, start_index: int) -> int:
    """Monthly rounds from ``first + start_index`` months, each fully reported; returns rows.

    Every report has its own submission time within the round, an author, and notes that
    vary as real ones do, so the export cannot live off a handful of repeated values.
    """
    rng = random.Random(start_index)
    async with engine.begin() as connection:
        links = (
            await connection.execute(
                select(measure_offices.c.measure_id, measure_offices.c.office_id)
            )
        ).all()
        targets: dict[int, list[int]] = {}
        for measure_id, target_id in (
            await connection.execute(select(HorizonTargetRow.measure_id, HorizonTargetRow.id))
        ).all():
            targets.setdefault(measure_id, []).append(target_id)
        authors = list((await connection.scalars(select(Contact.id))).all())
        report_id = int(
            (await connection.scalar(select(Report.id).order_by(Report.id.desc()).limit(1))) or 0
        )
        rows = 0
        for index in range(start_index, start_index + months):
            opens_on = add_months(first, index)
            round_id = (
                await connection.execute(
                    insert(ReportingRound)
                    .values(
                        opens_on=opens_on,
                        due_on=add_months(opens_on, 1) - timedelta(days=1),
                        created_at=datetime(
                            opens_on.year, opens_on.month, opens_on.day, tzinfo=UTC
                        ),
                    )
                    .returning(ReportingRound.id)
                )
            ).scalar_one()
            opening = datetime(opens_on.year, opens_on.month, opens_on.day, 7, tzinfo=UTC)
            reports, answers, latest = [], [], []
            for measure_id, office_id in links:
                report_id += 1
                submitted = opening + timedelta(seconds=rng.randrange(20 * 86_400))
                reports.append({
                    "id": report_id, "round_id": round_id, "measure_id": measure_id, "office_id": office_id,
                    "version": 1, "author_id": rng.choice(authors), "indicator_note": note_for(rng, report_id),
                    "created_at": submitted, "updated_at": submitted, "submitted_at": submitted,
                })  # fmt: skip
                for target_id in targets[measure_id]:
                    status = rng.choice(STATUSES)
                    troubled = status in (Status.AT_RISK, Status.DELAYED)
                    named = tuple(rng.sample(OBSTACLES, rng.randint(1, 2))) if troubled else None
                    answers.append({
                        "report_id": report_id, "horizon_target_id": target_id,
                        "status": status.value, "carried_over": rng.random() < 0.2,
                        "note": note_for(rng, report_id),
                        "obstacles": named,
                        "obstacle_note": "Raum fehlt" if named and Obstacle.OTHER in named else None,
                        "support_requested": troubled and rng.random() < 0.5,
                        "support_note": "Bitte um Rücksprache." if troubled else None,
                        "answered_at": submitted,
                    })  # fmt: skip
                latest.append({
                    "measure_id": measure_id, "office_id": office_id, "report_id": report_id,
                    "round_id": round_id, "submitted_at": submitted,
                })  # fmt: skip
            await connection.execute(insert(Report), reports)
            await connection.execute(insert(TargetAnswer), answers)
            await connection.execute(delete(LatestReport))
            await connection.execute(insert(LatestReport), latest)
            rows += len(reports) + len(answers)
    return rows


async def timed(work: Callable[[], Awaitable[object]], repeat: int) -> float:
    """Median wall time of ``work`` in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def measure(engine: AsyncEngine, today: date) -> dict[str, float]:
    """Median times: as cached, right after a submission, and rebuilt from nothing."""
    sessions = session_factory(engine)
    cache = SnapshotCache()

    async def overview_with(snapshots: SnapshotCache) -> None:
        async with sessions() as session:
            overview(await snapshots.get(session, today))

    async def field_with(snapshots: SnapshotCache) -> None:
        async with sessions() as session:
            snapshot = await snapshots.get(session, today)
            field_view(snapshot.fields[4], snapshot, ZONE)

    async def submission() -> None:
        """What a submission changes for the views: one latest report, the revision."""
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE revisions SET value = value + 1 WHERE name = 'reports'")
            )
            await connection.execute(
                text(
                    "UPDATE latest_reports SET revision = (SELECT value FROM revisions WHERE name = 'reports') "
                    "WHERE measure_id = (SELECT MIN(measure_id) FROM latest_reports)"
                )
            )

    async def after_submission(work: Callable[[SnapshotCache], Awaitable[None]]) -> float:
        times = []
        for _ in range(5):
            await submission()
            started = time.perf_counter()
            await work(cache)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    return {
        "overview_ms": await timed(lambda: overview_with(cache), 7),
        "overview_change_ms": await after_submission(overview_with),
        "field_view_ms": await timed(lambda: field_with(cache), 7),
        "field_view_change_ms": await after_submission(field_with),
        "rebuild_ms": await timed(lambda: overview_with(SnapshotCache()), 3),
    }


async def main(measures: int, offices: int, years: list[int], database_url: str | None) -> None:
    catalogue = scaled_catalogue(load_catalogue(), measures, offices)
    links = sum(len(m.offices) for m in catalogue.measures())
    print(f"Katalog: {len(catalogue.measures())} Maßnahmen, {len(catalogue.horizon_targets())} Zielhorizonte, "
          f"{len(catalogue.offices)} Ämter, {links} Zuständigkeiten")  # fmt: skip
    with tempfile.TemporaryDirectory() as directory:
        url = database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        engine = create_engine(url)
        await init_database(engine, catalogue)
        await add_contacts(engine, AUTHORS)
        first = date(2016, 1, 1)
        done = 0
        results: dict[int, dict[str, float]] = {}
        for year_count in sorted(years):
            started = time.perf_counter()
            rows = await add_history(engine, first, 12 * year_count - done, done)
            done = 12 * year_count
            print(
                f"{year_count} Jahr(e) Verlauf: +{rows:,} Zeilen in {time.perf_counter() - started:.1f} s"
            )
            async with engine.begin() as connection:
                if connection.dialect.name == "sqlite":
                    await connection.execute(text("ANALYZE"))
            today = add_months(first, done - 1) + timedelta(days=3)
            results[year_count] = await measure(engine, today)
        await engine.dispose()
    print()
    header = "".join(f"{f'{y} Jahr(e)':>14}" for y in sorted(results))
    print(f"{'':24}{header}")
    labels = {
        "overview_ms": "Übersicht [ms]",
        "overview_change_ms": "  nach Meldung [ms]",
        "field_view_ms": "Handlungsfeld [ms]",
        "field_view_change_ms": "  nach Meldung [ms]",
        "rebuild_ms": "Neuaufbau (Start) [ms]",
    }
    for key, label in labels.items():
        if key in results[min(results)]:
            print(f"{label:24}" + "".join(f"{results[y][key]:14.1f}" for y in sorted(results)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'Spitzenspeicher [MB]':24}{peak:14.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=2500)
    parser.add_argument("--offices", type=int, default=3, help="Ämter je Maßnahme")
    parser.add_argument("--years", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--database-url", help="statt einer temporären SQLite-Datei")
    args = parser.parse_args()
    asyncio.run(main(args.measures, args.offices, args.years, args.database_url))
