"""Pure helpers for Telegram text: escaping and splitting below the message limit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

MESSAGE_LIMIT = 4096


def html(text: str) -> str:
    """Escape data for Telegram's HTML parse mode."""
    return escape(text, quote=False)


def day(moment: datetime | date, zone: ZoneInfo | None = None) -> str:
    """A German date, 24.12.2026; a moment is first taken to ``zone``."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(zone).date() if zone else moment.date()
    return moment.strftime("%d.%m.%Y")


def horizon_label(labels: Sequence[str]) -> str:
    """'Kurzfristig', or for an entry of several terms 'Mittel- und langfristig'."""
    if len(labels) == 1:
        return labels[0]
    stems = [label.removesuffix("fristig") + "-" for label in labels[:-1]]
    return " und ".join([", ".join(stems), labels[-1].lower()])


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split ``text`` into messages of at most ``limit`` characters, between lines.

    Lines are kept whole; only a single line longer than the limit is cut, at a space
    where possible. (Markup must not span lines for this to be safe, which holds for
    every text the bot builds.)
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()]
