"""The systemd unit in deploy/: it runs ``monitoring-bot run`` as intended, and systemd
accepts it (``systemd-analyze verify``, where systemd is installed)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "monitoring-bot.service"
INSTALLED = Path(sys.executable).parent / "monitoring-bot"


def read_unit(text: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True, empty_lines_in_values=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    unit.read_string(text)
    return unit


def test_the_unit_runs_the_bot_from_its_venv_as_its_own_user_and_hardened() -> None:
    unit = read_unit(UNIT.read_text(encoding="utf-8"))
    assert unit.sections() == ["Unit", "Service", "Install"]
    service = unit["Service"]
    program, *arguments = service["ExecStart"].split()
    assert program == "/opt/monitoring-bot/.venv/bin/monitoring-bot"
    assert arguments == ["run"]
    assert service["EnvironmentFile"] == "/etc/monitoring-bot/env"
    assert service["User"] == service["Group"] == "monitoring-bot"
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == str(EXIT_USAGE)  # wrong settings
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["ProtectHome"] == "yes"
    variable, _, data_dir = service["Environment"].partition("=")
    assert variable == "DATA_DIR"
    assert data_dir in service["ReadWritePaths"].split()  # the database and evidence copies
    assert service["WorkingDirectory"] == data_dir
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here"
)
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    """``verify`` wants ExecStart to exist: the copy runs this venv's monitoring-bot."""
    assert INSTALLED.is_file(), "the package is not installed in this venv"
    text = UNIT.read_text(encoding="utf-8")
    original = read_unit(text)["Service"]["ExecStart"]
    copy = tmp_path / UNIT.name
    copy.write_text(text.replace(f"ExecStart={original}", f"ExecStart={INSTALLED} run"))

    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    complaints = [line for line in result.stderr.splitlines() if UNIT.name in line]
    assert (result.returncode, complaints) == (0, []), result.stderr
