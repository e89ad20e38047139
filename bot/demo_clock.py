"""The demo's clock and its command ``:zeit``: move the bot's time forward to see what is due.

The clock runs like a real one from its start (the moment the demo began, or the one given
with ``--start``); ``:zeit`` moves it forward. Weeks, days and months count on the wall
clock of the zone (``+1d`` at 09:00 is 09:00 the next day, across a change of daylight saving
time too), hours and minutes as elapsed time. Everything here is pure; the demo prints the
German messages of :class:`TimeInputError`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.render.texts import WEEKDAYS

LONGEST_MOVE = timedelta(days=3660)  # ten years at once is plenty for a demo
EXAMPLES = ":zeit +1w, :zeit +3d, :zeit +2h, :zeit 04.01.2027 09:00"

# unit -> (kind, factor): "wall" counts days on the calendar, "month" calendar months,
# "elapsed" minutes of real time
_UNITS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("w", "wo", "woche", "wochen"), ("wall", 7)),
    **dict.fromkeys(("d", "t", "tag", "tage", "tagen"), ("wall", 1)),
    **dict.fromkeys(("mon", "monat", "monate", "monaten"), ("month", 1)),
    **dict.fromkeys(("h", "std", "stunde", "stunden"), ("elapsed", 60)),
    **dict.fromkeys(("min", "minute", "minuten"), ("elapsed", 1)),
}
_RELATIVE = re.compile(r"([+-])\s*((?:\d+\s*[a-zäöü]+\s*)+)")
_PART = re.compile(r"(\d+)\s*([a-zäöü]+)")
_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:\s*uhr)?"
_ABSOLUTE = re.compile(
    r"(?:(?P<weekday>[a-zäöü]+),?\s+)?"
    r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})"
    rf"(?:,?\s+{_TIME})?"
)
_TIME_ONLY = re.compile(_TIME)


class TimeInputError(ValueError):
    """An input ``:zeit`` cannot use; ``str()`` is one German line for the person."""


def _real_now() -> datetime:
    return datetime.now(UTC)


class DemoClock:
    """The bot's clock in the demo: real time, shifted to start at ``start`` (UTC)."""

    def __init__(
        self, start: datetime | None = None, real: Callable[[], datetime] = _real_now
    ) -> None:
        self._real = real
        self._offset = start - real() if start is not None else timedelta()

    def __call__(self) -> datetime:
        return self._real() + self._offset

    def set(self, moment: datetime) -> None:
        """From now on the clock shows ``moment`` and runs on from there."""
        self._offset = moment - self._real()


def describe(moment: datetime, zone: ZoneInfo) -> str:
    """'Montag, 04.01.2027, 09:00 Uhr' in ``zone``."""
    local = moment.astimezone(zone)
    return f"{WEEKDAYS[local.weekday()]}, {local:%d.%m.%Y, %H:%M} Uhr"


