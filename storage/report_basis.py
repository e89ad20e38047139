"""What the exports (workbook, PDF, CSV) show besides the history, read in one place.

``/export`` and ``monitoring-bot export`` both start here, so the chat and the command line
hand the council the same facts: the plan's name, the current state with the open support
requests marked, the files sent as evidence, the open requests themselves and the offices
that nobody reports for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from storage.evidence import EvidenceItem, evidence_by_code_and_office
from storage.models import CatalogueInfo
from storage.status import Snapshot, contacts_by_office, load_snapshot
from storage.support import SupportItem, open_requests, open_support_keys

# Files sent as evidence, by (measure code, office); see storage.evidence.
Evidence = Mapping[tuple[str, str], Sequence[EvidenceItem]]
NO_EVIDENCE: Evidence = MappingProxyType({})


@dataclass(frozen=True)
class ReportBasis:
    """The current state of the plan as the exports present it."""

    plan: str  # the catalogue's name, e.g. "Integrationskonzept der Stadt Mainz"
    today: date  # the day the report is made (the city's calendar)
    snapshot: Snapshot  # support marks as the open requests have them
    evidence: Evidence = field(default_factory=lambda: NO_EVIDENCE)
    support: tuple[SupportItem, ...] = ()  # open requests, oldest first
    offices_without_contact: tuple[str, ...] = ()  # in plan order


async def load_report_basis(session: AsyncSession, today: date) -> ReportBasis:
    snapshot = await load_snapshot(session, today)
    snapshot = snapshot.with_open_support(await open_support_keys(session))
    info = await session.get(CatalogueInfo, "name")
    people = await contacts_by_office(session, today)
    return ReportBasis(
        plan=info.value if info is not None else "",
        today=today,
        snapshot=snapshot,
        evidence=await evidence_by_code_and_office(session),
        support=tuple(await open_requests(session)),
        offices_without_contact=tuple(o for o in snapshot.offices() if not people.get(o)),
    )
