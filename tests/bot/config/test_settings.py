"""Configuration from the environment: defaults, precise errors, and a token kept secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.settings import TELEGRAM_API_BASE_URL, SettingsError, load_settings

TOKEN = "123456789:AAHsecretSECRETsecret_abcdefghijk"


def test_defaults() -> None:
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_base_url == TELEGRAM_API_BASE_URL
    assert settings.effective_database_url == "sqlite+aiosqlite:///data/monitoring.sqlite3"
    assert settings.coordination_chat_id is None
    assert settings.timezone == "Europe/Berlin"
    assert settings.catalogue_path is None


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
    assert settings.timezone == "Europe/Zurich"
    assert settings.effective_database_url == "postgresql+asyncpg://bot@db/monitoring"


def test_token_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load_settings()
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert TOKEN not in text
        assert "AAHsecret" not in text


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TIMEZONE", "Mars/Olympus", "Ungültige Einstellung TIMEZONE: unbekannte Zeitzone"),
        ("COORDINATION_CHAT_ID", "Koordination", "Ungültige Einstellung COORDINATION_CHAT_ID: erwartet wird eine ganze Zahl"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "Ungültige Einstellung TELEGRAM_BOT_TOKEN: hat nicht die Form"),
        ("TELEGRAM_API_BASE_URL", "localhost:8081/bot", "Ungültige Einstellung TELEGRAM_API_BASE_URL: muss mit http"),
        ("DATABASE_URL", "mysql://x", "Ungültige Einstellung DATABASE_URL: erwartet sqlite"),
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
        ("HOLIDAYS", "Mainz", "HOLIDAYS: erwartet das Kürzel eines Bundeslands (BW, BY,"),
    ],
)
def test_more_bad_values(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"Ungültige Einstellung {expected}")
