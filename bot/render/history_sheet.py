"""The rows of the export's history sheet: millions of them, rendered fast.

Ten years of monthly rounds on a large plan are more than a million answers. openpyxl
would take minutes, building entry objects and converting each value takes too long as
well, so the rows are rendered straight from the tuples :mod:`storage.history` reads:

* Every name, label and date the rows repeat is rendered once, up front, into the
  workbook's shared strings (:class:`HistoryCells`); a row is then a few dictionary
  look-ups and one f-string. Users' texts go inline, times are arithmetic.
* Python runs one thread at a time, so a long history is read and rendered by worker
  processes, a round each, while this process compresses what they return, in order
  (:func:`rendered_rounds`). A short one is rendered here: starting processes costs
  about a second.

The cells are the same as :func:`bot.render.export.history_rows` gives for the same
answers; the tests hold the two against each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
from collections import deque
from collections.abc import AsyncGenerator, Callable, Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

from bot.render import xlsx
from bot.render.export_values import (
    Row,
    answer_state,
    answer_support,
    answer_target,
    author,
    neutralise,
    safe,
)
from storage.answers import Answer
from storage.database import create_engine, session_factory
from storage.history import (
    History,
    HistoryNames,
    StoredHistory,
    batches_in,
    history_names,
    read_round,
)
from storage.models import Obstacle, Status

PARALLEL_FROM = 200_000  # submitted versions from which worker processes pay off (benchmark)
WORKERS = max(1, min(4, os.cpu_count() or 1))
ROUNDS_AHEAD = 2  # rounds handed to each worker before their results are needed
MEMO_LIMIT = 1 << 16  # recent free texts and time offsets kept
BULK_GC_THRESHOLD = 100_000  # allocations between two collections of young objects

_EPOCH_UTC = xlsx.EPOCH.replace(tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_DAY = 86_400  # seconds
_NO_ANSWER = xlsx.EMPTY * 8  # the answer columns of a version without answers


def _inline(values: Row) -> str:
    """Cells without the shared strings (which are fixed once workers have started)."""
    return "".join(
        xlsx.date_cell(value) if isinstance(value, date) else xlsx.inline_cell(str(value))
        if value is not None else xlsx.EMPTY
        for value in safe(values)
    )  # fmt: skip


class _Prerendered(dict[Any, str]):
    """Cells rendered up front; a key that came up later (a new contact) is rendered inline.

    ``values`` is a module-level function (so that the cells can be pickled) from a key
    to the values of its columns.
    """

    def __init__(self, cells: dict[Any, str], values: Callable[[Any], Row]) -> None:
        super().__init__(cells)
        self.columns = values

    def __missing__(self, key: Any) -> str:
        cells = self[key] = _inline(self.columns(key))
        return cells


def _one(value: Any) -> Row:
    return (value,)


def _support(key: tuple[tuple[Obstacle, ...], bool]) -> Row:
    """(obstacles, support requested), without words for "Sonstiges" → their columns."""
    obstacles, support_requested = key
    return answer_support((obstacles, None, support_requested))


def _entered_author_cells(key: tuple[str | None, str]) -> str:
    """(coordinator, office) of a version entered on an office's behalf → its "Von" cell."""
    return _inline(author(key))


def _noted_support_cells(key: tuple[tuple[Obstacle, ...], str, bool]) -> str:
    """(obstacles, words for "Sonstiges", support requested) → their cells, inline."""
    return _inline(answer_support(key))


# Every set of obstacles as storage.history reads it: a tuple in the enum's order.
_OBSTACLE_SETS = [c for size in range(len(Obstacle) + 1) for c in combinations(Obstacle, size)]


@dataclass(frozen=True)
class KnownNames:
    """What the rows will repeat: rendered into the shared strings before the first row."""

    rounds: Collection[date]  # opening days
    measures: Collection[str]  # codes
    offices: Collection[str]
    authors: Collection[str]
    targets: Collection[tuple[str, str]]  # (terms, target)

    @classmethod
    def of(cls, names: HistoryNames) -> KnownNames:
        return cls(
            rounds=names.rounds.values(),
            measures=names.measures.values(),
            offices=names.offices.values(),
            authors=names.contacts.values(),
            targets=names.targets.values(),
        )


