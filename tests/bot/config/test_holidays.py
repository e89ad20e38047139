"""Public holidays: Easter and the days that follow from it, and each state's own."""

from __future__ import annotations

from datetime import date

import pytest

from bot.config.holidays import STATES, easter_sunday, public_holidays


@pytest.mark.parametrize(
    "easter",
    [date(2019, 4, 21), date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28), date(2038, 4, 25)],
)  # fmt: skip
def test_easter_sunday(easter: date) -> None:
    assert easter_sunday(easter.year) == easter


def test_rhineland_palatinate_2026() -> None:
    assert sorted(public_holidays(2026, "RP")) == [
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1),
        date(2026, 5, 14), date(2026, 5, 25), date(2026, 6, 4), date(2026, 10, 3),
        date(2026, 11, 1), date(2026, 12, 25), date(2026, 12, 26),
    ]  # fmt: skip


def test_states_differ_and_new_holidays_start_in_their_year() -> None:
    saxony = public_holidays(2026, "SN")
    assert {date(2026, 10, 31), date(2026, 11, 18)} <= saxony  # Buß- und Bettag: Wednesday
    assert date(2026, 6, 4) not in saxony  # no Corpus Christi
    assert date(2026, 8, 15) in public_holidays(2026, "SL")
    assert date(2018, 3, 8) not in public_holidays(2018, "BE")
    assert date(2019, 3, 8) in public_holidays(2019, "BE")
    assert date(2018, 10, 31) in public_holidays(2018, "HH")
    assert date(2016, 10, 31) not in public_holidays(2016, "HH")
    for state in STATES:  # the national ones everywhere
        assert {date(2027, 1, 1), date(2027, 10, 3), date(2027, 12, 25)} <= public_holidays(
            2027, state
        )


def test_no_state_no_holidays() -> None:
    assert public_holidays(2026, "") == frozenset()
    with pytest.raises(ValueError, match="unknown state"):
        public_holidays(2026, "XX")
