"""Configuration from the environment: defaults, precise errors, and a token kept secret."""

from __future__ import annotations

import importlib.util
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config.settings import TELEGRAM_API_BASE_URL, SettingsError, load_settings
from bot.config.timetable import WorkingHours
from tests.environment import SETTINGS_VARIABLES

TOKEN = "123456789:AAHsecretSECRETsecret_abcdefghijk"


def test_defaults() -> None:
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_base_url == TELEGRAM_API_BASE_URL
    assert settings.effective_database_url == "sqlite+aiosqlite:///data/monitoring.sqlite3"
    assert settings.coordination_chat_id is None
    assert settings.zone == ZoneInfo("Europe/Berlin")
    assert settings.catalogue_path is None
    assert settings.working_hours == WorkingHours(time(8, 0), time(17, 0))
    assert settings.timetable.zone == ZoneInfo("Europe/Berlin")
    assert (settings.timetable.work_start, settings.timetable.work_end) == (time(8), time(17))


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nCOORDINATION_CHAT_ID=-1001234\nTIMEZONE=Europe/Vienna\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot@db/monitoring")
    monkeypatch.setenv("TIMEZONE", "Europe/Zurich")  # the environment wins over .env
    settings = load_settings()
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == TOKEN
    assert settings.coordination_chat_id == -1001234
    assert settings.zone == ZoneInfo("Europe/Zurich")
    assert settings.effective_database_url == "postgresql+asyncpg://bot@db/monitoring"


def test_timezone_from_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TIMEZONE=Europe/Vienna\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_settings().zone == ZoneInfo("Europe/Vienna")


def test_overrides_by_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEZONE", "Europe/Zurich")
    assert load_settings(timezone="Asia/Tokyo").zone == ZoneInfo("Asia/Tokyo")
    assert load_settings(timezone=ZoneInfo("Asia/Tokyo")).zone == ZoneInfo("Asia/Tokyo")
    assert load_settings(working_hours="07:30-16:00").timetable.work_start == time(7, 30)
    with pytest.raises(TypeError, match="zone"):
        load_settings(zone="Asia/Tokyo")  # the variable is TIMEZONE; not silently ignored


def test_environment_variables_are_the_real_names() -> None:
    assert "TIMEZONE" in SETTINGS_VARIABLES
    assert "ZONE" not in SETTINGS_VARIABLES
    assert {"WORKING_HOURS", "HOLIDAYS", "TELEGRAM_BOT_TOKEN"} <= set(SETTINGS_VARIABLES)


def test_working_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKING_HOURS", " 07:30 - 16:15 ")
    settings = load_settings()
    assert settings.working_hours == WorkingHours(time(7, 30), time(16, 15))
    assert (settings.timetable.work_start, settings.timetable.work_end) == (
        time(7, 30),
        time(16, 15),
    )


def test_token_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load_settings()
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert TOKEN not in text
        assert "AAHsecret" not in text


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TIMEZONE", "Mars/Olymp", "Ungültige Einstellung TIMEZONE: unbekannte Zeitzone 'Mars/Olymp' (Beispiel: Europe/Berlin)"),
        ("TIMEZONE", "", "Ungültige Einstellung TIMEZONE: unbekannte Zeitzone '' (Beispiel: Europe/Berlin)"),
        ("WORKING_HOURS", "17:00-08:00", "Ungültige Einstellung WORKING_HOURS: erwartet Beginn-Ende, z. B. 08:00-17:00"),
        ("WORKING_HOURS", "8 bis 17", "Ungültige Einstellung WORKING_HOURS: erwartet Beginn-Ende, z. B. 08:00-17:00"),
        ("WORKING_HOURS", "08:00", "Ungültige Einstellung WORKING_HOURS: erwartet Beginn-Ende, z. B. 08:00-17:00"),
        ("HOLIDAYS", "Augsburg", "Ungültige Einstellung HOLIDAYS: erwartet das Kürzel eines Bundeslands (BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP, SH, SL, SN, ST, TH) oder nichts"),
        ("COORDINATION_CHAT_ID", "Koordination", "Ungültige Einstellung COORDINATION_CHAT_ID: erwartet wird eine ganze Zahl"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "Ungültige Einstellung TELEGRAM_BOT_TOKEN: hat nicht die Form"),
        ("TELEGRAM_API_BASE_URL", "localhost:8081/bot", "Ungültige Einstellung TELEGRAM_API_BASE_URL: muss mit http"),
        ("DATABASE_URL", "mysql://x", "Ungültige Einstellung DATABASE_URL: erwartet sqlite"),
        ("DATABASE_URL", "::kaputt", "Ungültige Einstellung DATABASE_URL: erwartet sqlite"),
        ("DATABASE_URL", "sqlite:///daten.db", "Ungültige Einstellung DATABASE_URL: braucht den asynchronen Treiber: bitte sqlite+aiosqlite://… statt sqlite://… angeben"),
        ("DATABASE_URL", "postgresql://u:geheim@h/db", "Ungültige Einstellung DATABASE_URL: braucht den asynchronen Treiber: bitte postgresql+asyncpg://… statt postgresql://… angeben"),
        ("DATABASE_URL", "postgresql+psycopg2://u@h/db", "Ungültige Einstellung DATABASE_URL: braucht den asynchronen Treiber"),
    ],
)  # fmt: skip
def test_bad_value_gets_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert "Traceback" not in message


def test_postgresql_without_its_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "asyncpg" else real(name, *a)
    )
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:geheim@h/db")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == (
        "Ungültige Einstellung DATABASE_URL: für PostgreSQL fehlt das Paket asyncpg: bitte mit "
        ".venv/bin/pip install -e '.[postgres]' installieren"
    )
    assert "geheim" not in str(caught.value)


