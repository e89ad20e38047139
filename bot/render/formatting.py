"""Pure helpers for text: labels for people, escaping and splitting below the message limit."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date, datetime
from html import escape, unescape
from itertools import accumulate
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from bot.render import texts
from storage.models import Obstacle

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


def author_text(name: str | None, office: str, on_behalf: bool, former: str) -> str:
    """Who sent a version (raw): their name (``former`` once their account is gone), or
    'erfasst von NAME für AMT' where a coordinator entered it for an office."""
    who = name or former
    return texts.ENTERED_FOR.format(name=who, office=office) if on_behalf else who


def obstacles_text(obstacles: Collection[Obstacle], note: str | None = None) -> str:
    """The obstacles named, for people: 'Personal, Finanzierung'; '' when none.

    In the order of :class:`~storage.models.Obstacle`, "Sonstiges" last. The few words
    typed for it (``note``) follow its label, on one line: 'Personal, Sonstiges: Raum
    fehlt'; they are shown even where "Sonstiges" itself is not among ``obstacles``, so
    that nothing typed is lost. Plain text: escape it (``texts.fill``) for a message.
    """
    labels = [
        texts.OBSTACLE_LABELS[obstacle.value]
        for obstacle in Obstacle
        if obstacle in obstacles and obstacle is not Obstacle.OTHER
    ]
    words = " ".join(note.split()) if note else ""
    other = texts.OBSTACLE_LABELS[Obstacle.OTHER.value]
    if words:
        labels.append(texts.OBSTACLE_WITH_NOTE.format(label=other, note=words))
    elif Obstacle.OTHER in obstacles:
        labels.append(other)
    return texts.OBSTACLE_SEPARATOR.join(labels)


# Splitting Telegram HTML ------------------------------------------------------------------
#
# Written by hand on purpose: no library splits *Telegram HTML markup* so that every part
# is valid on its own. HTML parsers (html.parser, lxml, BeautifulSoup) parse but neither
# cut nor re-open elements, and know nothing of Telegram's UTF-16 length; the splitters
# that exist for Telegram (e.g. Telethon's ``utils.split_text``) work on plain text plus
# MessageEntity objects, not on the HTML this bot sends with ``parse_mode=HTML``. The
# subset Telegram accepts is tiny (a dozen tags, no void elements, no comments, four
# named entities plus numeric ones), so a regex tokenizer is all it takes.
#
# Telegram's limit of 4,096 applies to the text *after* parsing: tags count nothing, an
# entity counts as the character it stands for, and lengths are UTF-16 code units.

# Tags Telegram understands; other tag-like text is kept whole but does not nest.
_TELEGRAM_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
        "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
    }
)  # fmt: skip
_TOKEN_RE = re.compile(
    # a tag; attribute values may be quoted (and then contain anything but the quote)
    r"""<(?P<slash>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:[^<>"']|"[^"]*"|'[^']*')*>"""
    # an entity: &amp; &lt; &#123; &#x1F600; ...
    r"|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);"
    # a surrogate pair spelt as two code points (only in odd strings; never cut it)
    r"|[\ud800-\udbff][\udc00-\udfff]"
)


_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}  # all Telegram knows


