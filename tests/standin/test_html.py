"""Telegram-HTML validation of the stand-in, without HTTP."""

from __future__ import annotations

import pytest

from bot.standin.html import HtmlParseError, parse_html, utf16_len


def test_plain_text_and_entities() -> None:
    parsed = parse_html('<b>Fett</b> und <a href="https://mainz.de/?a=1&amp;b=2">Link</a>')
    assert parsed.plain == "Fett und Link"
    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "text_link", "offset": 9, "length": 4, "url": "https://mainz.de/?a=1&b=2"},
    ]


def test_nested_tags_and_escapes() -> None:
    parsed = parse_html("<b>a <i>&lt;b&gt;</i></b> &amp; &quot;x&quot; &#228;&#x1F600;")
    assert parsed.plain == 'a <b> & "x" ä😀'
    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 5},
        {"type": "italic", "offset": 2, "length": 3},
    ]


def test_offsets_are_utf16_code_units() -> None:
    parsed = parse_html("😀 <u>ä</u>")
    assert utf16_len("😀 ") == 3
    assert parsed.entities == [{"type": "underline", "offset": 3, "length": 1}]


def test_all_supported_tags_are_accepted() -> None:
    text = (
        "<b>1</b><strong>2</strong><i>3</i><em>4</em><u>5</u><ins>6</ins><s>7</s>"
        "<strike>8</strike><del>9</del><tg-spoiler>a</tg-spoiler>"
        '<span class="tg-spoiler">b</span><code>c</code>'
        '<pre><code class="language-python">d</code></pre><blockquote>e</blockquote>'
        '<blockquote expandable>f</blockquote><tg-emoji emoji-id="5368324170671202286">g</tg-emoji>'
    )
    parsed = parse_html(text)
    assert parsed.plain == "123456789abcdefg"
    types = [entity["type"] for entity in parsed.entities]
    assert types == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    ]
    pre = parsed.entities[12]
    assert pre == {"type": "pre", "offset": 12, "length": 1, "language": "python"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("ä <div>", 'Unsupported start tag "div" at byte offset 3'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>offen", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", 'Unexpected end tag "</b>"'),
        ("<b", "Unclosed start tag"),
        ('<a href="x>y', "Unclosed start tag"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<tg-emoji>x</tg-emoji>", 'Tag "tg-emoji" must have attribute "emoji-id"'),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4'),
        ("a > b", 'Unescaped ">" at byte offset 2'),
    ],
)
def test_invalid_html_is_rejected(text: str, message: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(text)
    assert message in str(caught.value)


def test_lenient_mode_accepts_bare_ampersand_and_gt_like_telegram() -> None:
    parsed = parse_html("Tom & Jerry > <b>Rest</b> &unknown;", strict=False)
    assert parsed.plain == "Tom & Jerry > Rest &unknown;"
    with pytest.raises(HtmlParseError):
        parse_html("1 < 2", strict=False)


def test_empty_entities_are_dropped() -> None:
    assert parse_html("<b></b>x").entities == []