def test_bad_token_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "secret-without-colon")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "secret-without-colon" not in str(caught.value)


def test_empty_values_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "COORDINATION_CHAT_ID", "CATALOGUE_PATH"):
        monkeypatch.setenv(name, "")
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.database_url is None
    assert settings.coordination_chat_id is None
    assert settings.catalogue_path is None


def test_small_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_USERNAME", "@Mainz_Monitoring_Bot")
    monkeypatch.setenv("INVITATION_VALID_DAYS", "7")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.bot_username == "Mainz_Monitoring_Bot"
    assert settings.invitation_valid_days == 7
    assert settings.log_level == "DEBUG"
    assert settings.timetable.holidays_of == "RP"  # Mainz
    monkeypatch.setenv("HOLIDAYS", " by ")
    assert load_settings().timetable.holidays_of == "BY"
    monkeypatch.setenv("HOLIDAYS", "")
    assert load_settings().timetable.holidays_of == ""


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "INVITATION_VALID_DAYS",
            "0",
            "INVITATION_VALID_DAYS: liegt außerhalb des erlaubten Bereichs",
        ),
        ("INVITATION_VALID_DAYS", "zwei", "INVITATION_VALID_DAYS: erwartet wird eine ganze Zahl"),
        ("LOG_LEVEL", "laut", "LOG_LEVEL: erlaubt sind DEBUG, INFO, WARNING, ERROR"),
        ("BOT_USERNAME", "t.me/bot", "BOT_USERNAME: erwartet den Benutzernamen"),
        ("HOLIDAYS", "Mainz", "HOLIDAYS: erwartet das Kürzel eines Bundeslands (BB, BE,"),
    ],
)
def test_more_bad_values(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"Ungültige Einstellung {expected}")


def test_evidence_copies_go_into_data_dir_unless_it_is_empty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().data_dir == Path("data")
    monkeypatch.setenv("DATA_DIR", "")
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///bot.sqlite3")
    assert load_settings().data_dir is None
    monkeypatch.setenv("DATABASE_URL", "")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value) == (
        "Ungültige Einstellung: DATA_DIR ist leer (keine Dateien); dann muss DATABASE_URL "
        "die Datenbank nennen"
    )


def test_files_come_from_the_bot_api_servers_file_address() -> None:
    assert load_settings().telegram_file_base_url == "https://api.telegram.org/file/bot"
    own = load_settings(telegram_api_base_url="http://127.0.0.1:8081/bot")
    assert own.telegram_file_base_url == "http://127.0.0.1:8081/file/bot"


def test_contact_and_privacy_defaults() -> None:
    settings = load_settings()
    assert settings.coordination_office == "Büro für Migration und Integration"
    assert settings.contact_line is None
    assert settings.privacy_controller is None  # then: "Stadt <city>, <office>"
    assert settings.privacy_contact is None
    assert settings.privacy_legal_basis == (
        "Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit § 3 LDSG Rheinland-Pfalz"
    )
    assert "Berichte und Belege" in settings.privacy_retention
    assert "Koordinierungsstelle" in settings.privacy_purpose
    assert "Rheinland-Pfalz" in settings.privacy_authority


def test_contact_and_privacy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COORDINATION_OFFICE", " Amt für Vielfalt ")
    monkeypatch.setenv("CONTACT_LINE", "vielfalt@example.org, Tel. 0123 45-6")
    monkeypatch.setenv("PRIVACY_CONTROLLER", "Stadt Musterstadt, Der Oberbürgermeister")
    monkeypatch.setenv("PRIVACY_CONTACT", "datenschutz@example.org")
    monkeypatch.setenv("PRIVACY_PURPOSE", "Monitoring.")
    monkeypatch.setenv("PRIVACY_LEGAL_BASIS", "Art. 6 Abs. 1 lit. e DSGVO, § 3 HDSIG")
    monkeypatch.setenv("PRIVACY_RETENTION", "Fünf Jahre nach Ende des Konzepts.")
    monkeypatch.setenv("PRIVACY_AUTHORITY", "Hessischer Beauftragter für Datenschutz")
    settings = load_settings()
    assert settings.coordination_office == "Amt für Vielfalt"
    assert settings.contact_line == "vielfalt@example.org, Tel. 0123 45-6"
    assert settings.privacy_controller == "Stadt Musterstadt, Der Oberbürgermeister"
    assert settings.privacy_contact == "datenschutz@example.org"
    assert settings.privacy_purpose == "Monitoring."
    assert settings.privacy_legal_basis == "Art. 6 Abs. 1 lit. e DSGVO, § 3 HDSIG"
    assert settings.privacy_retention == "Fünf Jahre nach Ende des Konzepts."
    assert settings.privacy_authority == "Hessischer Beauftragter für Datenschutz"


def test_empty_texts_are_as_if_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty line in .env leaves out what has no default and keeps the defaults."""
    names = (
        "COORDINATION_OFFICE",
        "CONTACT_LINE",
        "PRIVACY_CONTROLLER",
        "PRIVACY_CONTACT",
        "PRIVACY_PURPOSE",
        "PRIVACY_LEGAL_BASIS",
        "PRIVACY_RETENTION",
        "PRIVACY_AUTHORITY",
    )
    defaults = load_settings()
    for name in names:
        monkeypatch.setenv(name, "  ")
    settings = load_settings()
    assert settings == defaults
    assert settings.contact_line is None
    assert settings.privacy_controller is None
    assert settings.privacy_contact is None
    assert settings.coordination_office == "Büro für Migration und Integration"
    assert settings.privacy_legal_basis.startswith("Art. 6 Abs. 1 lit. e DSGVO")
