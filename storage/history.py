"""Submitted report versions as history: of one measure (``/verlauf``) or of all (export).

These are the only reads that grow with time: ten years of monthly rounds on a large plan
are millions of answers. So the history is read as plain rows (versions, then their
answers), holding ids instead of names (the names come once, in :class:`HistoryNames`),
enum values as plain strings and timestamps as the database gives them. A round at a
time is a :class:`HistoryBatch`; views and CSV turn it into :class:`HistoryEntry`
objects, the Excel export renders its rows directly (:class:`bot.render.history_sheet.HistoryCells`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    func,
    select,
    type_coerce,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.models import (
    Contact,
    FieldOfAction,
    Goal,
    HorizonTarget,
    Measure,
    Obstacle,
    Office,
    Report,
    ReportingRound,
    Status,
    TargetAnswer,
    as_utc,
)

STATUSES = {status.value: status for status in Status}
OBSTACLES = {obstacle.value: obstacle for obstacle in Obstacle}


class VersionRow(NamedTuple):
    """A submitted version as :func:`read_round` reads it (database rows behave so)."""

    report_id: int
    round_id: int
    measure_id: int
    office_id: int
    version: int
    submitted_at: datetime  # in UTC; without a zone on SQLite (see storage.models.as_utc)
    author_id: int | None
    indicator_note: str | None


class AnswerRow(NamedTuple):
    """An answer of a submitted version. Flags come as 0/1 or booleans, by database."""

    report_id: int
    target_id: int
    status: str | None  # a Status value
    carried_over: int | None
    note: str | None
    obstacle: str | None  # an Obstacle value
    support_requested: int | None
    support_note: str | None


@dataclass(frozen=True)
class HistoryNames:
    """What history rows refer to by id (retired catalogue entries included)."""

    rounds: dict[int, date]  # id → opening day
    measures: dict[int, str]  # id → code
    offices: dict[int, str]
    contacts: dict[int, str]
    targets: dict[int, tuple[str, str]]  # id → (terms, target)


class HistoryAnswer(NamedTuple):
    """What a version said about one horizon target."""

    terms: str  # "kurz", "mittel+lang", ...
    target: str
    status: Status | None
    note: str | None
    obstacle: Obstacle | None
    support_requested: bool
    support_note: str | None
    carried_over: bool


class HistoryEntry(NamedTuple):
    """One submitted report version with its answers, for history views and CSV."""

    round_opens_on: date
    measure_code: str
    office: str
    version: int
    submitted_at: datetime
    author: str | None
    indicator_note: str | None
    answers: tuple[HistoryAnswer, ...]


@dataclass(frozen=True)
class HistoryBatch:
    """Versions (of one round, when read by :func:`read_round`) and their answers.

    Both in the same order: rounds, plan order, office, version; answers then by target.
    A version may have no answers (its measure had no active targets).
    """

    names: HistoryNames
    versions: Sequence[VersionRow]
    answers: Sequence[AnswerRow]

    def grouped(self) -> Iterator[tuple[VersionRow, Sequence[AnswerRow]]]:
        """Each version with its answers."""
        answers, count, start = self.answers, len(self.answers), 0
        for version in self.versions:
            end = start
            while end < count and answers[end].report_id == version.report_id:
                end += 1
            yield version, answers[start:end]
            start = end
        if start != count:  # both queries sort alike; anything else is a bug, not data
            raise RuntimeError("history answers out of step with their versions")

    def entries(self) -> list[HistoryEntry]:
        """One entry per version, with names and Python types."""
        names = self.names
        return [
            HistoryEntry(
                round_opens_on=names.rounds[version.round_id],
                measure_code=names.measures[version.measure_id],
                office=names.offices[version.office_id],
                version=version.version,
                submitted_at=as_utc(version.submitted_at),
                author=(
                    names.contacts.get(version.author_id) if version.author_id is not None else None
                ),
                indicator_note=version.indicator_note,
                answers=tuple(_answer(row, names) for row in answers),
            )
            for version, answers in self.grouped()
        ]


def _answer(row: AnswerRow, names: HistoryNames) -> HistoryAnswer:
    terms, target = names.targets[row.target_id]
    return HistoryAnswer(
        terms=terms,
        target=target,
        status=STATUSES.get(row.status) if row.status else None,
        note=row.note,
        obstacle=OBSTACLES.get(row.obstacle) if row.obstacle else None,
        support_requested=bool(row.support_requested),
        support_note=row.support_note,
        carried_over=bool(row.carried_over),
    )


async def history_names(session: AsyncSession) -> HistoryNames:
    async def pairs(key: ColumnElement[int], value: ColumnElement[object]) -> dict[int, object]:
        return dict((await session.execute(select(key, value))).all())

    targets = await session.execute(
        select(HorizonTarget.id, HorizonTarget.terms, HorizonTarget.target)
    )
    return HistoryNames(
        rounds=await pairs(ReportingRound.id, ReportingRound.opens_on),  # type: ignore[arg-type]
        measures=await pairs(Measure.id, Measure.code),  # type: ignore[arg-type]
        offices=await pairs(Office.id, Office.name),  # type: ignore[arg-type]
        contacts=await pairs(Contact.id, Contact.display_name),  # type: ignore[arg-type]
        targets={target_id: (terms, target) for target_id, terms, target in targets},
    )


_VERSION_COLUMNS = (  # in the order of VersionRow's fields
    Report.id,
    Report.round_id,
    Report.measure_id,
    Report.office_id,
    Report.version,
    type_coerce(Report.submitted_at, DateTime()),
    Report.author_id,
    Report.indicator_note,
)
_ANSWER_COLUMNS = (  # in the order of AnswerRow's fields
    TargetAnswer.report_id,
    TargetAnswer.horizon_target_id,
    type_coerce(TargetAnswer.status, String),
    type_coerce(TargetAnswer.carried_over, Integer),
    TargetAnswer.progress_note,
    type_coerce(TargetAnswer.obstacle, String),
    type_coerce(TargetAnswer.support_requested, Integer),
    TargetAnswer.support_note,
)
# Rounds, plan order, office, version; the id decides between retired and new entries
# that share a position.
_VERSION_ORDER = (
    ReportingRound.opens_on,
    FieldOfAction.position,
    Goal.position,
    Measure.position,
    Office.position,
    Report.version,
    Report.id,
)


def _versions_query(
    columns: Sequence[Any], fields: tuple[str, ...], condition: ColumnElement[bool]
) -> Select[Any]:
    return (
        select(*(column.label(name) for name, column in zip(fields, columns, strict=True)))
        .select_from(Report)
        .join(ReportingRound, ReportingRound.id == Report.round_id)
        .join(Measure, Measure.id == Report.measure_id)
        .join(Goal, Goal.id == Measure.goal_id)
        .join(FieldOfAction, FieldOfAction.id == Goal.field_id)
        .join(Office, Office.id == Report.office_id)
        .where(Report.submitted_at.is_not(None), condition)
        .order_by(*_VERSION_ORDER)
    )


async def _batch(
    session: AsyncSession, condition: ColumnElement[bool], names: HistoryNames
) -> HistoryBatch:
    """The submitted versions that meet ``condition`` and their answers.

    Two narrow queries instead of one wide join, columns without their Python types
    (enums as strings, flags as numbers, times without the zone; callers add them where
    they need them), Core instead of the ORM: for a million answers that halves the time.
    """
    connection = await session.connection()
    versions = await connection.execute(
        _versions_query(_VERSION_COLUMNS, VersionRow._fields, condition)
    )
    answers = await connection.execute(
        _versions_query(_ANSWER_COLUMNS, AnswerRow._fields, condition)
        .join(TargetAnswer, TargetAnswer.report_id == Report.id)
        .join(HorizonTarget, HorizonTarget.id == TargetAnswer.horizon_target_id)
        .order_by(HorizonTarget.position)
    )
    return HistoryBatch(
        names,
        cast(list[VersionRow], versions.all()),
        cast(list[AnswerRow], answers.all()),
    )


async def read_round(session: AsyncSession, round_id: int, names: HistoryNames) -> HistoryBatch:
    """The submitted versions of one round and their answers."""
    return await _batch(session, Report.round_id == round_id, names)


async def measure_history(session: AsyncSession, measure_id: int) -> list[HistoryEntry]:
    """Every submitted version on one measure, oldest first."""
    names = await history_names(session)
    return (await _batch(session, Report.measure_id == measure_id, names)).entries()


@dataclass(frozen=True)
class StoredHistory:
    """The whole history in the database, to be read round by round (for the export).

    ``database_url`` says where other processes reach the same database, so that they
    can read and render rounds in parallel (see bot.render.history_sheet); None keeps all the
    work in this process. Use :meth:`load`.
    """

    session: AsyncSession
    names: HistoryNames
    round_ids: tuple[int, ...]  # oldest first
    versions: int  # submitted versions in all rounds
    database_url: str | None

    @classmethod
    async def load(cls, session: AsyncSession, database_url: str | None = None) -> StoredHistory:
        rounds = await session.scalars(select(ReportingRound.id).order_by(ReportingRound.opens_on))
        versions = await session.scalar(
            select(func.count()).select_from(Report).where(Report.submitted_at.is_not(None))
        )
        return cls(
            session, await history_names(session), tuple(rounds), versions or 0, database_url
        )

    async def batches(self) -> AsyncGenerator[HistoryBatch, None]:
        """A batch per round, oldest first.

        The next round is read while the caller handles the current one. Do not use the
        session for anything else until the iteration ends.
        """
        if not self.round_ids:
            return
        session, names = self.session, self.names
        upcoming = asyncio.ensure_future(read_round(session, self.round_ids[0], names))
        try:
            for following in [*self.round_ids[1:], None]:
                batch = await upcoming
                if following is not None:
                    upcoming = asyncio.ensure_future(read_round(session, following, names))
                    await asyncio.sleep(0)  # let the next read start before the caller works
                yield batch
        finally:
            # Let a read under way finish (a round takes a moment): cancelling it in the
            # middle of a statement would leave the connection unusable.
            with contextlib.suppress(Exception):
                await upcoming


# The history for an export: from the database, or (in tests) batches already at hand.
History = StoredHistory | Sequence[HistoryBatch]
_NO_NAMES = HistoryNames({}, {}, {}, {}, {})


def names_in(history: History) -> HistoryNames:
    if isinstance(history, StoredHistory):
        return history.names
    return history[0].names if history else _NO_NAMES


async def batches_in(history: History) -> AsyncGenerator[HistoryBatch, None]:
    """The batches, oldest first; a stored history's read-ahead ends when this does."""
    if isinstance(history, StoredHistory):
        async with contextlib.aclosing(history.batches()) as batches:
            async for batch in batches:
                yield batch
    else:
        for batch in history:
            yield batch


def shared_database_url(session: AsyncSession, configured: str) -> str | None:
    """``configured`` if it is the database ``session`` uses, so other processes can join.

    Not for an in-memory SQLite database, which only this process sees.
    """
    bind = session.bind
    if bind is None:
        return None
    url = bind.url if isinstance(bind, AsyncEngine) else bind.engine.url
    if url != make_url(configured):
        return None
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return configured
