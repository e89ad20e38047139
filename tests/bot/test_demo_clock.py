"""The demo's clock and ``:zeit``: what each input moves to, and a German line for bad ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.demo_clock import DemoClock, TimeInputError, describe, parse_moment, parse_move

BERLIN = ZoneInfo("Europe/Berlin")


def local(text: str) -> datetime:
    """'07.12.2026 08:30' Berlin time, as UTC."""
    return datetime.strptime(text, "%d.%m.%Y %H:%M").replace(tzinfo=BERLIN).astimezone(UTC)


NOW = local("07.12.2026 08:30")  # a Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1w", "14.12.2026 08:30"),
        ("+3d", "10.12.2026 08:30"),
        ("+2h", "07.12.2026 10:30"),
        ("+30min", "07.12.2026 09:00"),
        ("+1mon", "07.01.2027 08:30"),
        ("+1w 2d", "16.12.2026 08:30"),
        ("+1w2d3h", "16.12.2026 11:30"),
        ("+ 3 Tage", "10.12.2026 08:30"),
        ("+2 Wochen", "21.12.2026 08:30"),
        ("+1 Stunde", "07.12.2026 09:30"),
        ("+1D", "08.12.2026 08:30"),
        ("+0h", "07.12.2026 08:30"),
        ("04.01.2027 09:00", "04.01.2027 09:00"),
        ("4.1.27 9:00", "04.01.2027 09:00"),
        ("04.01.2027, 09:00 Uhr", "04.01.2027 09:00"),
        ("Montag, 04.01.2027, 09:00 Uhr", "04.01.2027 09:00"),  # as the demo prints it
        ("mo 04.01.2027 09.00", "04.01.2027 09:00"),
        ("08.12.2026", "08.12.2026 08:30"),  # a date alone keeps the time of day
        ("14:30", "07.12.2026 14:30"),  # a time alone is today
        ("  +1w  ", "14.12.2026 08:30"),
    ],
)
def test_zeit_moves_to(text: str, expected: str) -> None:
    assert parse_move(text, NOW, BERLIN) == local(expected)


def test_days_count_on_the_wall_clock_hours_as_time_passes() -> None:
    """Daylight saving time begins on 28.03.2027: a day later is 09:00 again, 24 h is 10:00."""
    before = local("27.03.2027 09:00")
    assert parse_move("+1d", before, BERLIN) == local("28.03.2027 09:00")
    assert parse_move("+24h", before, BERLIN) == local("28.03.2027 10:00")
    assert parse_move("+1d", before, BERLIN) - before == timedelta(hours=23)


def test_a_month_later_on_a_shorter_month_is_its_last_day() -> None:
    assert parse_move("+1mon", local("31.01.2027 10:00"), BERLIN) == local("28.02.2027 10:00")
    assert parse_move("+13mon", local("31.01.2027 10:00"), BERLIN) == local("29.02.2028 10:00")


def test_a_moment_in_the_current_minute_is_now() -> None:
    now = NOW + timedelta(seconds=40)
    assert parse_move("07.12.2026 08:30", now, BERLIN) == now


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Wohin soll die Zeit gehen? Beispiele: :zeit +1w, :zeit +3d, :zeit +2h, "
         ":zeit 04.01.2027 09:00"),
        ("morgen", "Unbekannte Zeitangabe „morgen“. Beispiele: :zeit +1w, :zeit +3d, "
         ":zeit +2h, :zeit 04.01.2027 09:00"),
        ("-1d", "Die Demo-Zeit läuft nur vorwärts: bitte mit + angeben."),
        ("+3", "Unbekannte Zeitangabe „+3“: nach dem + eine Zahl und eine Einheit "
         "(w Wochen, d Tage, h Stunden, min Minuten, mon Monate), z. B. +3d."),
        ("+1,5d", "Unbekannte Zeitangabe „+1,5d“: nach dem + eine Zahl und eine Einheit "
         "(w Wochen, d Tage, h Stunden, min Minuten, mon Monate), z. B. +3d."),
        ("+3x", "Unbekannte Einheit „x“: w Wochen, d Tage, h Stunden, min Minuten, mon Monate."),
        ("+2y", "Unbekannte Einheit „y“: w Wochen, d Tage, h Stunden, min Minuten, mon Monate."),
        ("+3m", "„m“ ist mehrdeutig: min für Minuten, mon für Monate."),
        ("31.02.2027 09:00", "Den 31.02.2027 gibt es nicht."),
        ("04.13.2027", "Den 04.13.2027 gibt es nicht."),
        ("04.01.2027 25:00", "Die Uhrzeit 25:00 gibt es nicht."),
        ("9:75", "Die Uhrzeit 9:75 gibt es nicht."),
        ("Dienstag, 04.01.2027", "Der 04.01.2027 ist ein Montag."),
        ("Blautag 04.01.2027", "Unbekannter Wochentag „blautag“."),
        ("01.12.2026 09:00", "Die Demo-Zeit läuft nur vorwärts; jetzt ist "
         "Montag, 07.12.2026, 08:30 Uhr."),
        ("08:00", "Die Demo-Zeit läuft nur vorwärts; jetzt ist Montag, 07.12.2026, 08:30 Uhr."),
        ("01.01.1800 09:00", "Das Jahr 1800 ist für die Demo zu weit weg."),
        ("01.01.9999 09:00", "Das Jahr 9999 ist für die Demo zu weit weg."),
        ("01.01.2050 09:00", "So weit nicht: höchstens zehn Jahre auf einmal."),
        ("+11 Jahre", "Unbekannte Einheit „jahre“: w Wochen, d Tage, h Stunden, min Minuten, "
         "mon Monate."),
        ("+600w", "So weit nicht: höchstens zehn Jahre auf einmal."),
        ("+121mon", "So weit nicht: höchstens zehn Jahre auf einmal."),
        ("+99999999999999999999h", "So weit nicht: höchstens zehn Jahre auf einmal."),
        ("+100000h", "So weit nicht: höchstens zehn Jahre auf einmal."),
    ],
)  # fmt: skip
def test_bad_input_gets_one_german_line(text: str, message: str) -> None:
    with pytest.raises(TimeInputError) as raised:
        parse_move(text, NOW, BERLIN)
    assert str(raised.value) == message


def test_a_start_may_lie_in_the_past() -> None:
    assert parse_moment("01.12.2026 09:00", NOW, BERLIN) == local("01.12.2026 09:00")


def test_describe_in_german() -> None:
    assert describe(local("04.01.2027 09:00"), BERLIN) == "Montag, 04.01.2027, 09:00 Uhr"
    assert describe(local("01.07.2027 09:05"), BERLIN) == "Donnerstag, 01.07.2027, 09:05 Uhr"


class RealTime:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_the_clock_starts_where_told_and_runs_on() -> None:
    real = RealTime()
    clock = DemoClock(NOW, real=real)
    assert clock() == NOW
    real.now += timedelta(seconds=5)
    assert clock() == NOW + timedelta(seconds=5)
    clock.set(local("04.01.2027 09:00"))
    assert clock() == local("04.01.2027 09:00")
    real.now += timedelta(minutes=1)
    assert clock() == local("04.01.2027 09:01")


def test_without_a_start_the_clock_is_real_time() -> None:
    real = RealTime()
    assert DemoClock(real=real)() == real.now
