"""Evidence: photos, documents and voice notes sent while reporting on a measure.

A file is stored as an :class:`~storage.models.Evidence` row of the draft it was sent to
(:func:`add_evidence`) and counts, i.e. is shown to the coordination and exported, once
that draft is submitted. Drafts never show up in the read functions here except in
:func:`report_evidence` and, when asked, :func:`evidence_item`.

The downloaded copy lies under DATA_DIR at the path :func:`evidence_file_name` gives; the
original file name comes from the sender and is never trusted as a path.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Contact,
    Evidence,
    EvidenceKind,
    Measure,
    Office,
    Report,
    ReportingRound,
)

__all__ = [
    "COPY_ATTEMPTS",
    "EVIDENCE_DIRECTORY",
    "EvidenceItem",
    "MissingCopy",
    "add_evidence",
    "evidence_by_code_and_office",
    "evidence_by_measure_office",
    "evidence_file_name",
    "evidence_item",
    "missing_copies",
    "note_failed_copy",
    "report_evidence",
    "set_stored_path",
    "submitted_evidence",
]

EVIDENCE_DIRECTORY = "belege"  # under DATA_DIR

# Column widths of the evidence table (longer values are shortened, not refused).
_FILE_NAME_LENGTH = 255
_MIME_TYPE_LENGTH = 100


class EvidenceItem(NamedTuple):
    """One piece of evidence as the views and the export show it."""

    id: int
    kind: EvidenceKind
    file_name: str | None  # as sent; photos and voice notes have none
    mime_type: str | None
    file_size: int | None  # bytes, as Telegram reported it
    office: str  # the office it was reported for
    author: str | None  # who sent it; None once their account was removed
    received_at: datetime  # aware, UTC
    round_opens_on: date
    measure_code: str
    stored_path: str | None  # relative to DATA_DIR; None: not downloaded
    caption: str | None


# --- writing ---------------------------------------------------------------------------------


async def add_evidence(
    session: AsyncSession,
    *,
    report: Report,
    question: str,
    kind: EvidenceKind,
    file_id: str,
    file_unique_id: str,
    file_name: str | None,
    mime_type: str | None,
    file_size: int | None,
    caption: str | None,
    contact_id: int | None,
    received_at: datetime,
) -> Evidence:
    """Keep a file sent to the draft ``report`` (its round, measure and office); flushed.

    Raises ValueError for a submitted report: evidence always goes to a draft.
    """
    if report.submitted_at is not None:
        raise ValueError("evidence is added to drafts only; this report was submitted")
    if report.id is None:
        await session.flush()
    evidence = Evidence(
        report_id=report.id,
        round_id=report.round_id,
        measure_id=report.measure_id,
        office_id=report.office_id,
        question=question,
        kind=kind,
        file_id=file_id,
        file_unique_id=file_unique_id,
        file_name=_shorten(file_name, _FILE_NAME_LENGTH) if file_name is not None else None,
        mime_type=mime_type[:_MIME_TYPE_LENGTH] if mime_type is not None else None,
        file_size=file_size,
        caption=caption,
        contact_id=contact_id,
        received_at=received_at,
    )
    session.add(evidence)
    await session.flush()
    return evidence


async def set_stored_path(session: AsyncSession, evidence_id: int, path: str) -> None:
    """Record where the downloaded copy lies (relative to DATA_DIR).

    Raises LookupError for an unknown id and ValueError for a path that is absolute or
    leaves DATA_DIR.
    """
    parts = PurePosixPath(path).parts
    if not parts or path.startswith(("/", "\\")) or ".." in parts or "\\" in path:
        raise ValueError(f"not a relative path below DATA_DIR: {path!r}")
    evidence = await session.get(Evidence, evidence_id)
    if evidence is None:
        raise LookupError(f"no evidence with id {evidence_id}")
    evidence.stored_path = path
    await session.flush()


# A copy that failed to download is tried again by the schedule, this many times in all.
COPY_ATTEMPTS = 5


class MissingCopy(NamedTuple):
    """Evidence without its downloaded copy: what is needed to fetch it."""

    evidence_id: int
    file_id: str
    path: str  # where the copy goes, relative to DATA_DIR


async def missing_copies(
    session: AsyncSession, download_limit: int, limit: int = 20
) -> list[MissingCopy]:
    """Evidence whose copy is not there yet (a failed or interrupted download), oldest first.

    Files Telegram will not hand out (over ``download_limit``) and files tried
    :data:`COPY_ATTEMPTS` times are left alone; they can still be sent by their id.
    """
    rows = await session.execute(
        select(
            Evidence.id,
            Evidence.file_id,
            ReportingRound.opens_on,
            Measure.code,
            Evidence.kind,
            Evidence.file_name,
            Evidence.mime_type,
        )
        .join(ReportingRound, ReportingRound.id == Evidence.round_id)
        .join(Measure, Measure.id == Evidence.measure_id)
        .where(
            Evidence.stored_path.is_(None),
            Evidence.copy_attempts < COPY_ATTEMPTS,
            (Evidence.file_size.is_(None)) | (Evidence.file_size <= download_limit),
        )
        .order_by(Evidence.id)
        .limit(limit)
    )
    return [
        MissingCopy(
            evidence_id,
            file_id,
            evidence_file_name(
                evidence_id=evidence_id,
                round_opens_on=opens_on,
                measure_code=code,
                kind=kind,
                file_name=file_name,
                mime_type=mime_type,
            ),
        )
        for evidence_id, file_id, opens_on, code, kind, file_name, mime_type in rows
    ]


async def note_failed_copy(session: AsyncSession, evidence_id: int) -> None:
    """One more failed download of this evidence's copy."""
    await session.execute(
        update(Evidence)
        .where(Evidence.id == evidence_id)
        .values(copy_attempts=Evidence.copy_attempts + 1)
    )


