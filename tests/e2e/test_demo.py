"""`monitoring-bot demo` runs from a fresh install with no configuration, scripted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.environment import without_settings

SCRIPT = (
    """\
/start
/bericht
1
2
Neue Liste ist online.
1
"""
    + "x" * 2001
    + """
/zurueck
/abbrechen
:koordination
/einladen
19
:gast
/start
:gruppe
/kontakte
:kontakt
/abmelden
2
:nix
9
:ende
"""
)


def test_scripted_demo_from_standard_input(tmp_path: Path) -> None:
    env = without_settings(dict(os.environ))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "monitoring-bot"), "demo"],
        input=SCRIPT, capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (
        "Guten Tag, Karl Kontakt! Sie berichten für: Amt für soziale Leistungen und Flüchtlingskoordination."
        in out
    )
    assert "Offen: 10 Maßnahmen, 17 Zielhorizonte, etwa 13 Minuten." in out
    assert "── Bot an Kontakt ──\nMaßnahme III.1.1 · Amt für soziale Leistungen" in out
    assert "── Bot an Kontakt (geändert) ──\nIII.1.1 · Kurzfristig, Stand: 🟢 im Plan" in out
    assert "Ihr Text hat 2001 Zeichen" in out
    assert "Pausiert. Ihre Antworten sind gespeichert" in out
    assert "  [19] Sozialplanung\n" in out
    assert "── Bot an Koordination (geändert) ──\nEinladung für Sozialplanung, gültig bis" in out
    assert "https://t.me/mainz_monitoring_bot?start=" in out
    assert "── Bot an Gast ──\nGuten Tag! Ich bin der Bot der Stadt Mainz" in out
    assert "── Bot an Gruppe ──\nAnsprechpersonen je Amt" in out
    assert "  [1] Ja, Konto löschen\n  [2] Nein, behalten\n" in out
    assert "Ihr Konto bleibt bestehen." in out
    assert "Unbekannt. Möglich: :kontakt, :koordination, :gruppe, :gast, :hilfe, :ende" in out
    assert "Keine Schaltfläche Nr. 9 in diesem Chat." in out
    assert out.rstrip().endswith("Demo beendet.")
    assert not (tmp_path / "data").exists()  # the demo leaves no database behind
    assert "Traceback" not in result.stderr


def test_demo_script_file_must_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--script", "fehlt.txt"]) == 2
    assert capsys.readouterr().err == "Skript fehlt.txt nicht gefunden.\n"
