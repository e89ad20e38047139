"""The weekly summary for the coordination group, as pure functions: data in, texts out.

At most three messages (the state per field with the change since last week; measures
that turned 🟡/🔴 and requests for support; offices still outstanding) and one picture.
Each message stays below Telegram's limit by shortening long lists, never by cutting a
line. ``baseline`` is what the previous summary reported, stored with it as JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bot.render import texts
from bot.render.formatting import MESSAGE_LIMIT, day, obstacles_text
from bot.render.outstanding import Outstanding
from bot.render.views import counts_text, status_counts
from storage.models import Status
from storage.status import Snapshot

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


def weekly_summary(
    snapshot: Snapshot,
    baseline_json: str | None,
    outstanding: list[Outstanding],
    year: int,
    week: int,
) -> WeeklySummaryText:
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
    requests = [
        texts.fill(
            texts.SUMMARY_SUPPORT,
            code=m.code,
            office=r.office,
            obstacle=obstacles_text(r.obstacles, r.obstacle_note) or "–",
            note=f": {r.support_note}" if r.support_note else "",
        )
        for m in snapshot.measures()
        for t in m.targets
        for r in t.reports
        if r.support_requested and m.is_current(r)
    ]
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
