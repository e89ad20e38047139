"""The weekly summary for the coordination group, as pure functions: data in, texts out.

At most three messages (the state per field with the change since last week; measures
that turned 🟡/🔴 and requests for support; offices still outstanding) and one picture.
Each message stays below Telegram's limit by shortening long lists, never by cutting a
line. ``baseline`` is what the previous summary reported, stored with it as JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.render import texts
from bot.render.formatting import MESSAGE_LIMIT, day, obstacles_text
from bot.render.outstanding import Outstanding
from bot.render.views import counts_text, status_counts
from storage.models import Status
from storage.status import Snapshot
from storage.support import SupportItem

TURNING = (Status.AT_RISK, Status.DELAYED)


@dataclass(frozen=True)
class WeeklySummaryText:
    messages: tuple[str, ...]
    baseline: str  # JSON to store with the posted summary


def baseline_of(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "counts": {
            f.numeral: {s.value: n for s, n in status_counts(f.targets()).items()}
            for f in snapshot.fields
        },
        "measures": {m.code: m.overall.value if m.overall else None for m in snapshot.measures()},
    }


def _changes(now: Counter[Status], before: dict[str, int]) -> str:
    parts = []
    for status in Status:
        delta = now[status] - before.get(status.value, 0)
        if delta:
            parts.append(f"{texts.STATUS_EMOJI[status]}{delta:+d}".replace("-", "−"))
    return (
        texts.SUMMARY_CHANGE.format(changes=" ".join(parts)) if parts else texts.SUMMARY_NO_CHANGE
    )


def _fit(lines: list[str], limit: int = MESSAGE_LIMIT - 100) -> str:
    """Join lines; if too long, keep the first ones and say how many were left out."""
    kept: list[str] = []
    size = 0
    for number, line in enumerate(lines):
        if size + len(line) + 1 > limit:
            kept.append(texts.fill(texts.SUMMARY_MORE, count=len(lines) - number))
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def support_line(snapshot: Snapshot, item: SupportItem) -> str:
    """An open request: measure, office, the obstacles reported with it, its words, and who
    takes care of it."""
    obstacles = "–"
    measure = snapshot.find_measure(item.measure_code)
    for target in measure.targets if measure is not None else ():
        for report in target.reports:
            if target.terms == item.terms and report.office == item.office:
                obstacles = obstacles_text(report.obstacles, report.obstacle_note) or "–"
    line = texts.fill(
        texts.SUMMARY_SUPPORT,
        code=item.measure_code,
        office=item.office,
        obstacle=obstacles,
        note=f": {item.text}" if item.text else "",
    )
    if item.taken_at is not None:
        line += texts.fill(texts.SUMMARY_SUPPORT_TAKEN, name=item.taken_by or texts.REMOVED_PERSON)
    return line


def weekly_summary(
    snapshot: Snapshot,
    baseline_json: str | None,
    outstanding: list[Outstanding],
    year: int,
    week: int,
    support: Sequence[SupportItem] = (),
) -> WeeklySummaryText:
    """The week's summary; ``support`` are the open requests for support (of any round)."""
    baseline: dict[str, Any] | None = json.loads(baseline_json) if baseline_json else None
    # 1: the state per field of action and what changed
    head = [texts.fill(texts.SUMMARY_HEAD, week=week, year=year)]
    if snapshot.round is not None:
        head.append(
            texts.fill(
                texts.ROUND_LINE, opens=day(snapshot.round.opens_on), due=day(snapshot.round.due_on)
            )
        )
    head.append("")
    for field in snapshot.fields:
        counts = status_counts(field.targets())
        line = texts.fill(
            texts.SUMMARY_FIELD,
            numeral=field.numeral,
            title=field.title,
            counts=counts_text(counts),
        )
        if baseline is not None:
            line += _changes(counts, baseline["counts"].get(field.numeral, {}))
        head.append(line)

    # 2: measures that turned delayed or at risk, and requests for support
    middle: list[str] = []
    before = baseline["measures"] if baseline else None
    for status in TURNING:
        codes = [
            m.code
            for m in snapshot.measures()
            if m.overall is status and (before is None or before.get(m.code) != status.value)
        ]
        if codes:
            template = texts.SUMMARY_TURNED if before is not None else texts.SUMMARY_CURRENT
            middle.append(
                texts.fill(template, status=texts.STATUS_LABELS[status], codes=", ".join(codes))
            )
    if not middle:
        middle.append(texts.SUMMARY_NOTHING_TURNED)
    requests = [support_line(snapshot, item) for item in support]
    middle += (
        ["", texts.SUMMARY_SUPPORT_HEAD, *requests] if requests else ["", texts.SUMMARY_NO_SUPPORT]
    )

    # 3: who is still outstanding
    tail: list[str] = []
    if snapshot.round is not None:
        tail.append(texts.fill(texts.SUMMARY_OUTSTANDING_HEAD, due=day(snapshot.round.due_on)))
        tail += [
            texts.fill(texts.SUMMARY_OUTSTANDING, office=o.office, count=len(o.codes))
            for o in outstanding
        ] or [texts.SUMMARY_ALL_REPORTED]
    messages = tuple(_fit(part) for part in (head, middle, tail) if part)
    return WeeklySummaryText(messages, json.dumps(baseline_of(snapshot), sort_keys=True))
