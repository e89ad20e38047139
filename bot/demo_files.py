"""Where the demo keeps the files the bot sends: a folder that outlives the demo.

Pictures, exports and evidence sent again are written there under a name a file manager
opens: the file's own name where it has a known type, else one from its content (a chart
sent as raw bytes becomes ``bild.png``). Names already taken get ``-2``, ``-3``, ….
"""

from __future__ import annotations

import mimetypes
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# what the bot sent (the Bot API method's kind) -> (word for the terminal, name without one)
KINDS: dict[str, tuple[str, str]] = {
    "photo": ("Bild", "bild"),
    "document": ("Datei", "datei"),
    "voice": ("Sprachnachricht", "sprachnachricht"),
}
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"GIF8", ".gif"),
    (b"%PDF", ".pdf"),
    (b"OggS", ".ogg"),
)


def extension_of(content: bytes) -> str | None:
    """The usual extension of a picture, PDF or Ogg file by its first bytes; None if unknown."""
    for signature, extension in _SIGNATURES:
        if content.startswith(signature):
            return extension
    return None


def file_name(kind: str, filename: str | None, content: bytes) -> str:
    """A name for a file the bot sent as ``kind``, under ``filename`` if it had one."""
    default = KINDS.get(kind, KINDS["document"])[1]
    name = _safe(filename or "")
    sniffed = extension_of(content)
    if name and mimetypes.guess_type(name)[0] is not None:
        path = Path(name)
        if kind == "photo" and sniffed is not None and path.suffix.lower() != sniffed:
            return path.stem + sniffed  # a picture under another picture's name
        return name
    # no name, or none that says what it is (python-telegram-bot names raw bytes after
    # their MIME type, e.g. "application.octet-stream")
    return default + (sniffed or ".bin")


def _safe(name: str) -> str:
    """The last part of ``name``, without control characters or a leading dot."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(c for c in last if unicodedata.category(c)[0] != "C")
    return printable.strip().lstrip(".")


@dataclass
class FileFolder:
    """The folder of the demo's files; created at once, kept after the demo."""

    path: Path

    @classmethod
    def create(cls) -> FileFolder:
        return cls(Path(tempfile.mkdtemp(prefix="monitoring-demo-dateien-")))

    def save(self, kind: str, filename: str | None, content: bytes) -> Path:
        """Write ``content`` under a free name; the path written."""
        self.path.mkdir(parents=True, exist_ok=True)  # even if someone removed it meanwhile
        name = Path(file_name(kind, filename, content))
        target = self.path / name
        number = 1
        while target.exists():
            number += 1
            target = self.path / f"{name.stem}-{number}{name.suffix}"
        target.write_bytes(content)
        return target

    def close(self) -> bool:
        """Remove the folder if nothing was saved; whether it stays."""
        if not self.path.is_dir():
            return False
        if any(self.path.iterdir()):
            return True
        self.path.rmdir()
        return False
