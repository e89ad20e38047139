"""The texts as a whole: placeholders filled safely, and phrases that read badly kept out."""

from __future__ import annotations

import pytest

from bot.render import texts

ALL = {
    name: value for name, value in vars(texts).items() if name.isupper() and isinstance(value, str)
}


def test_fill_escapes_every_value() -> None:
    assert texts.fill(texts.ROSTER_PERSON, name="<b>A & B</b>") == "• &lt;b&gt;A &amp; B&lt;/b&gt;"


@pytest.mark.parametrize("phrase", ["Bitte bitten", " · für ", "Sie Sie"])
def test_no_clumsy_phrases(phrase: str) -> None:
    assert [name for name, text in ALL.items() if phrase in text] == []


def test_formal_address_only() -> None:
    """Lower-case "ihr", "du" and the like address people informally ("Ihr" is formal)."""
    informal = (" du ", " dich ", " dir ", " dein", " euch ", " ihr ")
    assert [n for n, t in ALL.items() if any(w in f" {t} " for w in informal)] == []
