"""A broken catalogue is rejected with a message naming the file, the place and the problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from seed.loader import CatalogueError, load_catalogue

VALID = """\
name: Testplan
horizons:
  kurz: {label: Kurzfristig, description: bis in einem Jahr}
  mittel: {label: Mittelfristig, description: bis in fünf Jahren}
  lang: {label: Langfristig, description: nach fünf Jahren}
offices:
  - Amt A
  - Amt B
fields:
  - numeral: I
    title: Feld
    summary: Zusammenfassung
    goals:
      - code: I.1
        title: Ziel
        measures:
          - code: I.1.1
            title: Erste Maßnahme
            indicator: Indikator
            horizons:
              - terms: [kurz]
                target: Ziel kurz
            offices: [Amt A]
          - code: I.1.2
            title: Zweite Maßnahme
            indicator: Indikator
            horizons:
              - terms: [mittel, lang]
                target: Ziel mittel
            offices: [Amt B]
"""


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message


def test_valid_custom_catalogue_loads(tmp_path: Path) -> None:
    catalogue = load_catalogue(write(tmp_path, VALID))
    assert [m.code for m in catalogue.measures()] == ["I.1.1", "I.1.2"]


def test_json_catalogue_loads(tmp_path: Path) -> None:
    import json

    import yaml

    path = tmp_path / "plan.json"
    path.write_text(json.dumps(yaml.safe_load(VALID)), encoding="utf-8")
    assert load_catalogue(path).name == "Testplan"


def test_duplicate_measure_code(tmp_path: Path) -> None:
    message = error_for(tmp_path, VALID.replace("code: I.1.2", "code: I.1.1"))
    assert "fields[0].goals[0].measures[1].code" in message
    assert "Maßnahmen-Code 'I.1.1' kommt doppelt vor" in message
    assert "(Zeile 24)" in message


def test_measure_without_horizon(tmp_path: Path) -> None:
    broken = VALID.replace(
        "            horizons:\n              - terms: [kurz]\n                target: Ziel kurz\n",
        "            horizons: []\n",
    )
    message = error_for(tmp_path, broken)
    assert "fields[0].goals[0].measures[0].horizons (Zeile 20)" in message
    assert "darf nicht leer sein" in message


def test_measure_without_office(tmp_path: Path) -> None:
    broken = VALID.replace("            offices: [Amt B]\n", "")
    message = error_for(tmp_path, broken)
    assert "fields[0].goals[0].measures[1].offices" in message
    assert "Angabe fehlt" in message


def test_unknown_term(tmp_path: Path) -> None:
    message = error_for(tmp_path, VALID.replace("terms: [kurz]", "terms: [bald]"))
    assert "fields[0].goals[0].measures[0].horizons[0].terms[0] (Zeile 21)" in message
    assert "unbekannter Begriff 'bald'" in message


def test_unknown_office(tmp_path: Path) -> None:
    message = error_for(tmp_path, VALID.replace("offices: [Amt B]", "offices: [Amt C]"))
    assert "fields[0].goals[0].measures[1].offices[0]" in message
    assert "'Amt C' steht nicht in der Liste 'offices'" in message


def test_measure_code_outside_its_goal(tmp_path: Path) -> None:
    message = error_for(tmp_path, VALID.replace("code: I.1.2", "code: I.2.2"))
    assert "fields[0].goals[0]" in message
    assert "I.2.2 gehört nach ihrem Code nicht zum Ziel I.1" in message


def test_bad_syntax_names_line(tmp_path: Path) -> None:
    message = error_for(tmp_path, VALID.replace("title: Feld", "title: [Feld"))
    assert "ungültige Syntax" in message
    assert "Zeile 1" in message


def test_unknown_key(tmp_path: Path) -> None:
    message = error_for(tmp_path, VALID.replace("title: Feld", "titel: Feld"))
    assert "fields[0]" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"plan\.yaml: Datei nicht gefunden"):
        load_catalogue(tmp_path / "plan.yaml")
