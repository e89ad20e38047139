"""Keep the catalogue tables in step with a catalogue file.

Entries are matched by their natural keys (field numeral, goal and measure code, the
terms of a horizon target, office name). Loading the same catalogue twice changes nothing;
a revised catalogue updates texts, adds what is new, and removes what disappeared unless
something refers to it: then it is marked retired, so that no report loses its measure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from seed import schema
from storage.models import (
    Base,
    CatalogueInfo,
    FieldOfAction,
    Goal,
    HorizonTarget,
    HorizonTerm,
    Invitation,
    Measure,
    Office,
    Report,
    TargetAnswer,
    contact_offices,
    measure_offices,
)

Row = TypeVar("Row", bound=Base)


@dataclass
class SyncResult:
    """What a sync did, counted per kind of entry ("Maßnahmen", "Ämter", ...)."""

    added: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    retired: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return any((self.added, self.updated, self.retired, self.removed))

    def describe(self) -> str:
        if not self.changed:
            return "Katalog unverändert."
        parts = []
        for verb, counter in (
            ("neu", self.added),
            ("geändert", self.updated),
            ("stillgelegt", self.retired),
            ("entfernt", self.removed),
        ):
            if counter:
                items = ", ".join(f"{count} {kind}" for kind, count in sorted(counter.items()))
                parts.append(f"{verb}: {items}")
        return "Katalog aktualisiert (" + "; ".join(parts) + ")."


async def sync_catalogue(session: AsyncSession, catalogue: schema.Catalogue) -> SyncResult:
    """Make the tables match ``catalogue``; the caller commits."""
    syncer = _Syncer(session)
    await syncer.run(catalogue)
    if syncer.result.changed:
        # a new revision tells running bots that cached views of the plan are stale
        revision = await session.get(CatalogueInfo, "revision")
        if revision is None:
            session.add(CatalogueInfo(key="revision", value="1"))
        else:
            revision.value = str(int(revision.value) + 1)
    return syncer.result


class _Syncer:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.result = SyncResult()

    def _apply(self, kind: str, row: Row | None, new: type[Row], **values: Any) -> Row:
        """Create ``row`` or bring its columns to ``values``; count what happened."""
        if row is None:
            created = new(**values)
            self.session.add(created)
            self.result.added[kind] += 1
            return created
        changed = False
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        if changed:
            self.result.updated[kind] += 1
        return row

    async def run(self, catalogue: schema.Catalogue) -> None:
        session = self.session
        info = await session.get(CatalogueInfo, "name")
        self._apply("Katalogname", info, CatalogueInfo, key="name", value=catalogue.name)
        city = await session.get(CatalogueInfo, "city")
        if catalogue.city is not None:
            self._apply("Stadt", city, CatalogueInfo, key="city", value=catalogue.city)
        elif city is not None:
            await session.delete(city)
            self.result.removed["Stadt"] += 1
        terms = {t.term: t for t in await session.scalars(select(HorizonTerm))}
        for term, definition in catalogue.horizons.items():
            self._apply(
                "Zeithorizont-Begriffe",
                terms.get(term.value),
                HorizonTerm,
                term=term.value,
                label=definition.label,
                description=definition.description,
            )

        offices = {o.name: o for o in await session.scalars(select(Office))}
        for position, name in enumerate(catalogue.offices):
            offices[name] = self._apply(
                "Ämter", offices.get(name), Office, name=name, position=position, retired=False
            )

        fields = {f.numeral: f for f in await session.scalars(select(FieldOfAction))}
        goals = {g.code: g for g in await session.scalars(select(Goal))}
        measures = {
            m.code: m
            for m in await session.scalars(select(Measure).options(selectinload(Measure.horizons)))
        }
        kept_horizons: set[int] = set()
        for field_position, field_entry in enumerate(catalogue.fields):
            field_row = self._apply(
                "Handlungsfelder",
                fields.get(field_entry.numeral),
                FieldOfAction,
                numeral=field_entry.numeral,
                position=field_position,
                title=field_entry.title,
                summary=field_entry.summary,
                retired=False,
            )
            await session.flush()
            fields[field_entry.numeral] = field_row
            for goal_position, goal_entry in enumerate(field_entry.goals):
                goal_row = self._apply(
                    "Ziele",
                    goals.get(goal_entry.code),
                    Goal,
                    code=goal_entry.code,
                    field_id=field_row.id,
                    position=goal_position,
                    title=goal_entry.title,
                    retired=False,
                )
                await session.flush()
                goals[goal_entry.code] = goal_row
                for measure_position, measure_entry in enumerate(goal_entry.measures):
                    measure_row = self._apply(
                        "Maßnahmen",
                        measures.get(measure_entry.code),
                        Measure,
                        code=measure_entry.code,
                        goal_id=goal_row.id,
                        position=measure_position,
                        title=measure_entry.title,
                        indicator=measure_entry.indicator,
                        retired=False,
                    )
                    await session.flush()
                    measures[measure_entry.code] = measure_row
                    kept_horizons |= await self._sync_horizons(measure_row, measure_entry)
                    await self._sync_offices(measure_row, measure_entry, offices)

        wanted_measures = {m.code for m in catalogue.measures()}
        await self._retire_or_remove_horizons(
            {measures[code].id for code in wanted_measures}, kept_horizons
        )
        for code, measure_row in measures.items():
            if code not in wanted_measures:
                await self._retire_or_remove(
                    "Maßnahmen", measure_row, exists().where(Report.measure_id == measure_row.id)
                )
        wanted_goals = {g.code for g in catalogue.goals()}
        for code, goal_row in goals.items():
            if code not in wanted_goals:
                await self._retire_or_remove(
                    "Ziele", goal_row, exists().where(Measure.goal_id == goal_row.id)
                )
        wanted_fields = {f.numeral for f in catalogue.fields}
        for numeral, field_row in fields.items():
            if numeral not in wanted_fields:
                await self._retire_or_remove(
                    "Handlungsfelder", field_row, exists().where(Goal.field_id == field_row.id)
                )
        wanted_offices = set(catalogue.offices)
        for name, office_row in offices.items():
            if name not in wanted_offices:
                await session.execute(
                    delete(measure_offices).where(measure_offices.c.office_id == office_row.id)
                )
                await self._retire_or_remove(
                    "Ämter",
                    office_row,
                    exists().where(Report.office_id == office_row.id)
                    | exists().where(contact_offices.c.office_id == office_row.id)
                    | exists().where(Invitation.office_id == office_row.id),
                )
        await session.flush()

    async def _sync_horizons(self, measure: Measure, entry: schema.Measure) -> set[int]:
        rows = await self.session.scalars(
            select(HorizonTarget).where(HorizonTarget.measure_id == measure.id)
        )
        existing = {h.terms: h for h in rows}
        kept: set[int] = set()
        for position, horizon in enumerate(entry.horizons):
            row = self._apply(
                "Zeithorizonte",
                existing.get(horizon.key),
                HorizonTarget,
                measure_id=measure.id,
                terms=horizon.key,
                position=position,
                target=horizon.target,
                retired=False,
            )
            await self.session.flush()
            kept.add(row.id)
        return kept

    async def _sync_offices(
        self, measure: Measure, entry: schema.Measure, offices: dict[str, Office]
    ) -> None:
        await self.session.flush()
        rows = await self.session.execute(
            select(measure_offices.c.office_id, measure_offices.c.position).where(
                measure_offices.c.measure_id == measure.id
            )
        )
        current = {(office_id, position) for office_id, position in rows}
        wanted = {(offices[name].id, position) for position, name in enumerate(entry.offices)}
        if current == wanted:
            return
        await self.session.execute(
            delete(measure_offices).where(measure_offices.c.measure_id == measure.id)
        )
        await self.session.execute(
            insert(measure_offices),
            [{"measure_id": measure.id, "office_id": o, "position": p} for o, p in sorted(wanted)],
        )
        if current:
            self.result.updated["Zuständigkeiten"] += 1
        else:
            self.result.added["Zuständigkeiten"] += 1

    async def _retire_or_remove_horizons(self, measure_ids: set[int], kept: set[int]) -> None:
        """Horizon targets that a kept measure no longer has (a dropped measure takes its own)."""
        rows = await self.session.scalars(
            select(HorizonTarget).where(HorizonTarget.measure_id.in_(measure_ids))
        )
        for row in rows.all():
            if row.id not in kept:
                await self._retire_or_remove(
                    "Zeithorizonte",
                    row,
                    exists().where(TargetAnswer.horizon_target_id == row.id),
                )

    async def _retire_or_remove(self, kind: str, row: Base, referenced: Any) -> None:
        """Delete ``row`` unless ``referenced`` (an EXISTS clause) holds; then retire it."""
        if await self.session.scalar(select(referenced)):
            if not getattr(row, "retired"):  # noqa: B009 - every catalogue row has the flag
                row.retired = True  # type: ignore[attr-defined]
                self.result.retired[kind] += 1
            return
        await self.session.delete(row)
        await self.session.flush()
        self.result.removed[kind] += 1