def parse_moment(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A moment written in German, local time in ``zone`` (UTC out).

    ``04.01.2027 09:00`` (also ``4.1.27 9:00``, ``04.01.2027, 09:00 Uhr`` and with the
    weekday in front, as :func:`describe` writes it); a date alone keeps ``now``'s time of
    day, a time alone (``14:30``) means today. Any direction: see :func:`parse_move`.
    """
    words = " ".join(text.split()).lower()
    local = now.astimezone(zone)
    found = _ABSOLUTE.fullmatch(words)
    if found is not None:
        year = int(found["year"])
        year += 2000 if year < 100 else 0
        if not 1900 <= year <= 9000:
            raise TimeInputError(f"Das Jahr {year} ist für die Demo zu weit weg.")
        try:
            day = date(year, int(found["month"]), int(found["day"]))
        except ValueError:
            raise TimeInputError(
                f"Den {found['day']}.{found['month']}.{found['year']} gibt es nicht."
            ) from None
        _check_weekday(found["weekday"], day)
        hour, minute = found["hour"], found["minute"]
        clock = _clock(hour, minute) if hour is not None else local.time().replace(tzinfo=None)
        return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    found = _TIME_ONLY.fullmatch(words)
    if found is not None:
        clock = _clock(found["hour"], found["minute"])
        return datetime.combine(local.date(), clock, tzinfo=zone).astimezone(UTC)
    raise TimeInputError(f"Unbekannte Zeitangabe „{text.strip()}“. Beispiele: {EXAMPLES}")


def parse_move(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Where ``:zeit TEXT`` moves the clock from ``now``: forward only, ten years at most.

    ``+1w`` (weeks), ``+3d`` (days), ``+2h`` (hours), ``+30min``, ``+1mon`` (calendar
    months), also combined (``+1w 2d``) and spelt out (``+3 Tage``); or a moment as
    :func:`parse_moment` reads it. A moment in the current minute counts as now.
    """
    words = " ".join(text.split()).lower()
    if not words:
        raise TimeInputError(f"Wohin soll die Zeit gehen? Beispiele: {EXAMPLES}")
    relative = _RELATIVE.fullmatch(words)
    if relative is not None:
        if relative[1] == "-":
            raise TimeInputError("Die Demo-Zeit läuft nur vorwärts: bitte mit + angeben.")
        target = _moved(relative[2], now, zone)
    elif words.startswith(("+", "-")):
        raise TimeInputError(
            f"Unbekannte Zeitangabe „{text.strip()}“: nach dem + eine Zahl und eine Einheit "
            "(w Wochen, d Tage, h Stunden, min Minuten, mon Monate), z. B. +3d."
        )
    else:
        target = parse_moment(words, now, zone)
    if target < now.replace(second=0, microsecond=0):
        raise TimeInputError(f"Die Demo-Zeit läuft nur vorwärts; jetzt ist {describe(now, zone)}.")
    if target - now > LONGEST_MOVE:
        raise TimeInputError("So weit nicht: höchstens zehn Jahre auf einmal.")
    return max(target, now)


def _moved(parts: str, now: datetime, zone: ZoneInfo) -> datetime:
    wall_days = months = minutes = 0
    for amount_text, unit in _PART.findall(parts):
        if unit == "m":
            raise TimeInputError("„m“ ist mehrdeutig: min für Minuten, mon für Monate.")
        if unit not in _UNITS:
            raise TimeInputError(
                f"Unbekannte Einheit „{unit}“: w Wochen, d Tage, h Stunden, min Minuten, "
                "mon Monate."
            )
        amount = int(amount_text)
        if amount > 100_000:
            raise TimeInputError("So weit nicht: höchstens zehn Jahre auf einmal.")
        kind, factor = _UNITS[unit]
        if kind == "wall":
            wall_days += amount * factor
        elif kind == "month":
            months += amount * factor
        else:
            minutes += amount * factor
    if wall_days > LONGEST_MOVE.days or months > 120:
        raise TimeInputError("So weit nicht: höchstens zehn Jahre auf einmal.")
    local = now.astimezone(zone).replace(tzinfo=None)
    local = _add_months(local, months) + timedelta(days=wall_days)
    return local.replace(tzinfo=zone).astimezone(UTC) + timedelta(minutes=minutes)


def _add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later, or the last day of that month if it is shorter."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last))


def _clock(hour: str, minute: str) -> time:
    try:
        return time(int(hour), int(minute))
    except ValueError:
        raise TimeInputError(f"Die Uhrzeit {hour}:{minute} gibt es nicht.") from None


def _check_weekday(name: str | None, day: date) -> None:
    if name is None:
        return
    names = [weekday.lower() for weekday in WEEKDAYS]
    if not any(n == name or (len(name) >= 2 and n.startswith(name)) for n in names):
        raise TimeInputError(f"Unbekannter Wochentag „{name}“.")
    actual = names[day.weekday()]
    if not (actual == name or actual.startswith(name)):
        raise TimeInputError(f"Der {day:%d.%m.%Y} ist ein {WEEKDAYS[day.weekday()]}.")
