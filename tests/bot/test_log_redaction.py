"""Invitation tokens are redacted from every log record, whichever logger writes it."""

from __future__ import annotations

import logging

import pytest

from bot.logging_setup import install_redaction, redact

# Shaped like secrets.token_urlsafe(24), but fixed: the test ids must be the same in every
# process of a parallel run.
TOKEN = "Qx7dP0-zT9_fLmN3bVc2hJk8sAe4rWyU"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/start {TOKEN}", "/start [Einladung]"),
        (f"'text': '/start {TOKEN}', 'entities'", "'text': '/start [Einladung]', 'entities'"),
        (f'"text": "/start@mainz_bot  {TOKEN}"', '"text": "/start@mainz_bot  [Einladung]"'),
        (f'"text": "\\/start {TOKEN}"', '"text": "\\/start [Einladung]"'),  # JSON may escape /
        (f"https://t.me/mainz_bot?start={TOKEN}", "https://t.me/mainz_bot?start=[Einladung]"),
        (f"href=&quot;https://t.me/b?start={TOKEN}&quot;", "href=&quot;https://t.me/b?start=[Einladung]&quot;"),
        (f"text=%2Fstart+{TOKEN}&x=1", "text=%2Fstart+[Einladung]&x=1"),  # a form body
        (f"t.me%2Fb%3Fstart%3D{TOKEN}", "t.me%2Fb%3Fstart%3D[Einladung]"),
        (f"/START {TOKEN}", "/START [Einladung]"),
    ],
)  # fmt: skip
def test_redact_replaces_the_token(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    ["/start", "Bot gestartet: restart=True", "/startseite", "start_date=2026-01-01", "/status V"],
)
def test_redact_leaves_other_text_alone(text: str) -> None:
    assert redact(text) == text


def test_every_logger_and_every_part_of_a_record(caplog: pytest.LogCaptureFixture) -> None:
    install_redaction()
    caplog.set_level(logging.DEBUG)
    some = logging.getLogger("irgendeine.bibliothek")
    some.setLevel(logging.DEBUG)
    some.debug("Update %s", {"message": {"text": f"/start {TOKEN}"}})
    some.info("Link: %s", f"https://t.me/b?start={TOKEN}")
    try:
        raise ValueError(f"kaputt bei /start {TOKEN}")
    except ValueError:
        some.exception("Fehler")
    some.warning("mit Stapel: /start %s", TOKEN, stack_info=True)
    records = [r for r in caplog.records if r.name == "irgendeine.bibliothek"]
    assert len(records) == 4
    for record in records:
        for part in (str(record.msg), record.getMessage(), repr(record.args)):
            assert TOKEN not in part
        assert TOKEN not in (record.exc_text or "")
        assert TOKEN not in (record.stack_info or "")
    assert records[0].getMessage() == "Update {'message': {'text': '/start [Einladung]'}}"
    assert records[1].getMessage() == "Link: https://t.me/b?start=[Einladung]"
    assert "ValueError: kaputt bei /start [Einladung]" in (records[2].exc_text or "")
    assert TOKEN not in caplog.text
