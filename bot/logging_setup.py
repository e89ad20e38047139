"""Readable log lines, and secrets removed from every record before any handler sees it.

httpx logs each request URL at INFO, and a Bot API URL contains the bot token; at DEBUG,
python-telegram-bot logs whole updates and request parameters, which carry invitation
tokens (``/start <token>`` typed or opened from a link, ``t.me/...?start=<token>`` in the
message with a new link). Rather than hoping every logger is configured right, the record
factory itself redacts from the message, its arguments and any traceback: the registered
secrets (the bot token) and anything shaped like an invitation token. So no handler (file,
console, pytest's capture) can ever receive them, whichever logger made the record.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
REDACTED = "[REDACTED]"
INVITATION = "[Einladung]"

# The parameter of /start (what an invitation link puts there) and of a link's start=,
# also as JSON ("\/start") or URL-encoded ("%2Fstart+", "start%3D") text. A token is made of
# the URL-safe alphabet; anything of that alphabet in these places is treated as one.
INVITATION_TOKEN = re.compile(
    r"(?P<before>"
    r"(?:\\?/|%2F)start(?:@\w+)?(?:\s|\\[nrt]|\+|%20|%0A)+"  # /start@bot <token>
    r"|(?:(?<![A-Za-z0-9_%])|(?<=%3F)|(?<=%26))start(?:=|%3D)"  # ?start= (not restart=)
    r")"
    r"[A-Za-z0-9_-]+",
    re.IGNORECASE,
)

_secrets: set[str] = set()
_base_factory = logging.getLogRecordFactory()


def redact(text: str) -> str:
    """``text`` without registered secrets and invitation tokens."""
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return INVITATION_TOKEN.sub(rf"\g<before>{INVITATION}", text)


def _redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep the record as it is
        return record
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install_redaction() -> None:
    """Redact secrets and invitation tokens from every log record from now on (idempotent)."""
    if logging.getLogRecordFactory() is not _redacting_factory:
        logging.setLogRecordFactory(_redacting_factory)


def protect_secrets(secrets: Iterable[str]) -> None:
    """Redact these strings (e.g. the bot token) from every log record from now on."""
    _secrets.update(s for s in secrets if s)
    install_redaction()


def configure_logging(level: str = "INFO") -> None:
    install_redaction()
    logging.basicConfig(level=level, format=LOG_FORMAT)
    if level != "DEBUG":
        # One line per Bot API request is noise; warnings and errors still come through.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
