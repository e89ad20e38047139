"""`monitoring-bot demo` runs from a fresh install with no configuration, scripted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
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


def run_demo(
    tmp_path: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``monitoring-bot demo ARGS`` in ``tmp_path``, its temporary files in ``tmp_path/tmp``."""
    env = without_settings(dict(os.environ))
    (tmp_path / "tmp").mkdir()
    env["TMPDIR"] = str(tmp_path / "tmp")
    return subprocess.run(
        [str(Path(sys.executable).parent / "monitoring-bot"), "demo", *args],
        input=stdin, capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=120, check=False,
    )  # fmt: skip


def test_scripted_demo_from_standard_input(tmp_path: Path) -> None:
    result = run_demo(tmp_path, stdin=SCRIPT)
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
    assert (
        "Unbekannt. Möglich: :kontakt, :koordination, :gruppe, :gast, :zeit, :datei, :hilfe, :ende"
        in out
    )
    assert "Keine Schaltfläche Nr. 9 in diesem Chat." in out
    assert out.rstrip().endswith("Demo beendet.")
    assert not (tmp_path / "data").exists()  # the demo leaves no database behind
    assert list((tmp_path / "tmp").iterdir()) == []  # nor an empty folder for files
    assert "Traceback" not in result.stderr


def test_demo_script_file_must_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--script", "fehlt.txt"]) == 2
    assert capsys.readouterr().err == "Skript fehlt.txt nicht gefunden.\n"


# Monday 07.12.2026 08:30: the December round (01.12. to 31.12.2026) is open. Karl reports
# III.1.1 with a PDF as evidence; Clara has it sent again, looks at the chart and exports.
# Then the clock moves: the weekly summary (Monday 09:00), a reminder (day 7 of the round),
# the next month (the January round opens on its first working day, 04.01.2027, and the
# December round is overdue), where Karl takes over last round's report with one tap, and a
# reminder in January. Messages for a persona who is not typing wait until one switches.
CLOCK_SCRIPT = """\
/start
/bericht
1
2
2
:datei beleg.pdf
1
:koordination
/status III.1.1
1
/status
6
/export
:zeit 07.12.2026 09:00
:zeit +1d
:zeit morgen
:zeit -1d
:zeit 01.12.2026 09:00
:zeit
:kontakt
:zeit 04.01.2027 09:00
1
1
:zeit +4d 1h
:zeit +2h
:gruppe
:ende
"""


