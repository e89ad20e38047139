"""Benchmark of the exports: workbook, PDF and CSV, their time and peak memory (prints figures).

    .venv/bin/python -m tests.benchmarks.exports [--measures 2500] [--offices 3]

Three data sets, each in a temporary SQLite database built with the functions of
:mod:`tests.benchmarks.views`: the Mainz plan as bundled with two years of monthly rounds,
the plan scaled up to about ``--measures`` measures with one year, and the same with two
years (to see whether the CSV's memory grows with the history).

Each export runs in a fresh process (as ``monitoring-bot export`` does), which reports the
time of the export alone and the peak resident memory of the whole process, and the
memory it had before the export began (Python, the libraries and the database driver).

Targets on the development machine: Mainz workbook and PDF under 2 s each; 2,500 measures
with one year: workbook under 15 s with peak memory under 300 MB; the CSV's memory does
not grow with the history.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from seed.loader import load_catalogue
from seed.schema import Catalogue
from storage.database import create_engine
from storage.reporting import add_months
from storage.setup import init_database
from tests.benchmarks.views import AUTHORS, add_contacts, add_history, scaled_catalogue

ZONE = ZoneInfo("Europe/Berlin")
FIRST = date(2024, 1, 1)
FORMATS = ("xlsx", "pdf", "csv")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


async def _child(report_format: str, url: str, today: date, directory: Path) -> None:
    """In a fresh process: one export, timed; prints the figures as JSON."""
    from conversations.report_files import ReportFormat, write_report
    from storage.database import session_factory

    chosen = ReportFormat(report_format)
    engine = create_engine(url)
    before = _peak_mb()
    paths = [directory / f"export-{n}.{report_format}" for n in range(chosen.files)]
    files: list[BinaryIO] = [path.open("wb") for path in paths]
    started = time.perf_counter()
    async with session_factory(engine)() as session:
        await write_report(session, today, ZONE, chosen, files)
    for file in files:
        file.close()
    seconds = time.perf_counter() - started
    await engine.dispose()
    size = sum(path.stat().st_size for path in paths)
    print(json.dumps({"s": seconds, "peak": _peak_mb(), "before": before, "bytes": size}))


def run_export(report_format: str, url: str, today: date, directory: Path) -> dict[str, float]:
    command = [sys.executable, "-m", "tests.benchmarks.exports", "--child", report_format]
    command += [url, today.isoformat(), str(directory)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


async def fill(catalogue: Catalogue, url: str, months: int, done: int = 0) -> tuple[int, date]:
    """Add monthly rounds to the database; the rows written and the day to export on."""
    engine = create_engine(url)
    if done == 0:
        await init_database(engine, catalogue)
        await add_contacts(engine, AUTHORS)
    rows = await add_history(engine, FIRST, months, done)
    await engine.dispose()
    return rows, add_months(FIRST, done + months - 1) + timedelta(days=3)


def report(title: str, url: str, today: date, directory: Path, formats: tuple[str, ...]) -> None:
    print(f"\n{title}")
    print(f"{'':8}{'Zeit [s]':>10}{'Spitze [MB]':>13}{'davor [MB]':>12}{'Datei [MB]':>12}")
    for report_format in formats:
        figures = run_export(report_format, url, today, directory)
        print(
            f"{report_format:8}{figures['s']:10.2f}{figures['peak']:13.0f}"
            f"{figures['before']:12.0f}{figures['bytes'] / 1e6:12.1f}"
        )


async def main(measures: int, offices: int) -> None:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        mainz = load_catalogue()
        url = f"sqlite+aiosqlite:///{directory / 'mainz.sqlite3'}"
        rows, today = await fill(mainz, url, 24)
        report(f"Mainz ({len(mainz.measures())} Maßnahmen), 2 Jahre monatlich ({rows:,} Zeilen)",
               url, today, directory, FORMATS)  # fmt: skip

        scaled = scaled_catalogue(mainz, measures, offices)
        url = f"sqlite+aiosqlite:///{directory / 'scaled.sqlite3'}"
        started = time.perf_counter()
        rows, today = await fill(scaled, url, 12)
        print(f"\n(Daten für {len(scaled.measures()):,} Maßnahmen angelegt in "
              f"{time.perf_counter() - started:.0f} s)")  # fmt: skip
        report(f"{len(scaled.measures()):,} Maßnahmen, 1 Jahr ({rows:,} Zeilen)",
               url, today, directory, FORMATS)  # fmt: skip
        more, today = await fill(scaled, url, 12, done=12)
        report(f"{len(scaled.measures()):,} Maßnahmen, 2 Jahre ({rows + more:,} Zeilen)",
               url, today, directory, ("xlsx", "csv"))  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _format, _url, _today, _directory = sys.argv[2:6]
        asyncio.run(_child(_format, _url, date.fromisoformat(_today), Path(_directory)))
        sys.exit(0)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=2500)
    parser.add_argument("--offices", type=int, default=3, help="Ämter je Maßnahme")
    args = parser.parse_args()
    asyncio.run(main(args.measures, args.offices))
