"""Names and the folder of the files the bot sends in the demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo_files import FileFolder, file_name

PNG = b"\x89PNG\r\n\x1a\n rest"
JPEG = b"\xff\xd8\xff\xe0 rest"


@pytest.mark.parametrize(
    ("kind", "filename", "content", "expected"),
    [
        ("photo", "status.png", PNG, "status.png"),
        ("photo", "application.octet-stream", PNG, "bild.png"),  # raw bytes sent by PTB
        ("photo", None, JPEG, "bild.jpg"),
        ("photo", "photo_1280x960.jpg", PNG, "photo_1280x960.png"),  # the content decides
        ("document", "monitoring-2026-12-07.xlsx", b"PK\x03\x04", "monitoring-2026-12-07.xlsx"),
        ("document", "stand.csv", b"a;b\n", "stand.csv"),
        ("document", "Bericht Januar.pdf", b"%PDF-1.4", "Bericht Januar.pdf"),
        ("document", None, b"%PDF-1.4", "datei.pdf"),
        ("document", "ohne-endung", b"???", "datei.bin"),
        ("document", "../../etc/passwd.txt", b"x", "passwd.txt"),  # never outside the folder
        ("document", "..\\..\\böse.txt", b"x", "böse.txt"),
        ("document", ".versteckt.txt", b"x", "versteckt.txt"),
        ("voice", None, b"OggS...", "sprachnachricht.ogg"),
    ],
)
def test_file_name(kind: str, filename: str | None, content: bytes, expected: str) -> None:
    assert file_name(kind, filename, content) == expected


def test_a_taken_name_gets_a_number(tmp_path: Path) -> None:
    folder = FileFolder(tmp_path / "dateien")
    first = folder.save("photo", "status.png", PNG)
    second = folder.save("photo", "status.png", PNG + b"2")
    third = folder.save("photo", None, PNG)
    assert [first.name, second.name, third.name] == ["status.png", "status-2.png", "bild.png"]
    assert second.read_bytes() == PNG + b"2"
    assert sorted(folder.path.iterdir()) == sorted([first, second, third])
    assert folder.close() is True
    assert first.exists()


def test_an_empty_folder_is_removed_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    folder = FileFolder.create()
    assert folder.path.parent == tmp_path
    assert folder.path.name.startswith("monitoring-demo-dateien-")
    assert folder.close() is False
    assert not folder.path.exists()