# --- reading ---------------------------------------------------------------------------------


# The columns of an EvidenceItem in its order, then the keys of the export's mapping.
_ITEM_COLUMNS: tuple[Any, ...] = (
    Evidence.id,
    Evidence.kind,
    Evidence.file_name,
    Evidence.mime_type,
    Evidence.file_size,
    Office.name,
    Contact.display_name,
    Evidence.received_at,
    ReportingRound.opens_on,
    Measure.code,
    Evidence.stored_path,
    Evidence.caption,
    Evidence.measure_id,
    Evidence.office_id,
)


def _items_query() -> Select[Any]:
    """Evidence with everything an :class:`EvidenceItem` shows, newest first."""
    return (
        select(*_ITEM_COLUMNS)
        .join(Report, Report.id == Evidence.report_id)
        .join(Office, Office.id == Evidence.office_id)
        .join(ReportingRound, ReportingRound.id == Evidence.round_id)
        .join(Measure, Measure.id == Evidence.measure_id)
        .outerjoin(Contact, Contact.id == Evidence.contact_id)
        .order_by(Evidence.received_at.desc(), Evidence.id.desc())
    )


def _submitted_items_query() -> Select[Any]:
    return _items_query().where(Report.submitted_at.is_not(None))


def _item(row: Any) -> EvidenceItem:
    return EvidenceItem(*row[: len(EvidenceItem._fields)])


async def submitted_evidence(session: AsyncSession, measure_id: int) -> list[EvidenceItem]:
    """The evidence of the measure's submitted reports (all rounds and offices), newest first."""
    rows = await session.execute(_submitted_items_query().where(Evidence.measure_id == measure_id))
    return [_item(row) for row in rows]


async def evidence_by_measure_office(
    session: AsyncSession,
) -> dict[tuple[int, int], list[EvidenceItem]]:
    """All evidence of submitted reports by (measure id, office id), each list newest first."""
    found: defaultdict[tuple[int, int], list[EvidenceItem]] = defaultdict(list)
    for row in await session.execute(_submitted_items_query()):
        found[row.measure_id, row.office_id].append(_item(row))
    return dict(found)


async def evidence_by_code_and_office(
    session: AsyncSession,
) -> dict[tuple[str, str], list[EvidenceItem]]:
    """The same by (measure code, office name), as the export's rows name them."""
    return {
        (items[0].measure_code, items[0].office): items
        for items in (await evidence_by_measure_office(session)).values()
    }


async def report_evidence(session: AsyncSession, report_id: int) -> list[EvidenceItem]:
    """The evidence sent to one report, draft or submitted, newest first."""
    rows = await session.execute(_items_query().where(Evidence.report_id == report_id))
    return [_item(row) for row in rows]


