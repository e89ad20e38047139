"""The read model of an answer: what one office said about one horizon target, when, and who.

Every view reads answers in this one shape: the current state (:mod:`storage.status`,
an office's latest answer per target), the history of a measure or of all of them
(:mod:`storage.history`), the exports and the weekly summary. Drafts are written as
:class:`storage.models.TargetAnswer` rows; once submitted they are read as :class:`Answer`.

A tuple (a ``NamedTuple``) because the history of a large plan is millions of them:
they are cheap to make and to unpack.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import groupby
from typing import NamedTuple

from storage.models import Obstacle, Status


class Answer(NamedTuple):
    """One answer of a submitted report version, with its version's facts.

    A version whose measure had no active horizon target still has its indicator note;
    it is read as one answer without a target (``target_id`` None, nothing answered).
    """

    # the report version
    report_id: int
    round_id: int
    round_opens_on: date
    measure_code: str
    office: str  # the office it was reported for
    version: int  # 1, 2, … within round, measure and office (a correction is a new version)
    submitted_at: datetime  # aware, UTC
    author: str | None  # who submitted it; None once their account was removed
    indicator_note: str | None  # "Zahlen/Belege", once per version ("" skipped)
    # the horizon target and what was said about it
    target_id: int | None
    terms: str | None  # "kurz", "mittel+lang"
    target: str | None
    status: Status | None
    note: str | None  # what happened ("" skipped)
    obstacles: tuple[Obstacle, ...]  # in the enum's order; () when none named or not asked
    obstacle_note: str | None  # a few words for "Sonstiges" (None: not given)
    support_requested: bool
    support_note: str | None
    carried_over: bool  # "Unverändert": taken over from the previous round
    # entered by a coordinator (``author``) on behalf of ``office``
    on_behalf: bool = False


def by_version(answers: Iterable[Answer]) -> Iterator[tuple[Answer, ...]]:
    """The answers of each version together (they come ordered by version)."""
    for _report_id, group in groupby(answers, key=lambda answer: answer.report_id):
        yield tuple(group)


Versions = tuple[tuple[Answer, ...], ...]  # the versions of one office in one round, oldest first


def by_round_and_office(answers: Iterable[Answer]) -> dict[date, dict[str, Versions]]:
    """The versions of each round (by its opening day, oldest first) and office.

    Within a round and office the versions come oldest first, so the last one is what
    counts; a correction never hides the version it replaced.
    """
    found: dict[date, dict[str, list[tuple[Answer, ...]]]] = {}
    for version in by_version(answers):
        first = version[0]
        found.setdefault(first.round_opens_on, {}).setdefault(first.office, []).append(version)
    return {
        opens_on: {
            office: tuple(sorted(versions, key=lambda v: (v[0].version, v[0].report_id)))
            for office, versions in found[opens_on].items()
        }
        for opens_on in sorted(found)
    }
