"""backup, restore and copy-database refuse wrong arguments and unusable databases in one
German line, with exit code 2 (arguments, settings) or 1 (a database out of reach)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.conftest import Cli

UNREACHABLE = "postgresql+asyncpg://postgres:geheim@127.0.0.1:9/bot"
HIDDEN = "postgresql+asyncpg://postgres:***@127.0.0.1:9/bot"


@pytest.mark.parametrize(
    ("setting", "args", "expected_code", "expected"),
    [
        (None, ("restore", "fehlt.tar.gz"), 2, "Sicherung fehlt.tar.gz nicht gefunden."),
        (None, ("restore", "notiz.txt"), 2, "notiz.txt ist keine Sicherung des Monitoring-Bots."),
        (None, ("backup", "nirgends/s.tar.gz"), 2, "Das Verzeichnis nirgends gibt es nicht."),
        (None, ("backup", "."), 2, ". ist ein Verzeichnis; bitte einen Dateinamen angeben."),
        (
            None,
            ("backup", "s.tar.gz"),
            1,
            "Die Datenbank sqlite+aiosqlite:///data/monitoring.sqlite3 ist noch nicht "
            "eingerichtet oder veraltet. Bitte zuerst 'monitoring-bot init' ausführen.",
        ),
        (UNREACHABLE, ("backup", "s.tar.gz"), 1, f"Datenbank {HIDDEN} nicht erreichbar: "),
        (UNREACHABLE, ("restore", "notiz.txt"), 1, f"Datenbank {HIDDEN} nicht erreichbar: "),
        (None, ("copy-database", "--to", UNREACHABLE), 1, f"Datenbank {HIDDEN} nicht erreichbar: "),
        (
            None,
            ("copy-database", "--to", "postgresql://postgres:geheim@127.0.0.1/ziel"),
            2,
            "--to braucht den asynchronen Treiber: bitte postgresql+asyncpg://… statt "
            "postgresql://… angeben",
        ),
        (
            None,
            ("copy-database", "--to", "mysql+aiomysql://postgres:geheim@127.0.0.1/ziel"),
            2,
            "--to: erwartet sqlite+aiosqlite:///… oder postgresql+asyncpg://…",
        ),
        (
            None,
            ("copy-database", "--to", "sqlite+aiosqlite:///data/../data/monitoring.sqlite3"),
            2,
            "--to nennt die konfigurierte Datenbank selbst; bitte eine andere angeben.",
        ),
    ],
)
def test_refusals_are_one_line(
    cli: Cli,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    setting: str | None,
    args: tuple[str, ...],
    expected_code: int,
    expected: str,
) -> None:
    if setting is not None:
        monkeypatch.setenv("DATABASE_URL", setting)
    (workdir / "notiz.txt").write_text("keine Sicherung")

    code, out, err = cli(*args)

    assert (code, out) == (expected_code, "")
    assert err.count("\n") == 1, err
    assert err.startswith(expected)
    assert "geheim" not in err
    assert not (workdir / "s.tar.gz").exists()


def test_restore_with_evidence_but_without_data_dir_is_refused(
    cli: Cli, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli("init")
    assert (code, err) == (0, "")
    (workdir / "data" / "belege" / "2026-11").mkdir(parents=True)
    (workdir / "data" / "belege" / "2026-11" / "1-foto.jpg").write_bytes(b"\xff\xd8\xff")
    code, out, err = cli("backup", "s.tar.gz")
    assert (code, err) == (0, "")
    assert out.endswith(", 1 Beleg).\n")

    monkeypatch.setenv("DATA_DIR", "")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{workdir / 'neu.sqlite3'}")
    code, out, err = cli("restore", "s.tar.gz")

    assert (code, out) == (2, "")
    assert err == "Die Sicherung enthält 1 Beleg, aber DATA_DIR ist leer; bitte DATA_DIR setzen.\n"
