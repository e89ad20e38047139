"""Evidence files in storage: counted once their report is submitted; safe names on disk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePosixPath

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage.evidence import (
    EvidenceItem,
    add_evidence,
    evidence_by_measure_office,
    evidence_file_name,
    evidence_item,
    report_evidence,
    set_stored_path,
    submitted_evidence,
)
from storage.models import (
    Contact,
    Evidence,
    EvidenceKind,
    Measure,
    Office,
    Report,
    Role,
)
from storage.people import add_contact, remove_account
from storage.reporting import Cadence, open_round, submit
from storage.setup import init_database

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
WOHNEN = "Leitstelle Wohnen"
SOZIALES = "Amt für soziale Leistungen"


@dataclass(frozen=True)
class Ids:
    karl: int
    wilma: int
    november: int
    december: int
    measures: dict[str, int]
    offices: dict[str, int]


async def prepare(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> Ids:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        offices = {o.name: o for o in await session.scalars(select(Office))}
        karl = await add_contact(
            session,
            telegram_user_id=1,
            display_name="Karl Kontakt",
            role=Role.CONTACT,
            offices=[offices[WOHNEN], offices[SOZIALES]],
            now=NOW,
        )
        wilma = await add_contact(
            session,
            telegram_user_id=2,
            display_name="Wilma Weber",
            role=Role.CONTACT,
            offices=[offices[SOZIALES]],
            now=NOW,
        )
        november, _ = await open_round(
            session, today=date(2026, 11, 1), cadence=Cadence.MONTHLY, now=NOW
        )
        december, _ = await open_round(
            session, today=date(2026, 12, 1), cadence=Cadence.MONTHLY, now=NOW
        )
        measures = {m.code: m.id for m in await session.scalars(select(Measure))}
        return Ids(
            karl=karl.id,
            wilma=wilma.id,
            november=november.id,
            december=december.id,
            measures=measures,
            offices={name: office.id for name, office in offices.items()},
        )


async def draft(
    session: AsyncSession, ids: Ids, *, round_id: int, code: str, office: str, author: int
) -> Report:
    """A draft without answers (evidence does not care about them)."""
    report = Report(
        round_id=round_id,
        measure_id=ids.measures[code],
        office_id=ids.offices[office],
        author_id=author,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(report)
    await session.flush()
    return report


async def attach(
    session: AsyncSession,
    report: Report,
    kind: EvidenceKind,
    at: datetime,
    *,
    contact_id: int | None,
    file_name: str | None = None,
    caption: str | None = None,
    file_size: int | None = 1000,
) -> Evidence:
    mime = {
        EvidenceKind.PHOTO: None,
        EvidenceKind.DOCUMENT: "application/pdf",
        EvidenceKind.VOICE: "audio/ogg",
    }[kind]
    return await add_evidence(
        session,
        report=report,
        question="note:1",
        kind=kind,
        file_id=f"file-{kind.value}-{at.timestamp():.0f}",
        file_unique_id=f"unique-{kind.value}-{at.timestamp():.0f}",
        file_name=file_name,
        mime_type=mime,
        file_size=file_size,
        caption=caption,
        contact_id=contact_id,
        received_at=at,
    )


async def test_draft_evidence_counts_once_submitted(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    ids = await prepare(engine, sessions, mainz)
    async with sessions() as session, session.begin():
        report = await draft(
            session, ids, round_id=ids.december, code="III.1.1", office=WOHNEN, author=ids.karl
        )
        photo = await attach(
            session, report, EvidenceKind.PHOTO, NOW, contact_id=ids.karl, caption="Aushang"
        )
        document = await attach(
            session,
            report,
            EvidenceKind.DOCUMENT,
            NOW + timedelta(minutes=5),
            contact_id=ids.karl,
            file_name="bericht.pdf",
            file_size=1_234_567,
        )
        assert photo.id is not None
        assert document.id > photo.id
        assert (photo.round_id, photo.measure_id, photo.office_id, photo.report_id) == (
            ids.december, ids.measures["III.1.1"], ids.offices[WOHNEN], report.id,
        )  # fmt: skip
        report_id = report.id

    async with sessions() as session:
        assert await submitted_evidence(session, ids.measures["III.1.1"]) == []
        assert await evidence_by_measure_office(session) == {}
        assert await evidence_item(session, photo.id) is None  # a draft's file stays hidden
        found = await evidence_item(session, photo.id, submitted_only=False)
        assert found is not None
        assert found[0].file_id == photo.file_id
        assert [i.id for i in await report_evidence(session, report_id)] == [
            document.id,
            photo.id,
        ]

    async with sessions() as session, session.begin():
        submitted = await session.get(Report, report_id)
        assert submitted is not None
        await submit(session, submitted, NOW + timedelta(minutes=10))
        with pytest.raises(ValueError, match="drafts only"):
            await attach(session, submitted, EvidenceKind.VOICE, NOW, contact_id=ids.karl)

    async with sessions() as session:
        items = await submitted_evidence(session, ids.measures["III.1.1"])
        assert items == [
            EvidenceItem(
                id=document.id,
                kind=EvidenceKind.DOCUMENT,
                file_name="bericht.pdf",
                mime_type="application/pdf",
                file_size=1_234_567,
                office=WOHNEN,
                author="Karl Kontakt",
                received_at=NOW + timedelta(minutes=5),
                round_opens_on=date(2026, 12, 1),
                measure_code="III.1.1",
                stored_path=None,
                caption=None,
            ),
            EvidenceItem(
                id=photo.id,
                kind=EvidenceKind.PHOTO,
                file_name=None,
                mime_type=None,
                file_size=1000,
                office=WOHNEN,
                author="Karl Kontakt",
                received_at=NOW,
                round_opens_on=date(2026, 12, 1),
                measure_code="III.1.1",
                stored_path=None,
                caption="Aushang",
            ),
        ]
        assert items[0].received_at.tzinfo is not None
        assert await submitted_evidence(session, ids.measures["III.1.2"]) == []
        found = await evidence_item(session, document.id)
        assert found is not None
        row, item = found
        assert (row.file_id, row.file_unique_id, row.question) == (
            document.file_id,
            document.file_unique_id,
            "note:1",
        )
        assert item == items[0]
        assert await evidence_item(session, 999_999) is None


async def test_order_and_mapping_by_measure_and_office(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    ids = await prepare(engine, sessions, mainz)
    async with sessions() as session, session.begin():
        # November: Karl for Wohnen on III.1.1, version 1
        wohnen_nov = await draft(
            session, ids, round_id=ids.november, code="III.1.1", office=WOHNEN, author=ids.karl
        )
        old = await attach(session, wohnen_nov, EvidenceKind.VOICE, NOW - timedelta(days=20),
                           contact_id=ids.karl)  # fmt: skip
        await submit(session, wohnen_nov, NOW - timedelta(days=20))
        # December: Wilma for Soziales on III.1.1 and V.1.1; Karl corrects Wohnen (version 2)
        soziales = await draft(
            session, ids, round_id=ids.december, code="III.1.1", office=SOZIALES, author=ids.wilma
        )
        same_time_a = await attach(session, soziales, EvidenceKind.PHOTO, NOW, contact_id=ids.wilma)
        same_time_b = await attach(
            session, soziales, EvidenceKind.DOCUMENT, NOW, contact_id=ids.wilma, file_name="a.pdf"
        )
        await submit(session, soziales, NOW)
        other_measure = await draft(
            session, ids, round_id=ids.december, code="V.1.1", office=SOZIALES, author=ids.wilma
        )
        v11 = await attach(session, other_measure, EvidenceKind.PHOTO, NOW, contact_id=ids.wilma)
        await submit(session, other_measure, NOW)
        correction = await draft(
            session, ids, round_id=ids.december, code="III.1.1", office=WOHNEN, author=ids.karl
        )
        newest = await attach(
            session, correction, EvidenceKind.PHOTO, NOW + timedelta(hours=1), contact_id=ids.karl
        )
        await submit(session, correction, NOW + timedelta(hours=1))
        # still a draft: Karl's open report for Soziales on III.1.2
        pending = await draft(
            session, ids, round_id=ids.december, code="III.1.2", office=SOZIALES, author=ids.karl
        )
        hidden = await attach(session, pending, EvidenceKind.PHOTO, NOW, contact_id=ids.karl)

    async with sessions() as session:
        listed = await submitted_evidence(session, ids.measures["III.1.1"])
        # newest first; at the same moment the later one first; version 1 still counts
        assert [i.id for i in listed] == [newest.id, same_time_b.id, same_time_a.id, old.id]
        assert [(i.office, i.author, i.round_opens_on) for i in listed] == [
            (WOHNEN, "Karl Kontakt", date(2026, 12, 1)),
            (SOZIALES, "Wilma Weber", date(2026, 12, 1)),
            (SOZIALES, "Wilma Weber", date(2026, 12, 1)),
            (WOHNEN, "Karl Kontakt", date(2026, 11, 1)),
        ]
        mapping = await evidence_by_measure_office(session)
        iii11, v = ids.measures["III.1.1"], ids.measures["V.1.1"]
        assert {key: [i.id for i in items] for key, items in mapping.items()} == {
            (iii11, ids.offices[WOHNEN]): [newest.id, old.id],
            (iii11, ids.offices[SOZIALES]): [same_time_b.id, same_time_a.id],
            (v, ids.offices[SOZIALES]): [v11.id],
        }
        assert all(hidden.id not in [i.id for i in items] for items in mapping.values())
        assert mapping[v, ids.offices[SOZIALES]][0].measure_code == "V.1.1"


async def test_author_is_gone_with_the_account_and_stored_path(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    ids = await prepare(engine, sessions, mainz)
    async with sessions() as session, session.begin():
        report = await draft(
            session, ids, round_id=ids.december, code="III.1.1", office=WOHNEN, author=ids.karl
        )
        evidence = await attach(session, report, EvidenceKind.DOCUMENT, NOW, contact_id=ids.karl,
                                file_name="x" * 300 + ".pdf")  # fmt: skip
        await submit(session, report, NOW)
        path = evidence_file_name(
            evidence_id=evidence.id,
            round_opens_on=date(2026, 12, 1),
            measure_code="III.1.1",
            kind=evidence.kind,
            file_name=evidence.file_name,
            mime_type=evidence.mime_type,
        )
        await set_stored_path(session, evidence.id, path)
        with pytest.raises(LookupError):
            await set_stored_path(session, 999_999, "belege/x")
        for bad in ("/etc/passwd", "../x", "belege/../../x", "", "a\\b"):
            with pytest.raises(ValueError, match="relative path"):
                await set_stored_path(session, evidence.id, bad)

    async with sessions() as session, session.begin():
        karl = await session.get(Contact, ids.karl)
        assert karl is not None
        await remove_account(session, karl)

    async with sessions() as session:
        [item] = await submitted_evidence(session, ids.measures["III.1.1"])
        assert item.author is None
        assert item.stored_path == path
        assert item.file_name is not None
        assert len(item.file_name) == 255
        assert item.file_name.endswith("x.pdf")
        stored = await session.get(Evidence, evidence.id)
        assert stored is not None
        assert stored.contact_id is None


# --- the name of the downloaded copy -----------------------------------------------------------


def name(file_name: str | None, kind: EvidenceKind = EvidenceKind.DOCUMENT,
         mime_type: str | None = None, code: str = "III.1.1") -> str:  # fmt: skip
    return evidence_file_name(
        evidence_id=17,
        round_opens_on=date(2026, 12, 1),
        measure_code=code,
        kind=kind,
        file_name=file_name,
        mime_type=mime_type,
    )


@pytest.mark.parametrize(
    ("file_name", "kind", "mime_type", "expected"),
    [
        ("bericht.pdf", EvidenceKind.DOCUMENT, "application/pdf", "17-bericht.pdf"),
        ("Übersicht März 2026.xlsx", EvidenceKind.DOCUMENT, None, "17-Übersicht März 2026.xlsx"),
        ("bericht", EvidenceKind.DOCUMENT, "application/pdf", "17-bericht.pdf"),
        (None, EvidenceKind.PHOTO, None, "17-photo.jpg"),
        (None, EvidenceKind.VOICE, "audio/ogg", "17-voice.ogg"),
        (None, EvidenceKind.DOCUMENT, "application/pdf", "17-document.pdf"),
        (
            None,
            EvidenceKind.DOCUMENT,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "17-document.docx",
        ),
        ("", EvidenceKind.DOCUMENT, None, "17-document"),
        ("../../etc/passwd", EvidenceKind.DOCUMENT, None, "17-etc_passwd"),
        ("a/b\\c.pdf", EvidenceKind.DOCUMENT, None, "17-a_b_c.pdf"),
        ("..", EvidenceKind.DOCUMENT, "application/pdf", "17-document.pdf"),
        (".bashrc", EvidenceKind.DOCUMENT, None, "17-bashrc"),
        ("-rf *", EvidenceKind.DOCUMENT, None, "17-rf"),
        ("x\x00y\n.pdf", EvidenceKind.DOCUMENT, None, "17-x_y_.pdf"),
        ("rechnung\u202efdp.exe", EvidenceKind.DOCUMENT, None, "17-rechnung_fdp.exe"),
        ("C:\\Users\\a\\bericht.pdf", EvidenceKind.DOCUMENT, None, "17-C_Users_a_bericht.pdf"),
        ("notiz. ", EvidenceKind.DOCUMENT, None, "17-notiz"),
    ],
)
def test_file_name_keeps_what_is_safe(
    file_name: str | None, kind: EvidenceKind, mime_type: str | None, expected: str
) -> None:
    assert name(file_name, kind, mime_type) == f"belege/2026-12/III.1.1/{expected}"


@pytest.mark.parametrize(
    "hostile",
    [
        "../../etc/passwd",
        "..\\..\\windows\\system32",
        "/absolute/path.pdf",
        "a/b\\c",
        "",
        ".",
        "..",
        "...",
        "/",
        "~/.ssh/id_rsa",
        "x" * 1000 + ".pdf",
        "ä" * 300,
        "😀" * 100 + ".docx",
        "\x00",
        "name\u0301with combining",
        "𝕏/../𝕐",
        "%2e%2e%2fetc",
        "CON",
    ],
)
@pytest.mark.parametrize("code", ["III.1.1", "../..", "a/b"])
def test_no_name_leaves_its_directory(hostile: str, code: str, tmp_path: Path) -> None:
    for kind in EvidenceKind:
        path = name(hostile, kind, "application/pdf", code=code)
        parts = PurePosixPath(path).parts
        assert len(parts) == 4, path
        assert parts[:2] == ("belege", "2026-12")
        assert all(part not in ("", ".", "..") and not part.startswith(".") for part in parts)
        assert "\\" not in path
        assert "\x00" not in path
        assert parts[3].startswith("17-")
        assert all(len(part.encode()) <= 200 for part in parts)
        base = tmp_path.resolve()
        assert (base / path).resolve().is_relative_to(base / "belege" / "2026-12")
        # and it can really be created there
        (base / path).parent.mkdir(parents=True, exist_ok=True)
        (base / path).write_bytes(b"x")


def test_long_names_keep_their_extension() -> None:
    long = name("Bericht " * 40 + ".pdf")
    file_part = PurePosixPath(long).name
    assert file_part.endswith(".pdf")
    assert len(file_part.encode()) <= 3 + 120
    unicode_long = PurePosixPath(name("ä" * 300 + ".docx")).name
    assert unicode_long.endswith("ä.docx")
    assert len(unicode_long.encode()) <= 3 + 120