async def evidence_item(
    session: AsyncSession, evidence_id: int, *, submitted_only: bool = True
) -> tuple[Evidence, EvidenceItem] | None:
    """The row (for Telegram's file id) and the read model of one piece of evidence.

    None if there is none with that id or, unless ``submitted_only`` is False, if its
    report is still a draft (so a forged button cannot reach a draft's file).
    """
    query = _submitted_items_query() if submitted_only else _items_query()
    row = (await session.execute(query.where(Evidence.id == evidence_id))).first()
    if row is None:
        return None
    evidence = await session.get(Evidence, evidence_id)
    assert evidence is not None
    return evidence, _item(row)


# --- the downloaded copy ---------------------------------------------------------------------

# Extensions by type where the sender gave no usable file name; mimetypes knows the rest
# (from the system's tables, so these are fixed here for the common cases).
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/rtf": ".rtf",
    "application/zip": ".zip",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/heic": ".heic",
    "image/webp": ".webp",
    "audio/ogg": ".ogg",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
}
_KIND_EXTENSIONS = {
    EvidenceKind.PHOTO: ".jpg",  # Telegram recompresses every photo as JPEG
    EvidenceKind.VOICE: ".ogg",  # voice notes are OGG/Opus
    EvidenceKind.DOCUMENT: "",
}
_UNSAFE = re.compile(r"[^\w.\- ]+")  # \w: letters and digits of any script, and "_"
_RUNS = re.compile(r"[_ ]*_[_ ]*")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}")
_NAME_BYTES = 120  # of the sanitised original name; a path component may have 255
_CODE_BYTES = 40


def evidence_file_name(
    *,
    evidence_id: int,
    round_opens_on: date,
    measure_code: str,
    kind: EvidenceKind,
    file_name: str | None,
    mime_type: str | None,
) -> str:
    """Where the downloaded copy goes, relative to DATA_DIR, with "/" between the parts.

    ``belege/2026-12/III.1.1/17-bericht.pdf``: by the month the round opened, the measure
    and the evidence id (which keeps names unique). Of the original name only letters,
    digits, ``.``, ``-``, ``_`` and spaces are kept, in at most 120 bytes, so it can never
    name another directory or a hidden file; without a usable name it is the kind with
    the extension of the type (``17-photo.jpg``).
    """
    extension = _extension(kind, mime_type)
    name = _clean(file_name or "", _NAME_BYTES)
    if not name:
        name = kind.value + extension
    elif extension and not _EXTENSION.fullmatch(PurePosixPath(name).suffix):
        name = _clean(name + extension, _NAME_BYTES)
    code = _clean(measure_code, _CODE_BYTES) or "measure"
    return f"{EVIDENCE_DIRECTORY}/{round_opens_on:%Y-%m}/{code}/{evidence_id}-{name}"


def _extension(kind: EvidenceKind, mime_type: str | None) -> str:
    mime = (mime_type or "").split(";", 1)[0].strip().lower()
    known = _EXTENSIONS.get(mime) or (mimetypes.guess_extension(mime) if mime else None)
    if known and _EXTENSION.fullmatch(known):
        return known
    return _KIND_EXTENSIONS[kind]


def _clean(text: str, limit: int) -> str:
    """``text`` as one safe path component of at most ``limit`` UTF-8 bytes ('' if nothing).

    Separators and everything else outside letters, digits, ``. - _`` and space become
    ``_``; leading dots, dashes and spaces go (no hidden files, no ``..``, nothing that
    looks like an option), as do trailing dots and spaces (which Windows drops) and ``_``.
    """
    text = unicodedata.normalize("NFC", text)
    text = _RUNS.sub("_", _UNSAFE.sub("_", text))
    text = text.lstrip(". -_").rstrip(". _")
    if len(text.encode()) > limit:
        suffix = PurePosixPath(text).suffix
        if not _EXTENSION.fullmatch(suffix):
            suffix = ""
        stem = _cut_utf8(text[: len(text) - len(suffix)], limit - len(suffix))
        text = stem.rstrip(". _") + suffix
    return text


def _cut_utf8(text: str, limit: int) -> str:
    """The longest beginning of ``text`` of at most ``limit`` UTF-8 bytes."""
    return text.encode()[:limit].decode(errors="ignore")


def _shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, keeping a short extension."""
    if len(text) <= limit:
        return text
    suffix = PurePosixPath(text).suffix
    if not _EXTENSION.fullmatch(suffix):
        suffix = ""
    return text[: limit - len(suffix)] + suffix
