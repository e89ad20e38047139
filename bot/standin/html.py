"""Telegram-flavoured HTML: validation, plain text and message entities.

Telegram's ``parse_mode=HTML`` accepts only a handful of tags, requires them to be
properly nested and closed and rejects unknown tags with
``Bad Request: can't parse entities: ...``. This module reproduces that behaviour
closely enough for tests: :func:`parse_html` either returns the text a person would
see (tags stripped, entities decoded) together with Bot-API ``MessageEntity`` dicts
(offsets in UTF-16 code units, as Telegram uses them) or raises :class:`HtmlParseError`.

By default the parser is *stricter* than Telegram about bare ``&`` and ``>``: Telegram
tolerates them, but a bot that forgets to escape user input will sooner or later send a
bare ``<`` and fail in production, so tests should catch the missing escaping early.
Pass ``strict=False`` to accept them the way Telegram does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SUPPORTED_TAGS",
    "HtmlParseError",
    "ParsedText",
    "parse_html",
    "strip_markdown_v2",
    "unescape",
    "utf16_len",
]

# tag name -> entity type
_TAG_ENTITY: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
SUPPORTED_TAGS = frozenset(_TAG_ENTITY)

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_TAG_NAME_RE = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[A-Za-z0-9_-]*")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(err)`` is Telegram-like."""


@dataclass
class ParsedText:
    """Result of parsing a message text."""

    plain: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    start_utf16: int
    attrs: dict[str, str]
    language: str | None = None


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML entity starting at ``text[pos] == '&'``; return (char, new_pos)."""
    match = _ENTITY_RE.match(text, pos)
    if match is None:
        return None
    decimal, hexadecimal, named = match.groups()
    if named is not None:
        return _NAMED_ENTITIES[named], match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def unescape(text: str) -> str:
    """Decode the entities Telegram understands, leaving anything else as it is."""
    out: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos] == "&":
            decoded = _decode_entity(text, pos)
            if decoded is not None:
                out.append(decoded[0])
                pos = decoded[1]
                continue
        out.append(text[pos])
        pos += 1
    return "".join(out)


def _parse_attributes(text: str, pos: int, tag: str, tag_start: int) -> tuple[dict[str, str], int]:
    """Parse attributes after the tag name; return them and the index after ``>``."""
    attrs: dict[str, str] = {}
    length = len(text)
    while True:
        while pos < length and text[pos].isspace():
            pos += 1
        if pos >= length:
            raise HtmlParseError(
                f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}"
            )
        if text[pos] == ">":
            return attrs, pos + 1
        name_match = _ATTR_NAME_RE.match(text, pos)
        assert name_match is not None
        name = name_match.group(0).lower()
        if not name:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{_byte_offset(text, tag_start)}"
            )
        pos = name_match.end()
        while pos < length and text[pos].isspace():
            pos += 1
        value = ""
        if pos < length and text[pos] == "=":
            pos += 1
            while pos < length and text[pos].isspace():
                pos += 1
            if pos >= length:
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}"
                )
            quote = text[pos]
            if quote in "\"'":
                end = text.find(quote, pos + 1)
                if end < 0:
                    raise HtmlParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}"
                    )
                value = unescape(text[pos + 1 : end])
                pos = end + 1
            else:
                end = pos
                while end < length and not text[end].isspace() and text[end] != ">":
                    end += 1
                value = unescape(text[pos:end])
                pos = end
        attrs[name] = value


def parse_html(text: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML. Raises :class:`HtmlParseError` like Telegram would.

    With ``strict=True`` (default) a bare ``&`` that starts no entity and a bare ``>``
    are rejected as well (Telegram itself tolerates those two).
    """
    out: list[str] = []
    utf16_pos = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    length = len(text)

    def emit(chunk: str) -> None:
        nonlocal utf16_pos
        out.append(chunk)
        utf16_pos += utf16_len(chunk)

    while pos < length:
        char = text[pos]
        if char == "&":
            decoded = _decode_entity(text, pos)
            if decoded is None:
                if strict:
                    raise HtmlParseError(
                        f'Unescaped "&" at byte offset {_byte_offset(text, pos)}; use &amp; instead'
                    )
                emit("&")
                pos += 1
            else:
                emit(decoded[0])
                pos = decoded[1]
            continue
        if char == ">":
            if strict:
                raise HtmlParseError(
                    f'Unescaped ">" at byte offset {_byte_offset(text, pos)}; use &gt; instead'
                )
            emit(">")
            pos += 1
            continue
        if char != "<":
            start = pos
            while pos < length and text[pos] not in "<>&":
                pos += 1
            emit(text[start:pos])
            continue

        tag_start = pos
        if pos + 1 < length and text[pos + 1] == "/":
            name_match = _TAG_NAME_RE.match(text, pos + 2)
            assert name_match is not None
            name = name_match.group(0).lower()
            pos = name_match.end()
            while pos < length and text[pos].isspace():
                pos += 1
            if pos >= length or text[pos] != ">":
                raise HtmlParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(text, tag_start)}"
                )
            pos += 1
            if not stack:
                raise HtmlParseError(
                    f'Unexpected end tag "</{name}>" at byte offset {_byte_offset(text, tag_start)}'
                )
            top = stack[-1]
            if top.name != name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, tag_start)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            stack.pop()
            _close_tag(top, utf16_pos, stack, entities)
            continue

        name_match = _TAG_NAME_RE.match(text, pos + 1)
        assert name_match is not None
        name = name_match.group(0).lower()
        if name not in SUPPORTED_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, tag_start)}'
            )
        attrs, pos = _parse_attributes(text, name_match.end(), name, tag_start)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, tag_start)}"
            )
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise HtmlParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{_byte_offset(text, tag_start)}"
            )
        stack.append(_OpenTag(name=name, start_utf16=utf16_pos, attrs=attrs))

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return ParsedText(plain="".join(out), entities=entities)


def _close_tag(
    tag: _OpenTag, end_utf16: int, stack: list[_OpenTag], entities: list[dict[str, Any]]
) -> None:
    length = end_utf16 - tag.start_utf16
    css_class = tag.attrs.get("class", "")
    if tag.name == "code" and css_class.startswith("language-") and stack:
        parent = stack[-1]
        if parent.name == "pre" and parent.start_utf16 == tag.start_utf16:
            parent.language = css_class.removeprefix("language-")
            return
    if length <= 0:
        return
    entity: dict[str, Any] = {
        "type": _TAG_ENTITY[tag.name],
        "offset": tag.start_utf16,
        "length": length,
    }
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return
        entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    entities.append(entity)


def strip_markdown_v2(text: str) -> str:
    """Very rough plain text for MarkdownV2: drops backslash escapes only."""
    return re.sub(r"\\(.)", r"\1", text)
