"""Files sent as evidence: what a received file is, keeping a copy, and sending it again.

The reporting dialogue (:mod:`conversations.reporting`) decides where a file counts and
stores its row through :mod:`storage.evidence`; this module knows Telegram's side of it.
A copy is downloaded into ``DATA_DIR`` after the row is committed (so that no transaction
waits for Telegram), and coordinators can have any evidence sent again from ``/status``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from telegram import Message
from telegram.constants import FileSizeLimit
from telegram.error import TelegramError

from bot.render import texts
from conversations.access import Audience
from conversations.framework import Attachment, Reply, Request, Router, Services, TelegramBot
from conversations.payloads import EvidenceFile
from storage.evidence import (
    MissingCopy,
    evidence_file_name,
    evidence_item,
    missing_copies,
    note_failed_copy,
    set_stored_path,
)
from storage.models import Evidence, EvidenceKind

log = logging.getLogger(__name__)
router = Router()

# Telegram gives bots files up to 20 MB (getFile); a bigger one cannot be kept.
DOWNLOAD_LIMIT = int(FileSizeLimit.FILESIZE_DOWNLOAD)

# Documents taken as evidence: PDF, office files (Microsoft and OpenDocument), pictures
# and plain text. Judged by the name's ending, since phones often send no or a generic
# MIME type.
DOCUMENT_ENDINGS = frozenset(
    {
        ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp",
        ".rtf", ".txt", ".csv", ".jpg", ".jpeg", ".png", ".heic", ".webp", ".tif", ".tiff",
    }
)  # fmt: skip
DOCUMENT_TYPES = ("application/pdf", "image/")


@dataclass(frozen=True)
class Received:
    """A file in a message, as Telegram describes it."""

    kind: EvidenceKind
    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    file_size: int | None
    caption: str | None


def describe_file(message: Message) -> Received | None:
    """The photo, document or voice note in ``message``; None for other documents."""
    caption = message.caption
    if message.photo:
        largest = message.photo[-1]  # Telegram lists the sizes smallest first
        return Received(
            EvidenceKind.PHOTO, largest.file_id, largest.file_unique_id, None, "image/jpeg",
            largest.file_size, caption,
        )  # fmt: skip
    if message.voice is not None:
        voice = message.voice
        return Received(
            EvidenceKind.VOICE, voice.file_id, voice.file_unique_id, None, voice.mime_type,
            voice.file_size, caption,
        )  # fmt: skip
    document = message.document
    if document is None or not _document_taken(document.file_name, document.mime_type):
        return None
    return Received(
        EvidenceKind.DOCUMENT, document.file_id, document.file_unique_id, document.file_name,
        document.mime_type, document.file_size, caption,
    )  # fmt: skip


def _document_taken(name: str | None, mime_type: str | None) -> bool:
    ending = PurePosixPath(name or "").suffix.lower()
    return ending in DOCUMENT_ENDINGS or (mime_type or "").startswith(DOCUMENT_TYPES)


def keep_file(request: Request, evidence: Evidence, round_opens_on: date, code: str) -> None:
    """Download a copy into DATA_DIR once the evidence row is committed (if copies are on).

    A failed download is logged and counted; the schedule tries again
    (:func:`copy_missing`). Meanwhile the file can be sent by its Telegram id.
    """
    directory = request.services.settings.data_dir
    if directory is None:
        return
    missing = MissingCopy(
        evidence.id,
        evidence.file_id,
        evidence_file_name(
            evidence_id=evidence.id, round_opens_on=round_opens_on, measure_code=code,
            kind=evidence.kind, file_name=evidence.file_name, mime_type=evidence.mime_type,
        ),
    )  # fmt: skip
    bot, services = request.context.bot, request.services

    async def download() -> None:
        await fetch_copy(bot, services, directory, missing)

    request.after_commit.append(download)


async def fetch_copy(
    bot: TelegramBot, svc: Services, directory: Path, missing: MissingCopy
) -> bool:
    """Download one evidence file to ``directory / missing.path``; whether it worked.

    The file is written under a temporary name and renamed, so a copy that is there is
    whole; the row learns its path only after that.
    """
    target = directory / missing.path
    partial = target.with_name(target.name + ".teil")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        telegram_file = await bot.get_file(missing.file_id)
        await telegram_file.download_to_drive(partial)
        partial.replace(target)
    except (TelegramError, OSError) as error:
        log.warning("Beleg %s nicht heruntergeladen: %s", missing.evidence_id, error)
        async with svc.sessions() as session, session.begin():
            await note_failed_copy(session, missing.evidence_id)
        return False
    async with svc.sessions() as session, session.begin():
        await set_stored_path(session, missing.evidence_id, missing.path)
    return True


async def copy_missing(bot: TelegramBot, svc: Services, now: datetime) -> int:
    """A step of the schedule: fetch copies a failed or interrupted download left out."""
    directory = svc.settings.data_dir
    if directory is None:
        return 0
    async with svc.sessions() as session:
        missing = await missing_copies(session, DOWNLOAD_LIMIT)
    fetched = 0
    for copy in missing:
        fetched += await fetch_copy(bot, svc, directory, copy)
    return fetched


def _read_copy(path: Path) -> bytes | None:
    """The kept copy (up to 20 MB, read off the event loop); None if it is gone."""
    try:
        return path.read_bytes()
    except OSError as error:
        log.warning("Kopie %s nicht lesbar: %s", path, error)
        return None


@router.button(EvidenceFile, Audience.COORDINATOR, in_group=True)
async def send_again(request: Request, data: EvidenceFile) -> Reply:
    """A coordinator asked for an evidence file: the kept copy, else Telegram's by its id.

    The copy comes first because it works whatever happened in Telegram since (a new bot
    token, a file Telegram no longer has); it costs an upload of at most 20 MB.
    """
    found = await evidence_item(request.session, data.evidence_id)
    if found is None:
        return Reply(texts.STALE_BUTTON)
    evidence, item = found
    caption = texts.fill(
        texts.EVIDENCE_CAPTION,
        code=item.measure_code,
        office=item.office,
        author=item.author or texts.REMOVED_PERSON,
    )
    photo, voice = evidence.kind is EvidenceKind.PHOTO, evidence.kind is EvidenceKind.VOICE
    name = evidence.file_name or f"beleg-{evidence.id}"
    directory = request.services.settings.data_dir
    if evidence.stored_path and directory is not None:
        content = await asyncio.to_thread(_read_copy, directory / evidence.stored_path)
        if content is not None:
            return Reply(caption, attachment=Attachment(content, name, photo=photo, voice=voice))
    attachment = Attachment(filename=name, photo=photo, voice=voice, file_id=evidence.file_id)
    return Reply(caption, attachment=attachment)
