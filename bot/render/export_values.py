"""What each column of the exports shows: the one place both export paths take it from.

Free texts come from users. A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return) would be taken as a formula by Excel, so such values get a leading
apostrophe, and characters that XML cannot hold are removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.render import texts
from bot.render.formatting import author_text, horizon_label, obstacles_text
from storage.models import Obstacle, Status
from storage.status import FieldState

Cell = str | int | date | datetime | None
Row = tuple[Cell, ...]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters that XML 1.0 (and so .xlsx) cannot contain, lone surrogates included (they
# cannot be encoded at all).
_ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
CELL_TEXT_LIMIT = 32_767  # characters an Excel cell can hold


def neutralise(value: str) -> str:
    """Text that a spreadsheet shows as text: never a formula, no illegal characters."""
    if _ILLEGAL_CHARACTERS.search(value):
        value = _ILLEGAL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def clean(value: str) -> str:
    """Text a workbook cell or a PDF can hold: no forbidden characters, not too long."""
    if _ILLEGAL_CHARACTERS.search(value):
        value = _ILLEGAL_CHARACTERS.sub("", value)
    return value[:CELL_TEXT_LIMIT]


def safe(row: Iterable[Cell]) -> Row:
    """The row with every text neutralised."""
    return tuple(neutralise(value) if isinstance(value, str) else value for value in row)


def free_text(value: str | None) -> str | None:
    """A free text, or None for "not answered" and "skipped" alike (an empty cell)."""
    return value or None


def status_word(status: Status | None) -> str | None:
    return texts.STATUS_WORDS[status.value] if status is not None else None


def obstacles_cell(obstacles: tuple[Obstacle, ...], note: str | None) -> str | None:
    """'Personal, Sonstiges: Raum fehlt', or None (an empty cell) when none were named."""
    return obstacles_text(obstacles, note) or None


def yes_no(flag: bool) -> str:
    return texts.YES_WORD if flag else texts.NO_WORD


def horizon_text(terms: str) -> str:
    """'mittel+lang' → 'Mittel- und langfristig'."""
    return horizon_label([texts.TERM_LABELS[term] for term in terms.split("+")])


def terms_text(terms: str) -> str:
    """'mittel+lang' → 'mittel, lang'."""
    return ", ".join(terms.split("+"))


def field_label(field: FieldState) -> str:
    return f"{field.numeral} {field.title}"


def local_naive(moment: datetime, zone: ZoneInfo) -> datetime:
    """A UTC time as the city's wall clock shows it, to the second, without a zone."""
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)


# --- the history's columns, each group from what identifies it --------------------------------


def author(key: tuple[str | None, str | None]) -> Row:
    """(name, office it was entered for by a coordinator, else None) → the "Von" cell."""
    name, entered_for = key
    return (author_text(name, entered_for or "", entered_for is not None, texts.REMOVED_PERSON),)


def answer_target(key: tuple[str, str]) -> Row:
    """(terms, target) → horizon, target."""
    terms, target = key
    return (horizon_text(terms), target)


def answer_state(key: tuple[Status | None, bool]) -> Row:
    """(status, carried over) → status, carried over."""
    status, carried_over = key
    return (status_word(status), yes_no(carried_over))


def answer_support(key: tuple[tuple[Obstacle, ...], str | None, bool]) -> Row:
    """(obstacles, words for "Sonstiges", support requested) → obstacles, support requested."""
    obstacles, obstacle_note, support_requested = key
    return (obstacles_cell(obstacles, obstacle_note), yes_no(support_requested))
