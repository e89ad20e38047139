"""Readable log lines, and secrets removed from every record before any handler sees it.

httpx logs each request URL at INFO, and a Bot API URL contains the token. Rather than
hoping every logger is configured right, the record factory itself redacts registered
secrets from the message, its arguments and any traceback, so no handler (file, console,
pytest's capture) can ever receive them.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
REDACTED = "[REDACTED]"

_secrets: set[str] = set()
_base_factory = logging.getLogRecordFactory()


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def _redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if not _secrets:
        return record
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


def protect_secrets(secrets: Iterable[str]) -> None:
    """Redact these strings (e.g. the bot token) from every log record from now on."""
    _secrets.update(s for s in secrets if s)
    logging.setLogRecordFactory(_redacting_factory)


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT)
    if level != "DEBUG":
        # One line per Bot API request is noise; warnings and errors still come through.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
