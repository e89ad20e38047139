"""Submitted report versions as history: of one measure (``/verlauf``) or of all (export).

These are the only reads that grow with time: ten years of monthly rounds on a large plan
are millions of answers. So the history is read in two narrow queries of plain columns
(versions, then their answers) that name catalogue entries and people by id; the names
are read once (:class:`HistoryNames`), and :func:`assemble` makes the
:class:`~storage.answers.Answer` tuples from both. The export reads a round at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

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
from sqlalchemy.ext.asyncio import AsyncSession

from storage.answers import Answer
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
    split_obstacles,
)

STATUSES = {status.value: status for status in Status}


class _ObstacleSets(dict[str | None, tuple[Obstacle, ...]]):
    """Stored obstacles (``staff,other``) → their tuple, parsed once per distinct value.

    There are at most a few dozen distinct values, but millions of rows: a row then costs
    one look-up, and answers naming the same obstacles share one tuple.
    """

    def __missing__(self, stored: str | None) -> tuple[Obstacle, ...]:
        parsed = split_obstacles(stored) if stored else ()
        if len(self) < 1024:  # values from a newer version could be anything: stay small
            self[stored] = parsed
        return parsed


OBSTACLE_SETS = _ObstacleSets()


@dataclass(frozen=True)
class HistoryNames:
    """What history rows refer to by id (retired catalogue entries included)."""

    rounds: dict[int, date]  # id → opening day
    measures: dict[int, str]  # id → code
    offices: dict[int, str]
    contacts: dict[int, str]
    targets: dict[int, tuple[str, str]]  # id → (terms, target)


def assemble(versions: Sequence[Any], rows: Sequence[Any], names: HistoryNames) -> list[Answer]:
    """Answers from the rows of the two history queries (columns as listed below).

    Both come in the same order (rounds, plan order, office, version; answers then by
    target), so one walk pairs each version with its answers. A version without answers
    becomes one answer without a target.
    """
    found: list[Answer] = []
    at, count = 0, len(rows)
    rounds, measures, offices, contacts = (
        names.rounds,
        names.measures,
        names.offices,
        names.contacts,
    )
    targets, statuses, obstacle_sets = names.targets, STATUSES, OBSTACLE_SETS
    make = tuple.__new__  # Answer(...) without its Python-level __new__: there are millions
    for report_id, round_id, measure_id, office_id, version, submitted_at, author_id, indicator_note, on_behalf in versions:  # fmt: skip
        head = (
            report_id,
            round_id,
            rounds[round_id],
            measures[measure_id],
            offices[office_id],
            version,
            as_utc(submitted_at),
            contacts.get(author_id) if author_id is not None else None,
            indicator_note,
        )
        behalf = bool(on_behalf)
        if at == count or rows[at][0] != report_id:
            found.append(
                make(
                    Answer,
                    (*head, None, None, None, None, None, (), None, False, None, False, behalf),
                )
            )
            continue
        while at < count and rows[at][0] == report_id:
            _, target_id, status, carried_over, note, obstacles, obstacle_note, support, support_note = rows[at]  # fmt: skip
            at += 1
            terms, target = targets[target_id]
            found.append(
                make(
                    Answer,
                    (
                        *head,
                        target_id,
                        terms,
                        target,
                        statuses.get(status),
                        note,
                        obstacle_sets[obstacles],
                        obstacle_note,
                        bool(support),
                        support_note,
                        bool(carried_over),
                        behalf,
                    ),
                )
            )
    if at != count:  # both queries sort alike; anything else is a bug, not data
        raise RuntimeError("history answers out of step with their versions")
    return found


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


_VERSION_COLUMNS = (  # as assemble() unpacks them
    Report.id,
    Report.round_id,
    Report.measure_id,
    Report.office_id,
    Report.version,
    type_coerce(Report.submitted_at, DateTime()),
    Report.author_id,
    Report.indicator_note,
    Report.on_behalf,
)
_ANSWER_COLUMNS = (  # as assemble() unpacks them
    TargetAnswer.report_id,
    TargetAnswer.horizon_target_id,
    type_coerce(TargetAnswer.status, String),
    type_coerce(TargetAnswer.carried_over, Integer),
    TargetAnswer.note,
    type_coerce(TargetAnswer.obstacles, String),  # parsed by OBSTACLE_SETS
    TargetAnswer.obstacle_note,
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


def _versions_query(columns: Sequence[Any], condition: ColumnElement[bool]) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Report)
        .join(ReportingRound, ReportingRound.id == Report.round_id)
        .join(Measure, Measure.id == Report.measure_id)
        .join(Goal, Goal.id == Measure.goal_id)
        .join(FieldOfAction, FieldOfAction.id == Goal.field_id)
        .join(Office, Office.id == Report.office_id)
        .where(Report.submitted_at.is_not(None), condition)
        .order_by(*_VERSION_ORDER)
    )


async def _answers(
    session: AsyncSession, condition: ColumnElement[bool], names: HistoryNames
) -> list[Answer]:
    """The answers of the submitted versions that meet ``condition``.

    Two narrow queries instead of one wide join, columns without their Python types
    (enums as strings, flags as numbers, times without the zone; callers add them where
    they need them), Core instead of the ORM: for a million answers that halves the time.
    """
    connection = await session.connection()
    versions = await connection.execute(_versions_query(_VERSION_COLUMNS, condition))
    answers = await connection.execute(
        _versions_query(_ANSWER_COLUMNS, condition)
        .join(TargetAnswer, TargetAnswer.report_id == Report.id)
        .join(HorizonTarget, HorizonTarget.id == TargetAnswer.horizon_target_id)
        .order_by(HorizonTarget.position)
    )
    return assemble(versions.all(), answers.all(), names)


async def read_round(session: AsyncSession, round_id: int, names: HistoryNames) -> list[Answer]:
    """The answers of every submitted version of one round."""
    return await _answers(session, Report.round_id == round_id, names)


async def measure_history(session: AsyncSession, measure_id: int) -> list[Answer]:
    """The answers of every submitted version on one measure, oldest first."""
    names = await history_names(session)
    return await _answers(session, Report.measure_id == measure_id, names)


@dataclass(frozen=True)
class StoredHistory:
    """The whole history in the database, to be read round by round (for the export).

    Use :meth:`load`. ``rows`` is what the export's history needs in lines: one per answer,
    and one for a version without answers.
    """

    session: AsyncSession
    names: HistoryNames
    round_ids: tuple[int, ...]  # oldest first
    versions: int  # submitted versions in all rounds
    rows: int

    @classmethod
    async def load(cls, session: AsyncSession) -> StoredHistory:
        rounds = await session.scalars(select(ReportingRound.id).order_by(ReportingRound.opens_on))
        submitted = Report.submitted_at.is_not(None)
        versions = await session.scalar(select(func.count()).select_from(Report).where(submitted))
        rows = await session.scalar(
            select(func.count())
            .select_from(Report)
            .outerjoin(TargetAnswer, TargetAnswer.report_id == Report.id)
            .where(submitted)
        )
        return cls(session, await history_names(session), tuple(rounds), versions or 0, rows or 0)

    async def batches(self, newest_first: bool = False) -> AsyncGenerator[list[Answer], None]:
        """A batch per round, oldest first (or newest first).

        The next round is read while the caller handles the current one. Do not use the
        session for anything else until the iteration ends.
        """
        if not self.round_ids:
            return
        session, names = self.session, self.names
        order = self.round_ids[::-1] if newest_first else self.round_ids
        upcoming = asyncio.ensure_future(read_round(session, order[0], names))
        try:
            for following in [*order[1:], None]:
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


# The history for an export: from the database, or (in tests) answers already at hand,
# a list per round.
History = StoredHistory | Sequence[Sequence[Answer]]


async def batches_in(
    history: History, newest_first: bool = False
) -> AsyncGenerator[Sequence[Answer], None]:
    """The batches, oldest (or newest) first; a stored history's read-ahead ends when this does."""
    if isinstance(history, StoredHistory):
        async with contextlib.aclosing(history.batches(newest_first)) as batches:
            async for read in batches:
                yield read
    else:
        for given in reversed(history) if newest_first else history:
            yield given
