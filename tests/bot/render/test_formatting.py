"""Splitting long texts below Telegram's limit, between lines."""

from __future__ import annotations

from bot.render.formatting import split_text


def test_short_text_is_one_message() -> None:
    assert split_text("eins\nzwei") == ["eins\nzwei"]


def test_split_between_lines_never_inside_one() -> None:
    lines = [f"Zeile {n:03d} " + "x" * 40 for n in range(300)]
    parts = split_text("\n".join(lines), limit=1000)
    assert all(len(part) <= 1000 for part in parts)
    assert "\n".join(parts).split("\n") == lines  # nothing lost, no line cut


def test_a_single_overlong_line_is_cut_at_spaces() -> None:
    text = " ".join(["Wort"] * 600)  # 2999 characters
    parts = split_text(text, limit=1000)
    assert all(len(part) <= 1000 for part in parts)
    assert " ".join(parts).split() == text.split()