def test_demo_clock_schedule_and_files(tmp_path: Path) -> None:
    (tmp_path / "beleg.pdf").write_bytes(b"%PDF-1.4 Beleg der Demo\n")
    script = tmp_path / "skript.txt"
    script.write_text(CLOCK_SCRIPT, encoding="utf-8")
    result = run_demo(tmp_path, "--script", "skript.txt", "--start", "07.12.2026 08:30")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout

    # The folder for files is named at the start, lies in the temporary directory, and stays.
    found = re.search(r"Dateien, die der Bot sendet, speichert die Demo in (\S+)\n", out)
    assert found is not None, out
    folder = Path(found[1])
    assert folder.parent == tmp_path / "tmp"
    assert "Demo-Zeit: Montag, 07.12.2026, 08:30 Uhr." in out
    assert ":zeit +1w      Uhr des Bots vorstellen" in out  # the start text lists :zeit
    assert "(die Berichtsrunde 01.12.2026 bis 31.12.2026 ist geöffnet)" in out
    assert out.rstrip().endswith(f"Die Dateien der Demo bleiben in {folder}.\nDemo beendet.")
    names = sorted(path.name for path in folder.iterdir())
    pictures = [name for name in names if name.endswith(".png")]
    assert names == sorted(["beleg.pdf", "monitoring-2026-12-07.xlsx", *pictures])
    assert len(pictures) == 3  # the chart in /status, and in the two weekly summaries
    assert all(name.startswith("status") for name in pictures)  # charts keep their name
    for name in pictures:
        assert (folder / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert f"[Bild gespeichert: {folder / name}]" in out
    assert f"[Datei gespeichert: {folder / 'beleg.pdf'}]\nBeleg zu III.1.1" in out
    assert (folder / "beleg.pdf").read_bytes() == b"%PDF-1.4 Beleg der Demo\n"
    assert f"[Datei gespeichert: {folder / 'monitoring-2026-12-07.xlsx'}]" in out
    with zipfile.ZipFile(folder / "monitoring-2026-12-07.xlsx") as workbook:
        assert "xl/workbook.xml" in workbook.namelist()
    assert "application.octet-stream" not in out

    steps = split_at_inputs(out)
    # The weekly summary goes to the group; Clara, typing in her own chat, only hears of it.
    summary = steps["[Koordination] :zeit 07.12.2026 09:00"]
    assert summary == (
        "Demo-Zeit: Montag, 07.12.2026, 09:00 Uhr.\n"
        "» 4 neue Nachrichten für :gruppe (anzeigen mit :gruppe)\n"
    )
    reminder = steps["[Koordination] :zeit +1d"]
    assert reminder == (
        "Demo-Zeit: Dienstag, 08.12.2026, 09:00 Uhr.\n"
        "» 1 neue Nachricht für :kontakt (anzeigen mit :kontakt)\n"
    )
    assert steps["[Koordination] :zeit morgen"] == (
        "Unbekannte Zeitangabe „morgen“. Beispiele: :zeit +1w, :zeit +3d, :zeit +2h, "
        ":zeit 04.01.2027 09:00\n"
    )
    assert steps["[Koordination] :zeit -1d"] == (
        "Die Demo-Zeit läuft nur vorwärts: bitte mit + angeben.\n"
    )
    assert steps["[Koordination] :zeit 01.12.2026 09:00"].startswith(
        "Die Demo-Zeit läuft nur vorwärts; jetzt ist Dienstag, 08.12.2026, 09:0"
    )
    assert steps["[Koordination] :zeit"].startswith("Demo-Zeit: Dienstag, 08.12.2026, 09:0")
    assert steps["[Koordination] :kontakt"].startswith(
        "── Bot an Kontakt ──\nErinnerung: Bis 31.12.2026 sind für Ihre Ämter noch 9 Maßnahmen "
        "offen."
    )

    # The next month: the January round opens on schedule; the group's notices wait.
    january = steps["[Kontakt] :zeit 04.01.2027 09:00"]
    assert january.startswith(
        "Demo-Zeit: Montag, 04.01.2027, 09:00 Uhr.\n── Bot an Kontakt ──\n"
        "Neue Berichtsrunde bis 31.01.2027."
    )
    assert "Überfällig" not in january
    assert re.search(r"» \d+ neue Nachrichten für :gruppe", january)
    first_question = steps["[Kontakt] 1 (3)"]  # "Jetzt berichten" under the opening
    assert "Zuletzt (01.12.2026): 🟢 im Plan" in first_question
    assert "  [1] Alles unverändert\n  [2] Unverändert\n" in first_question
    taken_over = steps["[Kontakt] 1 (4)"]  # "Alles unverändert"
    assert (
        "✅ III.1.1 · Amt für soziale Leistungen: alles wie zuletzt übernommen und abgesendet"
        in taken_over
    )
    assert steps["[Kontakt] :zeit +4d 1h"].startswith(
        "Demo-Zeit: Freitag, 08.01.2027, 10:00 Uhr.\n── Bot an Kontakt ──\n"
        "Erinnerung: Bis 31.01.2027 sind für Ihre Ämter noch 9 Maßnahmen offen."
    )
    assert steps["[Kontakt] :zeit +2h"] == (
        "Demo-Zeit: Freitag, 08.01.2027, 12:00 Uhr.\nDer Zeitplan hatte nichts zu tun.\n"
    )

    # Switching to the group shows what waited there, under the time it arrived.
    group = steps["[Kontakt] :gruppe"]
    assert group.startswith(
        "(eingegangen Montag, 07.12.2026, 09:00 Uhr)\n── Bot an Gruppe ──\n"
        "Wochenzusammenfassung KW 50/2026\n"
    )
    later = group.index("(eingegangen Montag, 04.01.2027, 09:00 Uhr)\n")
    assert group.index("Neue Berichtsrunde 01.01.2027 bis 31.01.2027 geöffnet", later)
    assert group.index("Überfällig: Berichtsrunde bis 31.12.2026", later)
    assert group.index("Wochenzusammenfassung KW 1/2027", later)
    before_group = out[: out.index("[Kontakt] :gruppe")]
    for text in ("── Bot an Gruppe", "Wochenzusammenfassung KW", "Überfällig", "geöffnet;"):
        assert text not in before_group


def split_at_inputs(out: str) -> dict[str, str]:
    """The output after each echoed input line, up to the next prompt; keyed by prompt and
    input, the second time the same input is given there as '… (2)', and so on."""
    steps: dict[str, str] = {}
    parts = re.split(r"^(\[[A-Za-z]+\] .*)$\n", out, flags=re.MULTILINE)
    for prompt, text in zip(parts[1::2], parts[2::2], strict=True):
        key, number = prompt, 1
        while key in steps:
            number += 1
            key = f"{prompt} ({number})"
        steps[key] = text
    return steps


def test_demo_start_must_be_a_moment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--start", "morgen früh"]) == 2
    assert capsys.readouterr().err == (
        "--start: Unbekannte Zeitangabe „morgen früh“. Beispiele: :zeit +1w, :zeit +3d, "
        ":zeit +2h, :zeit 04.01.2027 09:00\n"
    )
