"""The command line as an operator meets it: init, catalogue, run, and its errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.render.catalogue_view import catalogue_json
from seed.schema import Catalogue
from tests.bot.conftest import Cli
from tests.seed.test_loader_errors import VALID


def test_init_twice_then_catalogue_json(cli: Cli, workdir: Path, mainz: Catalogue) -> None:
    code, out, err = cli("init")
    assert (code, err) == (0, "")
    assert "26 Maßnahmen" in out
    assert (workdir / "data" / "monitoring.sqlite3").exists()

    code, out, _ = cli("init")
    assert code == 0
    assert out.splitlines()[-1] == "Katalog unverändert."

    code, out, _ = cli("catalogue", "--json")
    assert code == 0
    data = json.loads(out)
    assert data == catalogue_json(mainz)
    assert set(data) == {"fields", "offices"}
    field = data["fields"][4]
    assert set(field) == {"numeral", "title", "summary", "goals"}
    assert (field["numeral"], field["title"]) == ("V", "Gesundheit")
    measure = field["goals"][0]["measures"][1]
    assert set(measure) == {"code", "title", "indicator", "horizons", "offices"}
    assert measure["code"] == "V.1.2"
    assert measure["horizons"][1]["terms"] == ["mittel", "lang"]
    assert measure["offices"] == ["Amt für Jugend und Familie"]
    assert sum(len(g["measures"]) for f in data["fields"] for g in f["goals"]) == 26
    assert len(data["offices"]) == 19


def test_catalogue_tree(cli: Cli) -> None:
    cli("init")
    code, out, _ = cli("catalogue")
    assert code == 0
    assert "\nV Gesundheit\n" in out
    assert "  Ziel V.1: Unter Berücksichtigung" in out
    assert "    Maßnahme V.2.1: Der Arbeitskreis tagt regelmäßig" in out
    assert "      Mittel- und langfristig: Die Evaluierung" in out
    assert "      Zuständig: Büro für Migration und Integration; Sozialplanung" in out


def test_catalogue_before_init_explains(cli: Cli) -> None:
    code, out, err = cli("catalogue")
    assert code == 1
    assert out == ""
    assert "Bitte zuerst 'monitoring-bot init' ausführen." in err


def test_run_without_token_says_how_to_get_one(cli: Cli) -> None:
    code, _, err = cli("run")
    assert code == 2
    assert "TELEGRAM_BOT_TOKEN" in err
    assert "@BotFather" in err


def test_own_catalogue_via_catalogue_path(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, workdir: Path
) -> None:
    (workdir / "stadt.yaml").write_text(VALID, encoding="utf-8")
    monkeypatch.setenv("CATALOGUE_PATH", "stadt.yaml")
    assert cli("init")[0] == 0
    code, out, _ = cli("catalogue", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["offices"] == ["Amt A", "Amt B"]
    assert [m["code"] for m in data["fields"][0]["goals"][0]["measures"]] == ["I.1.1", "I.1.2"]


def test_broken_catalogue_is_one_precise_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, workdir: Path
) -> None:
    (workdir / "stadt.yaml").write_text(
        VALID.replace("code: I.1.2", "code: I.1.1"), encoding="utf-8"
    )
    monkeypatch.setenv("CATALOGUE_PATH", "stadt.yaml")
    code, out, err = cli("init")
    assert code == 2
    assert out == ""
    assert err == (
        "stadt.yaml: fields[0].goals[0].measures[1].code (Zeile 24): Maßnahmen-Code 'I.1.1' "
        "kommt doppelt vor (zuerst in fields[0].goals[0].measures[0].code)\n"
    )
    assert not (workdir / "data").exists()  # nothing was written


def test_bad_setting_is_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEZONE", "Berlin")
    code, _, err = cli("init")
    assert code == 2
    assert (
        err
        == "Ungültige Einstellung TIMEZONE: unbekannte Zeitzone 'Berlin' (Beispiel: Europe/Berlin)\n"
    )


def test_unreachable_database(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot:geheim@127.0.0.1:9/monitoring")
    code, _, err = cli("init")
    assert code == 1
    assert err.startswith(
        "Datenbank postgresql+asyncpg://bot:***@127.0.0.1:9/monitoring nicht erreichbar"
    )
    assert "geheim" not in err
    assert "Traceback" not in err


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "monitoring-bot"
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0
    for command in ("init", "catalogue", "run"):
        assert command in result.stdout


def test_invite_with_configured_username(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("init")
    monkeypatch.setenv("BOT_USERNAME", "@mainz_monitoring_bot")
    code, out, err = cli("invite", "--office", "flüchtlingskoord")
    assert (code, err) == (0, "")
    first, link = out.strip().splitlines()
    assert first.startswith("Einladungslink für Flüchtlingskoordination (gültig bis ")
    assert re.fullmatch(r"https://t\.me/mainz_monitoring_bot\?start=[A-Za-z0-9_-]{32}", link)
    code, out, _ = cli("invite", "--coordinator")
    assert code == 0
    assert out.splitlines()[0].startswith("Einladungslink für die Koordinierungsstelle")
    assert out.splitlines()[-1] != link


def test_invite_unknown_or_ambiguous_office(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("init")
    monkeypatch.setenv("BOT_USERNAME", "mainz_monitoring_bot")
    code, out, err = cli("invite", "--office", "Gesundheitsamt")
    assert code == 2
    assert out == ""
    assert err.startswith("Das Amt 'Gesundheitsamt' gibt es nicht. Möglich sind:\n")
    assert "  Sozialplanung\n" in err
    code, _, err = cli("invite", "--office", "Amt für")
    assert code == 2
    assert err.startswith("Das Amt 'Amt für' ist nicht eindeutig.")
    assert "Sozialplanung" not in err


def test_invite_needs_username_or_token(cli: Cli) -> None:
    cli("init")
    code, _, err = cli("invite", "--coordinator")
    assert code == 2
    assert "BOT_USERNAME oder TELEGRAM_BOT_TOKEN" in err


def test_invite_needs_office_or_coordinator(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["invite"])
    assert caught.value.code == 2
    assert "--office" in capsys.readouterr().err