def utf16_len(text: str) -> int:
    """Telegram's length of ``text``: UTF-16 code units, a character beyond the BMP is 2."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def visible_len(text: str) -> int:
    """The length Telegram limits: of the text Telegram HTML shows, in UTF-16 code units."""
    return sum(token.size for token in _tokenize(text))


def _shown(entity: str) -> str:
    """The character an entity stands for; one Telegram does not know stays as written."""
    name = entity[1:-1]
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name]
    if name.startswith("#"):
        digits = name[1:]
        hexadecimal = digits[:1] in ("x", "X")
        code = int(digits[1:], 16) if hexadecimal else int(digits)
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code)
    return entity


class _Token(NamedTuple):
    """An indivisible piece of markup: a tag, an entity or one character."""

    kind: Literal["open", "close", "text"]
    markup: str
    name: str = ""  # lower-case tag name of an open or close tag
    size: int = 1  # what it adds to the text Telegram shows, in UTF-16 code units


_Stack = tuple[_Token, ...]  # the elements open at a point of the text, outermost first


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        tokens.extend(
            _Token("text", char, size=utf16_len(char)) for char in text[pos : match.start()]
        )
        markup, name = match.group(0), (match.group("name") or "").lower()
        if name in _TELEGRAM_TAGS:
            kind: Literal["open", "close"] = "close" if match.group("slash") else "open"
            tokens.append(_Token(kind, markup, name, size=0))
        elif markup.startswith("&"):
            tokens.append(_Token("text", markup, size=utf16_len(_shown(markup))))
        else:
            tokens.append(_Token("text", markup, size=utf16_len(markup)))
        pos = match.end()
    tokens.extend(_Token("text", char, size=utf16_len(char)) for char in text[pos:])
    return tokens


def _stacks(tokens: Sequence[_Token]) -> list[_Stack]:
    """The open elements before each token and after the last (``len(tokens) + 1``)."""
    stack: _Stack = ()
    stacks = [stack]
    for token in tokens:
        if token.kind == "open":
            stack = (*stack, token)
        elif token.kind == "close":
            names = [element.name for element in stack]
            if token.name in names:  # always the innermost one in well-formed markup
                stack = stack[: len(names) - 1 - names[::-1].index(token.name)]
        stacks.append(stack)
    return stacks


def _closing(element: _Token) -> _Token:
    return _Token("close", f"</{element.name}>", element.name, size=0)


def _assemble(reopened: _Stack, body: Sequence[_Token], still_open: _Stack) -> str | None:
    """One part: re-opened elements, the body, closed elements; None if nothing shows."""
    tokens: list[_Token] = []
    for token in (*reopened, *body, *(_closing(element) for element in reversed(still_open))):
        opened = tokens[-1] if tokens else None
        if token.kind == "close" and opened and opened.kind == "open" and opened.name == token.name:
            tokens.pop()  # drop an element left empty by the cut, like <b></b>
        else:
            tokens.append(token)
    if not any(token.kind == "text" and unescape(token.markup).strip() for token in tokens):
        return None  # Telegram rejects an empty message
    return "".join(token.markup for token in tokens)


def _last(tokens: Sequence[_Token], char: str, start: int, end: int) -> int | None:
    """The last index in ``start+1 .. end`` holding the character ``char``."""
    for index in range(end, start, -1):
        if tokens[index].kind == "text" and tokens[index].markup == char:
            return index
    return None


def _is_space(token: _Token) -> bool:
    return token.kind == "text" and token.markup.isspace()


def _cut(tokens: Sequence[_Token], offsets: Sequence[int], start: int, end: int, limit: int) -> int:
    """Where to end a part that begins at ``start`` and could take ``tokens[start:end]``.

    At the last newline, else at the last space, else at ``end``. A newline is passed over
    for a space after it when the part would be a stray short one while the line after
    the newline is too long for any message: that line is cut anyway, so it may as well
    begin in this part.
    """
    newline = _last(tokens, "\n", start, end)
    space = _last(tokens, " ", start if newline is None else newline, end)
    if newline is None:
        return space if space is not None else end
    stray = offsets[newline] - offsets[start] < limit // 2
    if stray and space is not None:
        line_end = next(
            (i for i in range(newline + 1, len(tokens)) if tokens[i].markup == "\n"), len(tokens)
        )
        if offsets[line_end] - offsets[newline + 1] > limit:
            return space
    return newline


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split Telegram HTML into messages of at most ``limit``, each valid on its own.

    A text that fits is returned unchanged (even a blank one). Otherwise each part takes
    as much as fits and is cut at its last newline, else at its last space, else between
    any two characters, never inside a tag, an entity or a character (the whitespace at
    a cut is dropped). So lines are kept whole where they fit, and only a line longer
    than the limit is cut; such a line begins right after a short line rather than
    leaving that line alone in a message. Elements open at a cut are closed at the end of
    the part and opened again, with the same tag and attributes, at the start of the next.

    Lengths are measured as Telegram measures its limit (:func:`visible_len`): the text
    shown, without tags, an entity as its character, in UTF-16 code units. Parts that
    would show nothing but whitespace are left out.

    The input is expected to be well-formed (the bot escapes ``<``, ``>`` and ``&`` in
    data). Stray markup such as a bare ``a < b``, an unknown tag or an unmatched end tag
    is passed through as text, not repaired (Telegram would reject it anyway). A
    ``limit`` too small for a single character raises ``ValueError``.
    """
    tokens = _tokenize(text)
    offsets = list(accumulate((token.size for token in tokens), initial=0))
    if offsets[-1] <= limit:
        return [text]
    stacks = _stacks(tokens)
    parts: list[str] = []
    start = 0
    while start < len(tokens):
        end = start
        while end < len(tokens) and offsets[end + 1] - offsets[start] <= limit:
            end += 1
        if end == start:
            raise ValueError(f"limit {limit} leaves no room for the character at {start}")
        resume = end
        if end < len(tokens):
            end = resume = _cut(tokens, offsets, start, end, limit)
            if tokens[resume].markup == "\n":
                resume += 1  # the next line begins as it is, indented or not
            else:
                while resume < len(tokens) and tokens[resume].markup == " ":
                    resume += 1
            while end > start and _is_space(tokens[end - 1]):
                end -= 1
        part = _assemble(stacks[start], tokens[start:end], stacks[end])
        if part is not None:
            parts.append(part)
        start = resume
    return parts


def join_blocks(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks of Telegram HTML (each valid on its own) as few messages of at most ``limit``
    (measured as Telegram does, :func:`visible_len`).

    Blocks are joined by an empty line and each is kept whole in one message where it
    fits, so a reader never finds, say, a round of a history begun in one message and
    ended in the next; only a block longer than a message is split, at its lines
    (:func:`split_text`). Blank blocks are left out.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        if not block.strip():
            continue
        for piece in split_text(block, limit):
            joined = f"{current}\n\n{piece}" if current else piece
            if visible_len(joined) <= limit:
                current = joined
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages
