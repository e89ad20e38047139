"""Splitting long texts below Telegram's limit, between lines, each part valid HTML."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render.formatting import join_blocks, split_text, visible_len
from bot.render.formatting import utf16_len as telegram_len
from bot.standin.html import ParsedText, parse_html, utf16_len

# --- the behaviour for plain texts, as before ----------------------------------------------


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


def test_an_overlong_line_begins_right_after_a_short_one() -> None:
    """No stray message of one short line: a line cut anyway begins in the same part."""
    text = "kurz\n" + " ".join(["Wort"] * 30) + "\nEnde"
    assert split_text(text, limit=60) == [
        "kurz\n" + " ".join(["Wort"] * 11),
        " ".join(["Wort"] * 12),
        " ".join(["Wort"] * 7) + "\nEnde",
    ]


def test_a_line_that_fits_a_message_is_not_cut_to_fill_the_part_before() -> None:
    line = "x" * 58
    assert split_text(f"kurz\n{line}\n{line}", limit=60) == ["kurz", line, line]


# --- markup ------------------------------------------------------------------------------


def test_a_text_that_fits_is_returned_unchanged() -> None:
    text = "<b>" + "😀" * 2047 + "</b>&lt;x"  # 4096 UTF-16 code units as Telegram counts
    assert split_text(text) == [text]
    assert len(split_text(text + "x")) == 2


def test_length_is_measured_as_telegram_counts_it() -> None:
    """After parsing: tags count nothing, an entity one character (UTF-16 code units)."""
    assert visible_len("<b>a&lt;b</b> &amp; &#128512;") == 8
    for text in ("&lt;" * 4096, "<b>x</b>" * 4096, "<i>&#x1F600;</i>" * 2048):
        assert split_text(text) == [text]
    assert split_text("&amp;" * 4100) == ["&amp;" * 4096, "&amp;" * 4]


def test_length_is_counted_in_utf16_code_units() -> None:
    assert telegram_len("ä😀𝄞x") == 6
    parts = split_text("😀" * 30, limit=9)
    assert parts == ["😀" * 4] * 7 + ["😀" * 2]


def test_regression_a_6400_character_line_with_italics_across_the_cut() -> None:
    line = "Anfang " * 300 + "<i>" + "kursiv " * 400 + "</i>" + "Ende " * 290
    line += "x" * (6400 - len(line))
    assert len(line) == 6400
    parts = split_text(line)
    assert len(parts) == 2
    assert parts[0].endswith("</i>")
    assert parts[1].startswith("<i>")
    for part in parts:
        assert utf16_len(parse_html(part).plain) <= 4096  # Telegram would have said "can't
        # parse entities" before
    assert _plain_words(parts) == parse_html(line).plain.split()


def test_elements_are_reopened_with_their_attributes() -> None:
    opening = '<a href="https://example.org/?a=1&amp;b=2">'
    text = f"<blockquote expandable>{opening}{'Link ' * 40}</a></blockquote>"
    parts = split_text(text, limit=100)
    assert len(parts) > 1
    for part in parts:
        assert part.startswith(f"<blockquote expandable>{opening}")
        assert part.endswith("</a></blockquote>")
        links = [entity for entity in parse_html(part).entities if entity["type"] == "text_link"]
        assert [link["url"] for link in links] == ["https://example.org/?a=1&b=2"]


def test_never_cut_inside_an_entity() -> None:
    parts = split_text("&amp;" * 30, limit=12)
    assert parts == ["&amp;" * 12, "&amp;" * 12, "&amp;" * 6]
    assert split_text(" ".join(["a &lt;b&gt;"] * 10), limit=6) == ["a &lt;b&gt;"] * 10


def test_no_element_left_empty_and_no_blank_part() -> None:
    parts = split_text("<b>" + "x" * 20 + "</b>\n\n<i>   </i>\n" + "<u>" + "y" * 20 + "</u>", 22)
    assert parts == ["<b>" + "x" * 20 + "</b>", "<u>" + "y" * 20 + "</u>"]


def test_stray_markup_does_not_crash() -> None:
    for text in ("a < b > c & d " * 50, "x</b>y<br><p>z " * 40, "<b>offen " + "Wort " * 40):
        assert all(visible_len(part) <= 50 for part in split_text(text, limit=50))


def test_a_limit_without_room_for_a_character_is_refused() -> None:
    assert split_text("<b>" + "x" * 20 + "</b>", limit=1) == ["<b>x</b>"] * 20
    with pytest.raises(ValueError, match="no room"):
        split_text("😀😀", limit=1)  # one character, two code units


# --- property: every part is valid Telegram HTML, nothing lost -----------------------------

# Indivisible pieces of text; the widest shown is an emoji, 2 code units.
ATOMS = ["a", "Wort", "äöß", "😀", "𝄞", " ", "  ", "\n", "\n\n", "&amp;", "&lt;", "&gt;"]
ATOMS += ["&quot;", "&#8364;"]
INLINE = ["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler"]
EMOJI = ('<tg-emoji emoji-id="5368324170671202286">', "👍", "</tg-emoji>")

long_words = st.text(alphabet="xyzäü😀", min_size=10, max_size=80)
texts = st.lists(st.sampled_from(ATOMS) | long_words, min_size=1, max_size=20).map("".join)
paths = st.text(alphabet=string.ascii_letters + string.digits, max_size=12)


@st.composite
def fragments(draw: st.DrawFn, depth: int, inside: frozenset[str]) -> tuple[str, int]:
    """Well-formed Telegram HTML, and the markup of its deepest stack of open elements.

    Nesting follows Telegram's rules: nothing inside code and pre, no link in a link,
    no blockquote in a blockquote.
    """
    markup: list[str] = []
    deepest = 0
    for _ in range(draw(st.integers(1, 4))):
        kinds = ["text", "inline", "spoiler", "code", "emoji"]
        kinds += [] if "a" in inside else ["link"]
        kinds += [] if "blockquote" in inside else ["blockquote"]
        kind = draw(st.sampled_from(kinds if depth else ["text"]))
        name = kind
        if kind == "text":
            markup.append(draw(texts))
            continue
        if kind == "emoji":
            markup.append("".join(EMOJI))
            deepest = max(deepest, len(EMOJI[0]) + len(EMOJI[2]))
            continue
        if kind == "code":
            opening, closing = draw(
                st.sampled_from(
                    [
                        ("<code>", "</code>"),
                        ("<pre>", "</pre>"),
                        ('<pre><code class="language-python">', "</code></pre>"),
                    ]
                )
            )
            markup.append(opening + draw(texts) + closing)
            deepest = max(deepest, len(opening) + len(closing))
            continue
        if kind == "inline":
            name = draw(st.sampled_from(INLINE))
            opening, closing = f"<{name}>", f"</{name}>"
        elif kind == "spoiler":
            opening, closing = '<span class="tg-spoiler">', "</span>"
        elif kind == "link":
            name = "a"
            opening, closing = f'<a href="https://example.org/{draw(paths)}?a=1&amp;b=2">', "</a>"
        else:
            opening = draw(st.sampled_from(["<blockquote>", "<blockquote expandable>"]))
            closing = "</blockquote>"
        inner, inner_deepest = draw(fragments(depth - 1, inside | {name}))
        markup.append(opening + inner + closing)
        deepest = max(deepest, len(opening) + len(closing) + inner_deepest)
    return "".join(markup), deepest


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, int]:
    """A text and a limit; markup counts nothing, 2 leaves room for any character."""
    text, _ = draw(fragments(3, frozenset()))
    return text, draw(st.integers(2, 300))


def _styles(parsed: ParsedText) -> list[frozenset[tuple[str, str]]]:
    """The formatting of each character of ``parsed.plain`` (type and URL, language ...)."""
    char_at_unit = [
        index for index, char in enumerate(parsed.plain) for _ in range(utf16_len(char))
    ]
    styles: list[set[tuple[str, str]]] = [set() for _ in parsed.plain]
    for entity in parsed.entities:
        detail = str(entity.get("url") or entity.get("language") or entity.get("custom_emoji_id"))
        for unit in range(entity["offset"], entity["offset"] + entity["length"]):
            styles[char_at_unit[unit]].add((entity["type"], detail))
    return [frozenset(style) for style in styles]


# the start or the end of an entity left at the edge of a part: "&lt" | ";"
BROKEN_ENTITY = re.compile(r"&[#\w]*$|^[#\w]*;")


def _plain_words(parts: list[str]) -> list[str]:
    return " ".join(parse_html(part).plain for part in parts).split()


# The autouse ``workdir`` fixture of tests/bot only changes the directory; sharing it
# between examples is harmless.
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases())
def test_every_part_is_valid_telegram_html_and_nothing_is_lost(case: tuple[str, int]) -> None:
    check_split(case)


@pytest.mark.slow
@settings(
    deadline=None, max_examples=5000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cases())
def test_many_more_generated_texts(case: tuple[str, int]) -> None:
    check_split(case)


# Texts as the bot writes them: escaped data, emoji, bold, lines.
PIECES = ["&amp;", "&lt;", "&gt;", "😀", "Wort", "Straße", " ", "\n", "\n\n"]
PIECES += ["<b>Fett &amp; klar</b>", "<b>😀 &lt;3</b>", "<b>" + "lang " * 30 + "</b>"]
bot_texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=400).map("".join)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bot_texts, st.integers(2, 400))
def test_texts_full_of_entities_and_emoji(text: str, limit: int) -> None:
    check_split((text, limit))


def check_split(case: tuple[str, int]) -> None:
    """Each part fits, parses as Telegram parses it, and the parts say all the text said."""
    text, limit = case
    whole = parse_html(text)  # the generator makes valid markup
    parts = split_text(text, limit)
    if utf16_len(whole.plain) <= limit:  # Telegram's count: after parsing, in UTF-16
        assert parts == [text]
    parsed: list[ParsedText] = []
    for part in parts:
        assert not BROKEN_ENTITY.search(part), "an entity cut"
        parsed.append(parse_html(part))  # raises HtmlParseError like Telegram would
        assert utf16_len(parsed[-1].plain) <= limit, "too long for Telegram"
        assert parsed[-1].plain.strip() or parts == [text], "a blank message"
    # The parts' texts are the whole text, apart from whitespace where it was cut ...
    pattern = r"\s*" + r"\s*".join(f"({re.escape(p.plain.strip())})" for p in parsed) + r"\s*"
    match = re.fullmatch(pattern, whole.plain)
    assert match is not None, "text lost or changed"
    # ... and every character keeps its formatting.
    styles = _styles(whole)
    for number, piece in enumerate(parsed, start=1):
        lead = len(piece.plain) - len(piece.plain.lstrip())
        start = match.start(number)
        part_styles = _styles(piece)[lead : lead + match.end(number) - start]
        assert part_styles == styles[start : match.end(number)], "formatting changed"


# --- joining blocks into messages ----------------------------------------------------------


def test_blocks_are_joined_and_kept_whole() -> None:
    blocks = [f"<b>Block {n}</b>\n" + "\n".join(["Zeile " + "x" * 40] * 5) for n in range(20)]
    messages = join_blocks(blocks, limit=1000)
    assert all(visible_len(message) <= 1000 for message in messages)
    assert len(messages) == 5  # four blocks of about 245 characters (as shown) to a message
    for message in messages:
        assert message.startswith("<b>Block ")
    assert "\n\n".join(messages) == "\n\n".join(blocks)  # nothing lost or changed
    assert join_blocks(["eins", "", "  ", "zwei"]) == ["eins\n\nzwei"]
    assert join_blocks([]) == []


def test_a_block_longer_than_a_message_is_split_at_its_lines() -> None:
    big = "<b>Groß</b>\n" + "\n".join(f"Zeile {n} " + "y" * 80 for n in range(30))
    messages = join_blocks(["klein", big, "danach"], limit=1000)
    assert all(visible_len(message) <= 1000 for message in messages)
    assert messages[0].startswith("klein\n\n<b>Groß</b>")
    assert messages[-1].endswith("danach")
    assert sum(message.count(" yyyy") for message in messages) == 30  # no line cut