def known_names(history: History) -> KnownNames:
    """The names a history's rows will repeat: from the database, or from the answers."""
    if isinstance(history, StoredHistory):
        return KnownNames.of(history.names)
    answers = [answer for batch in history for answer in batch]

    def unique(values: Sequence[Any]) -> list[Any]:
        return [value for value in dict.fromkeys(values) if value is not None]

    return KnownNames(
        rounds=unique([a.round_opens_on for a in answers]),
        measures=unique([a.measure_code for a in answers]),
        offices=unique([a.office for a in answers]),
        authors=unique([a.author for a in answers]),
        targets=unique([(a.terms, a.target) if a.terms else None for a in answers]),
    )


class _Memo(dict[Any, str]):
    """Cells rendered when a key first comes up; forgets everything when it is full."""

    def __init__(self, render: Callable[[Any], str]) -> None:
        super().__init__()
        self.render = render  # a module-level function, so that the memo can be pickled

    def __missing__(self, key: Any) -> str:
        if len(self) >= MEMO_LIMIT:
            self.clear()
        cells = self[key] = self.render(key)
        return cells


def _free_text_cell(text: str | None) -> str:
    return xlsx.inline_cell(neutralise(text) if text else None)


class LocalTimes:
    """Cells for UTC timestamps in local time, cut to the second (as export_values.local_naive).

    The zone's offset is looked up once per day; on the two days a year when it changes,
    it is looked up for each time.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._offsets: dict[int, int | None] = {}  # day → offset, None if it changes that day

    def _offset(self, seconds: int) -> int:
        """The offset at ``seconds`` (UTC, since the Excel epoch)."""
        day = seconds // _DAY
        if day not in self._offsets:
            if len(self._offsets) >= MEMO_LIMIT:
                self._offsets.clear()
            start, end = self._exact(day * _DAY), self._exact((day + 1) * _DAY - 1)
            self._offsets[day] = start if start == end else None
        offset = self._offsets[day]
        return offset if offset is not None else self._exact(seconds)

    def _exact(self, seconds: int) -> int:
        moment = _EPOCH_UTC + timedelta(seconds=seconds)
        offset = moment.astimezone(self.zone).utcoffset()
        assert offset is not None  # an aware time has one
        return int(offset.total_seconds())

    def cell(self, moment: datetime) -> str:
        """``moment`` in UTC, aware or (as SQLite gives it) naive."""
        seconds = (moment - (_EPOCH_UTC if moment.tzinfo else xlsx.EPOCH)) // _SECOND
        return xlsx.seconds_cell(seconds + self._offset(seconds))


@dataclass
class HistoryCells:
    """Renders history rows; made where the workbook is written, usable in other processes.

    Everything that goes into the shared strings is rendered here, from ``names``; rows
    then only add inline texts, numbers and times, so a copy in a worker process renders
    exactly what this one would.
    """

    rounds: _Prerendered  # by opening day
    measures: _Prerendered  # by code
    offices: _Prerendered  # by name
    authors: _Prerendered  # by (name, None); name None: account removed
    entered_authors: _Memo  # by (name, office) for versions entered on an office's behalf
    targets: _Prerendered  # by (terms, target)
    states: _Prerendered  # by (status, carried over)
    supports: _Prerendered  # by (obstacles, support requested), where no words for "Sonstiges"
    noted_supports: _Memo  # by (obstacles, words for "Sonstiges", support requested)
    times: LocalTimes
    versions: _Memo
    free: _Memo

    @classmethod
    def prepare(cls, names: KnownNames, cells: xlsx.Cells, zone: ZoneInfo) -> HistoryCells:
        def shared(values: Row) -> str:
            return "".join(map(cells.value, safe(values)))

        def each(keys: Collection[Any], values: Callable[[Any], Row]) -> _Prerendered:
            return _Prerendered({key: shared(values(key)) for key in keys}, values)

        statuses: list[Status | None] = [None, *Status]
        return cls(
            rounds=each(names.rounds, _one),
            measures=each(names.measures, _one),
            offices=each(names.offices, _one),
            authors=each([(None, None), *((name, None) for name in names.authors)], author),
            entered_authors=_Memo(_entered_author_cells),
            targets=each(names.targets, answer_target),
            states=each([(s, c) for s in statuses for c in (False, True)], answer_state),
            supports=each([(o, r) for o in _OBSTACLE_SETS for r in (False, True)], _support),
            noted_supports=_Memo(_noted_support_cells),
            times=LocalTimes(zone),
            versions=_Memo(xlsx.number_cell),
            free=_Memo(_free_text_cell),
        )

    def rows(self, answers: Sequence[Answer]) -> list[str]:
        """The cells of each answer's row (a version without answers: a row without them)."""
        rounds, measures, offices, versions = (
            self.rounds,
            self.measures,
            self.offices,
            self.versions,
        )
        authors, targets, states, supports = self.authors, self.targets, self.states, self.supports
        noted_supports, entered = self.noted_supports, self.entered_authors
        free, time = self.free, self.times.cell
        rows = []
        head_of, head, indicator_note = None, "", ""
        # The answers of a version follow each other: its cells are rendered once.
        for report_id, _, opens_on, code, office, version, submitted_at, author_name, note_on_indicator, target_id, terms, target, status, note, obstacles, obstacle_note, support, support_note, carried_over, on_behalf in answers:  # fmt: skip
            if report_id != head_of:
                head_of = report_id
                who = entered[author_name, office] if on_behalf else authors[author_name, None]
                head = (
                    f"{rounds[opens_on]}{measures[code]}{offices[office]}"
                    f"{versions[version]}{time(submitted_at)}{who}"
                )
                indicator_note = free[note_on_indicator]
            if target_id is None:
                rows.append(f"{head}{_NO_ANSWER}{indicator_note}")
                continue
            support_cells = (
                noted_supports[obstacles, obstacle_note, support]
                if obstacle_note
                else supports[obstacles, support]
            )
            rows.append(
                f"{head}{targets[terms, target]}{states[status, carried_over]}{free[note]}"
                f"{support_cells}{free[support_note]}{indicator_note}"
            )
        return rows


