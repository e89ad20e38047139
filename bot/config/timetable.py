"""When things are due: rounds, reminders and the weekly summary, in the local time zone.

Pure functions of a moment (UTC in, UTC out); the zone's rules, daylight saving time
included, come from ``zoneinfo``. The scheduler only asks these functions and the
database whether something is due, so a late or repeated tick changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays

from storage.reporting import Cadence

WORKING_DAYS = range(5)  # Monday to Friday
DUE_KIND = "faellig"

# The German states by their codes (RP, HE, BY, …), as the ``holidays`` library knows them.
# Only the two-letter codes: the library also lists places smaller than a state (such as
# "Augsburg", whose Hohes Friedensfest is a holiday of that city only; older versions had
# "BYP", Bavaria with the Assumption Day of its mostly Catholic communities), and the
# setting names a state, whose statewide holidays apply to everyone in it.
STATES: tuple[str, ...] = tuple(
    sorted(
        code
        for code in holidays.country_holidays("DE").subdivisions
        if len(code) == 2 and code.isupper()
    )
)


@lru_cache(maxsize=64)
def public_holidays(year: int, state: str) -> frozenset[date]:
    """The statewide public holidays of ``state`` in ``year``; none for an empty ``state``.

    Cached per (year, state): the scheduler asks every minute.
    """
    if not state:
        return frozenset()
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    # The library's default category is PUBLIC: the holidays of the whole state, not the
    # Catholic ones of some communities only (e.g. Assumption Day in parts of Bavaria).
    return frozenset(holidays.country_holidays("DE", subdiv=state, years=year))


class WorkingHours(NamedTuple):
    """When reminders may be sent on a working day, local time: ``start <= t < end``."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """``"08:00-17:00"``; ValueError unless it is two times, the first before the second."""
        start, dash, end = text.partition("-")
        if not dash:
            raise ValueError(f"no '-' in {text!r}")
        return cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip())).checked()

    def checked(self) -> WorkingHours:
        """``self``; ValueError if it ends before it starts or carries a time zone."""
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are local times, without a zone")
        if self.start >= self.end:
            raise ValueError("working hours end before they start")
        return self


def reminder_kind(days: int) -> str:
    return f"tag{days}"


@dataclass(frozen=True)
class Timetable:
    zone: ZoneInfo
    cadence: Cadence
    work_start: time = time(8, 0)
    work_end: time = time(17, 0)
    reminder_days: tuple[int, ...] = (3, 7)
    summary_weekday: int = 1  # ISO: Monday = 1
    summary_time: time = time(9, 0)
    holidays_of: str = ""  # a German state's code (STATES); "": no holidays

    def __post_init__(self) -> None:
        if self.holidays_of and self.holidays_of not in STATES:
            raise ValueError(f"unknown state {self.holidays_of!r}")

    # --- local time ----------------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def at(self, day: date, clock: time) -> datetime:
        """``day`` at ``clock`` local time, as UTC (zoneinfo picks the right offset)."""
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)

    def today(self, moment: datetime) -> date:
        return self.local(moment).date()

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, except the state's public holidays."""
        return day.weekday() in WORKING_DAYS and day not in public_holidays(
            day.year, self.holidays_of
        )

    def is_working_time(self, moment: datetime) -> bool:
        local = self.local(moment)
        return self.is_working_day(local.date()) and self.work_start <= local.time() < self.work_end

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself if it is within working hours, else the next start of work."""
        if self.is_working_time(moment):
            return moment
        local = self.local(moment)
        day = local.date() if local.time() < self.work_start else local.date() + timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return self.at(day, self.work_start)

    def next_working_day(self, moment: datetime) -> datetime:
        """The start of work on the next working day after ``moment``'s day (snooze)."""
        day = self.today(moment) + timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return self.at(day, self.work_start)

    # --- rounds and reminders ------------------------------------------------------------

    def period_start(self, day: date) -> date:
        """The day the round of ``day``'s period opens: Monday, 1st of month or quarter."""
        if self.cadence is Cadence.WEEKLY:
            return day - timedelta(days=day.weekday())
        if self.cadence is Cadence.MONTHLY:
            return day.replace(day=1)
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)

    def reminders(self, opens_on: date, due_on: date) -> list[tuple[str, datetime]]:
        """Each reminder of a round and the moment it becomes due, in order."""
        moments = [
            (
                reminder_kind(days),
                self.next_working_moment(self.at(opens_on + timedelta(days=days), self.work_start)),
            )
            for days in sorted(self.reminder_days)
            if opens_on + timedelta(days=days) < due_on
        ]
        due_day = due_on
        while not self.is_working_day(due_day) and due_day > opens_on:
            due_day -= timedelta(days=1)  # due on a weekend or holiday: the working day before
        moments.append((DUE_KIND, self.at(due_day, self.work_start)))
        return moments

    # --- weekly summary ------------------------------------------------------------------

    def summary_moment(self, moment: datetime) -> datetime:
        """When the summary of ``moment``'s ISO week is to be posted (UTC)."""
        day = self.today(moment)
        monday = day - timedelta(days=day.weekday())
        return self.at(monday + timedelta(days=self.summary_weekday - 1), self.summary_time)

    def iso_week(self, moment: datetime) -> tuple[int, int]:
        year, week, _ = self.today(moment).isocalendar()
        return year, week
