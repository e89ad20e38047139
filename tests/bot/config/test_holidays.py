"""Public holidays, from the ``holidays`` library: the days without reminders.

Not a test of the library's calendar, but of what the bot relies on: the setting's state
codes, that statewide holidays differ by state, that none means none, and that the
timetable skips them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config.timetable import STATES, Timetable, public_holidays
from storage.reporting import Cadence

CORPUS_CHRISTI = date(2026, 6, 4)  # Fronleichnam, a Thursday


def test_the_sixteen_states() -> None:
    assert STATES == (
        "BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV",
        "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH",
    )  # fmt: skip
    assert "Augsburg" not in STATES  # a city's holiday, not a state's


def test_mainz_2026() -> None:
    assert sorted(public_holidays(2026, "RP")) == [
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1),
        date(2026, 5, 14), date(2026, 5, 25), CORPUS_CHRISTI, date(2026, 10, 3),
        date(2026, 11, 1), date(2026, 12, 25), date(2026, 12, 26),
    ]  # fmt: skip


def test_states_differ() -> None:
    assert CORPUS_CHRISTI in public_holidays(2026, "HE")
    assert CORPUS_CHRISTI not in public_holidays(2026, "BE")
    saxony = public_holidays(2026, "SN")
    assert {date(2026, 10, 31), date(2026, 11, 18)} <= saxony  # Reformationstag, Buß- und Bettag
    assert date(2026, 10, 31) not in public_holidays(2026, "RP")
    assert date(2026, 3, 8) in public_holidays(2026, "BE")  # Frauentag


def test_only_statewide_holidays() -> None:
    # Mariä Himmelfahrt: statewide in Saarland, in Bavaria only in Catholic communities.
    assert date(2026, 8, 15) in public_holidays(2026, "SL")
    assert date(2026, 8, 15) not in public_holidays(2026, "BY")


@pytest.mark.parametrize("state", STATES)
def test_national_holidays_everywhere(state: str) -> None:
    assert {date(2027, 1, 1), date(2027, 10, 3), date(2027, 12, 25)} <= public_holidays(2027, state)


def test_no_state_no_holidays() -> None:
    assert public_holidays(2026, "") == frozenset()
    with pytest.raises(ValueError, match="unknown state"):
        public_holidays(2026, "XX")
    with pytest.raises(ValueError, match="unknown state"):
        Timetable(zone=ZoneInfo("Europe/Berlin"), cadence=Cadence.MONTHLY, holidays_of="XX")


def test_cached_per_year_and_state() -> None:
    assert public_holidays(2026, "RP") is public_holidays(2026, "RP")
    assert public_holidays(2026, "RP") != public_holidays(2026, "BE")


def test_timetable_skips_the_states_holidays() -> None:
    wednesday = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)
    thursday_8 = datetime(2026, 6, 4, 6, 0, tzinfo=UTC)  # 08:00 in Berlin (CEST)
    friday_8 = datetime(2026, 6, 5, 6, 0, tzinfo=UTC)

    def table(state: str) -> Timetable:
        return Timetable(zone=ZoneInfo("Europe/Berlin"), cadence=Cadence.MONTHLY, holidays_of=state)

    assert not table("RP").is_working_day(CORPUS_CHRISTI)
    assert table("RP").next_working_day(wednesday) == friday_8
    assert table("RP").next_working_moment(thursday_8) == friday_8
    assert table("BE").next_working_day(wednesday) == thursday_8
    assert table("").next_working_day(wednesday) == thursday_8