async def rendered_rounds(history: History, cells: HistoryCells) -> AsyncGenerator[list[str], None]:
    """The rendered rows of each round, oldest first: by workers when the history is long."""
    if (
        isinstance(history, StoredHistory)
        and history.database_url is not None
        and history.versions >= PARALLEL_FROM
        and len(history.round_ids) > 1
    ):
        async for rows in _in_workers(history.database_url, history.round_ids, cells):
            yield rows
        return
    async with contextlib.aclosing(batches_in(history)) as batches:  # ends the read-ahead
        async for batch in batches:
            yield cells.rows(batch)


async def _in_workers(
    database_url: str, round_ids: Sequence[int], cells: HistoryCells
) -> AsyncGenerator[list[str], None]:
    loop = asyncio.get_running_loop()
    pool = ProcessPoolExecutor(
        WORKERS,
        mp_context=multiprocessing.get_context("spawn"),  # a fork would copy the running loop
        initializer=_start_worker,
        initargs=(database_url, cells),
    )
    waiting = iter(round_ids)
    pending: deque[asyncio.Future[list[str]]] = deque()
    try:
        for round_id in waiting:
            pending.append(loop.run_in_executor(pool, _render_round, round_id))
            if len(pending) == WORKERS * ROUNDS_AHEAD:
                break
        while pending:
            rows = await pending.popleft()
            following = next(waiting, None)
            if following is not None:
                pending.append(loop.run_in_executor(pool, _render_round, following))
            yield rows
    finally:
        for future in pending:
            future.cancel()
        await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


# --- in the worker processes -------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(database_url: str, cells: HistoryCells) -> None:
    gc.set_threshold(BULK_GC_THRESHOLD, *gc.get_threshold()[1:])
    sessions = session_factory(create_engine(database_url))

    async def names() -> HistoryNames:
        async with sessions() as session:
            return await history_names(session)

    loop = asyncio.new_event_loop()
    _worker.update(
        loop=loop, sessions=sessions, cells=cells, names=loop.run_until_complete(names())
    )


def _render_round(round_id: int) -> list[str]:
    async def read() -> list[Answer]:
        async with _worker["sessions"]() as session:
            return await read_round(session, round_id, _worker["names"])

    batch = _worker["loop"].run_until_complete(read())
    rows: list[str] = _worker["cells"].rows(batch)
    return rows
