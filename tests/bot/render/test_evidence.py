"""Evidence as text: lines for a message, a cell for the export, sizes German style."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.render import texts
from bot.render.evidence import (
    CAPTION_LIMIT,
    evidence_cell,
    evidence_lines,
    evidence_name,
    file_size,
)
from bot.render.formatting import split_text
from storage.evidence import EvidenceItem
from storage.models import EvidenceKind

ZONE = ZoneInfo("Europe/Berlin")
LATE_EVENING = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)  # already 03.12. in Berlin
SOZIALES = "Amt für soziale Leistungen"


def item(
    kind: EvidenceKind,
    *,
    file_name: str | None = None,
    file_size: int | None = 1_234_567,
    author: str | None = "Karl Kontakt",
    office: str = SOZIALES,
    caption: str | None = None,
    received_at: datetime = LATE_EVENING,
) -> EvidenceItem:
    return EvidenceItem(
        id=1,
        kind=kind,
        file_name=file_name,
        mime_type=None,
        file_size=file_size,
        office=office,
        author=author,
        received_at=received_at,
        round_opens_on=date(2026, 12, 1),
        measure_code="III.1.1",
        stored_path=None,
        caption=caption,
    )


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 Byte"),
        (1, "1 Byte"),
        (999, "999 Byte"),
        (1000, "1,0 KB"),
        (4_500, "4,5 KB"),
        (9_940, "9,9 KB"),
        (9_960, "10 KB"),
        (345_678, "346 KB"),
        (999_499, "999 KB"),
        (999_500, "1,0 MB"),
        (1_234_567, "1,2 MB"),
        (20_000_000, "20 MB"),
        (20_971_520, "21 MB"),
        (52_428_800, "52 MB"),
        (2_000_000_000, "2,0 GB"),
        (4_294_967_296, "4,3 GB"),
        (1_234_000_000_000, "1.234 GB"),
    ],
)
def test_file_size_german_style(size: int, text: str) -> None:
    assert file_size(size) == text


def test_names_for_people() -> None:
    assert evidence_name(EvidenceKind.DOCUMENT, "bericht.pdf") == "bericht.pdf"
    assert evidence_name(EvidenceKind.DOCUMENT, "  zwei\nZeilen.pdf ") == "zwei Zeilen.pdf"
    assert evidence_name(EvidenceKind.DOCUMENT, None) == "Dokument"
    assert evidence_name(EvidenceKind.DOCUMENT, "  ") == "Dokument"
    assert evidence_name(EvidenceKind.PHOTO, None) == "Foto"
    assert evidence_name(EvidenceKind.VOICE, "voice.ogg") == "Sprachnachricht"


def test_lines_per_kind_with_local_day_size_and_caption() -> None:
    lines = evidence_lines(
        [
            item(EvidenceKind.PHOTO, caption="Aushang\n im  Rathaus"),
            item(EvidenceKind.DOCUMENT, file_name="bericht.pdf", file_size=345_678),
            item(EvidenceKind.VOICE, file_size=None, author=None),
        ],
        ZONE,
    )
    assert lines == [
        "📷 Foto · Amt für soziale Leistungen · Karl Kontakt · 03.12.2026 · 1,2 MB"
        " – „Aushang im Rathaus“",
        "📄 bericht.pdf · Amt für soziale Leistungen · Karl Kontakt · 03.12.2026 · 346 KB",
        f"🎤 Sprachnachricht · Amt für soziale Leistungen · {texts.REMOVED_PERSON} · 03.12.2026",
    ]
    assert evidence_lines([], ZONE) == []


def test_lines_escape_every_value_and_shorten_captions() -> None:
    [line] = evidence_lines(
        [
            item(
                EvidenceKind.DOCUMENT,
                file_name="<b>a&b</b>.pdf",
                author="<i>Eve</i>",
                office="A & B",
                caption="<script>" + "x" * 300,
            )
        ],
        ZONE,
    )
    assert "<b>" not in line
    assert "<i>" not in line
    assert "<script>" not in line
    assert "&lt;b&gt;a&amp;b&lt;/b&gt;.pdf" in line
    assert "A &amp; B" in line
    caption = line.split(" – „", 1)[1]
    assert caption.endswith("…“")
    assert len(caption.replace("&lt;", "<").replace("&gt;", ">")) == CAPTION_LIMIT + 1
    assert split_text(line) == [line]  # valid Telegram HTML as far as the splitter sees


def test_cell_for_the_export() -> None:
    items = [
        item(EvidenceKind.DOCUMENT, file_name="bericht.pdf"),
        item(
            EvidenceKind.PHOTO,
            author="Wilma Weber",
            received_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        ),
        item(EvidenceKind.VOICE, author=None),
    ]
    assert evidence_cell(items, ZONE) == (
        "bericht.pdf (Karl Kontakt, 03.12.2026); Foto (Wilma Weber, 01.12.2026); "
        f"Sprachnachricht ({texts.REMOVED_PERSON}, 03.12.2026)"
    )
    assert evidence_cell([], ZONE) is None
    # plain text: nothing escaped (the export neutralises formulas itself)
    assert evidence_cell([item(EvidenceKind.DOCUMENT, file_name="a&b.pdf")], ZONE) == (
        "a&b.pdf (Karl Kontakt, 03.12.2026)"
    )
