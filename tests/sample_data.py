"""A database with a bit of everything, for backups and copies: the Mainz plan, people,
two rounds, a report in two submitted versions with answers, a support request and a
piece of evidence whose copy lies under DATA_DIR."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from seed.loader import load_catalogue
from storage.database import session_factory
from storage.evidence import add_evidence, evidence_file_name, set_stored_path
from storage.history import measure_history
from storage.models import EvidenceKind, Measure, Obstacle, Office, Role, Status
from storage.people import add_contact
from storage.reporting import Cadence, item_for, open_round, start_draft, submit
from storage.setup import init_database
from storage.support import register_requests
from storage.transfer import TABLES

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
CODE = "III.1.1"
OFFICE = "Leitstelle Wohnen"
EVIDENCE_BYTES = b"%PDF-1.4 Beleg mit Umlauten \xc3\xa4\xc3\xb6\xc3\xbc\n"


@dataclass(frozen=True)
class Sample:
    measure_id: int
    evidence_path: str  # relative to DATA_DIR


async def fill(engine: AsyncEngine, data_dir: Path | None) -> Sample:
    """Set the database up (``init``) and store the sample; the evidence copy goes to
    ``data_dir`` if given."""
    await init_database(engine, load_catalogue())
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        office = await session.scalar(select(Office).where(Office.name == OFFICE))
        measure = await session.scalar(select(Measure).where(Measure.code == CODE))
        assert office is not None
        assert measure is not None
        clara = await add_contact(
            session, telegram_user_id=501, display_name="Clara Koordina",
            role=Role.COORDINATOR, now=NOW,
        )  # fmt: skip
        karl = await add_contact(
            session, telegram_user_id=601, display_name="Karl Kontakt", role=Role.CONTACT,
            offices=[office], now=NOW,
        )  # fmt: skip
        await open_round(
            session, today=date(2026, 10, 1), cadence=Cadence.MONTHLY, now=NOW, opened_by=clara
        )
        november, _ = await open_round(
            session, today=date(2026, 11, 1), cadence=Cadence.MONTHLY, now=NOW
        )
        item = await item_for(session, karl, measure.id, office.id)
        assert item is not None
        draft = await start_draft(session, november, item, karl, NOW)
        for answer in draft.answers:
            answer.status = Status.DELAYED
            answer.note = "Verzögert – Träger „Wohnen am Rhein“ fehlt noch."
            answer.obstacles = (Obstacle.STAFF, Obstacle.OTHER)
            answer.obstacle_note = "Umzug"
            answer.support_requested = True
            answer.support_note = "Bitte Gespräch mit dem Dezernat."
        draft.indicator_note = "3 von 5 Wohnungen"
        evidence = await add_evidence(
            session, report=draft, question="note:1", kind=EvidenceKind.DOCUMENT,
            file_id="file-1", file_unique_id="unique-1", file_name="Bericht Oktober.pdf",
            mime_type="application/pdf", file_size=len(EVIDENCE_BYTES), caption="Protokoll",
            contact_id=karl.id, received_at=NOW,
        )  # fmt: skip
        await submit(session, draft, NOW + timedelta(minutes=5))
        await register_requests(session, draft, NOW + timedelta(minutes=5))
        correction = await start_draft(session, november, item, karl, NOW + timedelta(hours=1))
        for answer in correction.answers:
            answer.status = Status.ON_TRACK
            answer.obstacles = ()
        await submit(session, correction, NOW + timedelta(hours=1, minutes=2))
        path = evidence_file_name(
            evidence_id=evidence.id, round_opens_on=november.opens_on, measure_code=CODE,
            kind=evidence.kind, file_name=evidence.file_name, mime_type=evidence.mime_type,
        )  # fmt: skip
        if data_dir is not None:
            copy = data_dir / path
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(EVIDENCE_BYTES)
            await set_stored_path(session, evidence.id, path)
        return Sample(measure.id, path)


async def every_row(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """All rows of all tables, by table, ordered by primary key (as SQLAlchemy reads them)."""

    async def read(connection: AsyncConnection) -> dict[str, list[tuple[Any, ...]]]:
        found = {}
        for table in TABLES:
            rows = await connection.execute(select(table).order_by(*table.primary_key.columns))
            found[table.name] = [tuple(row) for row in rows]
        return found

    async with engine.connect() as connection:
        return await read(connection)


async def history(engine: AsyncEngine, measure_id: int) -> list[Any]:
    async with session_factory(engine)() as session:
        return list(await measure_history(session, measure_id))
