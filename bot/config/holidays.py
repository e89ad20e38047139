"""Public holidays in Germany, by state: days without reminders.

Only holidays that apply to a whole state are listed (Bavaria's Assumption Day, for
example, applies to some of its communities only and is left out). Mainz lies in
Rhineland-Palatinate (``RP``).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

STATES = {
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "BE": "Berlin",
    "BB": "Brandenburg",
    "HB": "Bremen",
    "HH": "Hamburg",
    "HE": "Hessen",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}
ALL = frozenset(STATES)


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the Meeus/Jones/Butcher rule)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    line = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * line) // 451
    month, day = divmod(h + line - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _repentance_day(year: int) -> date:
    """Buß- und Bettag: the Wednesday before 23 November."""
    day = date(year, 11, 22)
    return day - timedelta(days=(day.weekday() - 2) % 7)


@lru_cache(maxsize=64)
def public_holidays(year: int, state: str) -> frozenset[date]:
    """The state's public holidays in ``year``; none for an empty ``state``."""
    if not state:
        return frozenset()
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    easter = easter_sunday(year)
    rules: list[tuple[date, frozenset[str], int]] = [  # (day, states, since)
        (date(year, 1, 1), ALL, 0),
        (date(year, 1, 6), frozenset({"BW", "BY", "ST"}), 0),
        (date(year, 3, 8), frozenset({"BE"}), 2019),
        (date(year, 3, 8), frozenset({"MV"}), 2023),
        (easter - timedelta(days=2), ALL, 0),
        (easter + timedelta(days=1), ALL, 0),
        (date(year, 5, 1), ALL, 0),
        (easter + timedelta(days=39), ALL, 0),
        (easter + timedelta(days=50), ALL, 0),
        (easter + timedelta(days=60), frozenset({"BW", "BY", "HE", "NW", "RP", "SL"}), 0),
        (date(year, 8, 15), frozenset({"SL"}), 0),
        (date(year, 9, 20), frozenset({"TH"}), 2019),
        (date(year, 10, 3), ALL, 0),
        (date(year, 10, 31), frozenset({"BB", "MV", "SN", "ST", "TH"}), 0),
        (date(year, 10, 31), frozenset({"HB", "HH", "NI", "SH"}), 2018),
        (date(year, 11, 1), frozenset({"BW", "BY", "NW", "RP", "SL"}), 0),
        (_repentance_day(year), frozenset({"SN"}), 0),
        (date(year, 12, 25), ALL, 0),
        (date(year, 12, 26), ALL, 0),
    ]
    return frozenset(day for day, states, since in rules if state in states and year >= since)
