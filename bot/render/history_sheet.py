"""The rows of the export's history sheet: millions of them, rendered fast.

Ten years of monthly rounds on a large plan are more than a million answers. openpyxl
would take minutes, building entry objects and converting each value takes too long as
well, so the rows are rendered straight from the tuples :mod:`storage.history` reads:

* Every name, label and date the rows refer to by id is rendered once, up front, into
  the workbook's shared strings (:class:`HistoryCells`); a row is then a few dictionary
  look-ups and one f-string. Users' texts go inline, times are arithmetic.
* Python runs one thread at a time, so a long history is read and rendered by worker
  processes, a round each, while this process compresses what they return, in order
  (:func:`rendered_rounds`). A short one is rendered here: starting processes costs
  about a second.

The cells are the same as :func:`bot.render.export.history_rows` gives for the entries of a
batch; the tests hold the two against each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
from collections import deque
from collections.abc import AsyncGenerator, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
from storage.database import create_engine, session_factory
from storage.history import (
    OBSTACLES,
    STATUSES,
    History,
    HistoryBatch,
    HistoryNames,
    StoredHistory,
    batches_in,
    history_names,
    read_round,
)

PARALLEL_FROM = 200_000  # submitted versions from which worker processes pay off (benchmark)
WORKERS = max(1, min(4, os.cpu_count() or 1))
ROUNDS_AHEAD = 2  # rounds handed to each worker before their results are needed
MEMO_LIMIT = 1 << 16  # recent free texts and time offsets kept
BULK_GC_THRESHOLD = 100_000  # allocations between two collections of young objects

_EPOCH_UTC = xlsx.EPOCH.replace(tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_DAY = 86_400  # seconds
_NO_ANSWER = xlsx.EMPTY * 8  # the answer columns of a version without answers


class _Prerendered(dict[Any, str]):
    """Cells rendered up front; a key that came up later (a new contact) gets ``missing``."""

    def __init__(self, cells: dict[Any, str], missing: str) -> None:
        super().__init__(cells)
        self.missing = missing

    def __missing__(self, key: Any) -> str:
        return self.missing


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

    rounds: _Prerendered
    measures: _Prerendered
    offices: _Prerendered
    authors: _Prerendered
    targets: _Prerendered
    states: _Prerendered  # by (status value, carried over)
    supports: _Prerendered  # by (obstacle value, support requested)
    times: LocalTimes
    versions: _Memo
    free: _Memo

    @classmethod
    def prepare(cls, names: HistoryNames, cells: xlsx.Cells, zone: ZoneInfo) -> HistoryCells:
        def shared(values: Row) -> str:
            return "".join(map(cells.value, safe(values)))

        def each(pairs: dict[Any, Any], values: Callable[[Any], Row], missing: Row) -> _Prerendered:
            rendered = {key: shared(values(value)) for key, value in pairs.items()}
            return _Prerendered(rendered, shared(missing))

        statuses: list[str | None] = [None, *STATUSES]
        obstacles: list[str | None] = [None, *OBSTACLES]
        return cls(
            rounds=each(names.rounds, lambda day: (day,), (None,)),
            measures=each(names.measures, lambda code: (code,), ("?",)),
            offices=each(names.offices, lambda name: (name,), ("?",)),
            authors=each({None: None, **names.contacts}, author, author(None)),
            targets=each(names.targets, answer_target, (None, None)),
            states=each(
                {(s, c): (STATUSES.get(s or ""), c) for s in statuses for c in (False, True)},
                answer_state,
                (None, None),
            ),
            supports=each(
                {
                    (o, r): (OBSTACLES.get(o or ""), bool(r))
                    for o in obstacles
                    for r in (None, False, True)
                },
                answer_support,
                (None, None),
            ),
            times=LocalTimes(zone),
            versions=_Memo(xlsx.number_cell),
            free=_Memo(_free_text_cell),
        )

    def rows(self, batch: HistoryBatch) -> list[str]:
        """The cells of each row of ``batch``: one per answer, one per version without."""
        rounds, measures, offices, versions = (
            self.rounds,
            self.measures,
            self.offices,
            self.versions,
        )
        authors, targets, states, supports = self.authors, self.targets, self.states, self.supports
        free, time = self.free, self.times.cell
        answers, count, at = batch.answers, len(batch.answers), 0
        rows = []
        # The answers come in the order of their versions: walk both at once.
        for report_id, round_id, measure_id, office_id, version, submitted_at, author_id, note in batch.versions:  # fmt: skip
            head = (
                f"{rounds[round_id]}{measures[measure_id]}{offices[office_id]}"
                f"{versions[version]}{time(submitted_at)}{authors[author_id]}"
            )
            indicator_note = free[note]
            if at == count or answers[at][0] != report_id:
                rows.append(f"{head}{_NO_ANSWER}{indicator_note}")
                continue
            while at < count and answers[at][0] == report_id:
                _, target_id, status, carried_over, note, obstacle, support, support_note = answers[at]  # fmt: skip
                at += 1
                rows.append(
                    f"{head}{targets[target_id]}{states[status, carried_over]}{free[note]}"
                    f"{supports[obstacle, support]}{free[support_note]}{indicator_note}"
                )
        if at != count:
            raise RuntimeError("history answers out of step with their versions")
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
    async def read() -> HistoryBatch:
        async with _worker["sessions"]() as session:
            return await read_round(session, round_id, _worker["names"])

    batch = _worker["loop"].run_until_complete(read())
    rows: list[str] = _worker["cells"].rows(batch)
    return rows
