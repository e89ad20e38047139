"""Evidence files as text: a line per file for a message, a cell for the export.

Pure functions over :class:`storage.evidence.EvidenceItem`; the handlers decide where
they go (``/status`` of a measure, the export's columns).
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.render import texts
from bot.render.formatting import day
from storage.evidence import EvidenceItem
from storage.models import EvidenceKind

__all__ = ["CAPTION_LIMIT", "evidence_cell", "evidence_lines", "evidence_name", "file_size"]

CAPTION_LIMIT = 100  # characters of a caption shown in a line; longer ones end in "…"

_KIND_NAMES = {
    EvidenceKind.PHOTO: texts.EVIDENCE_PHOTO,
    EvidenceKind.DOCUMENT: texts.EVIDENCE_DOCUMENT,
    EvidenceKind.VOICE: texts.EVIDENCE_VOICE,
}


def evidence_name(kind: EvidenceKind, file_name: str | None) -> str:
    """What a file is called for people: a document's own name, else 'Foto' and the like."""
    if kind is EvidenceKind.DOCUMENT and file_name and file_name.strip():
        return " ".join(file_name.split())
    return _KIND_NAMES[kind]


def file_size(size: int) -> str:
    """A size German style, in steps of 1000: '512 Byte', '4,5 KB', '1,2 MB', '18 MB'.

    One decimal below 10 of a unit, none above; a value that would round to 1000 is
    given in the next unit ('1,0 MB', not '1000 KB').
    """
    units = texts.SIZE_UNITS
    if size < 1000:
        return f"{max(size, 0)} {units[0]}"
    value = float(size)
    for number, unit in enumerate(units[1:], start=1):
        value /= 1000
        decimals = 1 if round(value, 1) < 10 else 0
        if round(value, decimals) < 1000 or number == len(units) - 1:
            return f"{_german_number(value, decimals)} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def _german_number(value: float, decimals: int) -> str:
    """1234.5 → '1.234,5'."""
    return f"{value:,.{decimals}f}".translate(str.maketrans(",.", ".,"))


def _caption(caption: str | None) -> str:
    words = " ".join((caption or "").split())
    if len(words) > CAPTION_LIMIT:
        words = words[: CAPTION_LIMIT - 1].rstrip() + "…"
    return words


def evidence_lines(items: Sequence[EvidenceItem], zone: ZoneInfo) -> list[str]:
    """One line of Telegram HTML per file, in the given order (newest first from storage).

    '📄 bericht.pdf · Amt für soziale Leistungen · Karl Kontakt · 03.12.2026 · 1,2 MB –
    „Aushang im Rathaus“'; the size and caption only where known.
    """
    lines = []
    for item in items:
        caption = _caption(item.caption)
        lines.append(
            texts.fill(
                texts.EVIDENCE_LINE,
                icon=texts.EVIDENCE_ICONS[item.kind.value],
                name=evidence_name(item.kind, item.file_name),
                office=item.office,
                author=item.author or texts.REMOVED_PERSON,
                day=day(item.received_at, zone),
                size=(
                    texts.EVIDENCE_LINE_SIZE.format(size=file_size(item.file_size))
                    if item.file_size is not None
                    else ""
                ),
                caption=texts.EVIDENCE_LINE_CAPTION.format(caption=caption) if caption else "",
            )
        )
    return lines


def evidence_cell(items: Sequence[EvidenceItem], zone: ZoneInfo) -> str | None:
    """The files of one measure and office for an export cell, plain text; None if none.

    'bericht.pdf (Karl Kontakt, 03.12.2026); Foto (Wilma Weber, 01.12.2026)'. Not yet
    safe for a spreadsheet: the export neutralises it like every text.
    """
    if not items:
        return None
    return texts.EVIDENCE_CELL_SEPARATOR.join(
        texts.EVIDENCE_CELL_ITEM.format(
            name=evidence_name(item.kind, item.file_name),
            author=item.author or texts.REMOVED_PERSON,
            day=day(item.received_at, zone),
        )
        for item in items
    )
