"""The timetable in local time: working hours, reminders, periods, and clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config.timetable import Timetable
from storage.reporting import Cadence

BERLIN = ZoneInfo("Europe/Berlin")
TABLE = Timetable(zone=BERLIN, cadence=Cadence.MONTHLY)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("monday", "expected"),
    [
        (date(2026, 3, 23), utc(2026, 3, 23, 8, 0)),  # CET, UTC+1
        (date(2026, 3, 30), utc(2026, 3, 30, 7, 0)),  # CEST after the last Sunday of March
        (date(2026, 10, 19), utc(2026, 10, 19, 7, 0)),  # CEST
        (date(2026, 10, 26), utc(2026, 10, 26, 8, 0)),  # CET after the last Sunday of October
    ],
)
def test_summary_stays_at_nine_local_across_clock_changes(monday: date, expected: datetime) -> None:
    assert TABLE.summary_moment(expected) == expected
    assert TABLE.local(TABLE.summary_moment(expected)).time() == time(9, 0)
    wednesday = datetime.combine(monday + timedelta(days=2), time(12, 0), tzinfo=BERLIN)
    assert TABLE.summary_moment(wednesday.astimezone(UTC)) == expected


def test_working_time_and_next_working_moment() -> None:
    friday_evening = utc(2026, 12, 4, 17, 30)  # 18:30 local
    assert not TABLE.is_working_time(friday_evening)
    assert TABLE.next_working_moment(friday_evening) == utc(2026, 12, 7, 7, 0)  # Monday 08:00
    assert TABLE.next_working_moment(utc(2026, 12, 7, 10, 0)) == utc(2026, 12, 7, 10, 0)
    assert TABLE.next_working_day(utc(2026, 12, 4, 9, 0)) == utc(2026, 12, 7, 7, 0)


def test_reminders_skip_weekends_and_due_date_on_friday_before() -> None:
    # opened Wednesday 2 Dec: day 3 is a Saturday -> Monday; due Sunday 3 Jan -> Friday 1 Jan
    assert TABLE.reminders(date(2026, 12, 2), date(2027, 1, 3)) == [
        ("tag3", utc(2026, 12, 7, 7, 0)),
        ("tag7", utc(2026, 12, 9, 7, 0)),
        ("faellig", utc(2027, 1, 1, 7, 0)),
    ]


def test_holidays_are_no_working_days() -> None:
    mainz = Timetable(zone=BERLIN, cadence=Cadence.MONTHLY, holidays_of="RP")
    # Opened Wednesday 1 April 2026: day 3 is a Saturday, Monday is Easter Monday.
    assert mainz.reminders(date(2026, 4, 1), date(2026, 4, 30))[0] == (
        "tag3",
        utc(2026, 4, 7, 6, 0),
    )
    # Due Sunday 3 January: Friday 1 January is New Year's Day, so Thursday.
    assert mainz.reminders(date(2026, 12, 2), date(2027, 1, 3))[-1] == (
        "faellig",
        utc(2026, 12, 31, 7, 0),
    )
    assert mainz.next_working_day(utc(2026, 12, 24, 9, 0)) == utc(2026, 12, 28, 7, 0)
    assert TABLE.is_working_day(date(2026, 12, 25))  # without a state: every weekday


@pytest.mark.parametrize(
    ("cadence", "day", "start"),
    [
        (Cadence.WEEKLY, date(2026, 11, 26), date(2026, 11, 23)),
        (Cadence.MONTHLY, date(2026, 11, 26), date(2026, 11, 1)),
        (Cadence.QUARTERLY, date(2026, 11, 26), date(2026, 10, 1)),
    ],
)
def test_period_start(cadence: Cadence, day: date, start: date) -> None:
    assert Timetable(zone=BERLIN, cadence=cadence).period_start(day) == start
