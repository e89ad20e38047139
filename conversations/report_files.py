"""The export files, as ``/export`` sends them and ``monitoring-bot export`` writes them.

One place reads what a report needs (:func:`storage.report_basis.load_report_basis`, the
history, the development over the rounds) and hands it to the renderer of the format, so
the chat and the command line produce the same files.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.render import texts
from bot.render.background import off_loop
from bot.render.chart import DEVELOPMENT_MIN_ROUNDS, development_chart, status_chart
from bot.render.export import write_csv
from bot.render.formatting import day
from bot.render.workbook import write_workbook
from storage.development import status_by_round
from storage.history import StoredHistory
from storage.report_basis import ReportBasis, load_report_basis


class ReportFormat(enum.StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    PDF = "pdf"

    @property
    def files(self) -> int:
        """How many files the format writes (CSV: the current state and the history)."""
        return 2 if self is ReportFormat.CSV else 1


async def report_pictures(session: AsyncSession, basis: ReportBasis) -> list[tuple[str, bytes]]:
    """The charts of the PDF: the status per field, and from three rounds on its development."""
    pictures = [
        (
            texts.CHART_TITLE.format(day=day(basis.today)),  # plain: the PDF escapes it
            await off_loop(status_chart, basis.snapshot, basis.today),
        )
    ]
    rounds = await status_by_round(session)
    if len(rounds) >= DEVELOPMENT_MIN_ROUNDS:
        titles = {field.numeral: field.title for field in basis.snapshot.fields}
        development = await off_loop(development_chart, rounds, titles)
        pictures.append((texts.DEVELOPMENT_CHART_CAPTION, development))
    return pictures


async def write_report(
    session: AsyncSession,
    today: date,
    zone: ZoneInfo,
    report_format: ReportFormat,
    targets: Sequence[BinaryIO],
) -> None:
    """Write the export in ``report_format`` to ``targets`` (one file, two for CSV)."""
    assert len(targets) == report_format.files
    basis = await load_report_basis(session, today)
    if report_format is ReportFormat.PDF:
        # reportlab only when a PDF is asked for: it costs the process memory otherwise
        from bot.render.pdf import build_pdf

        pictures = await report_pictures(session, basis)
        targets[0].write(await off_loop(build_pdf, basis, zone, pictures))
        return
    history = await StoredHistory.load(session)
    if report_format is ReportFormat.XLSX:
        await write_workbook(targets[0], basis, history, zone)
    else:
        await write_csv(
            targets[0], targets[1], basis.snapshot.fields, history, zone, basis.evidence
        )
