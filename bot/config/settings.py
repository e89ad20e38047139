"""All configuration in one place: environment variables and an optional ``.env`` file."""

from __future__ import annotations

import importlib.util
import re
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticUseDefault
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config.timetable import STATES, Timetable, WorkingHours
from storage.reporting import Cadence

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATA_DIR = Path("data")

# What the bot tells people about whom to ask and about data protection, unless configured.
DEFAULT_COORDINATION_OFFICE = "Büro für Migration und Integration"
DEFAULT_PRIVACY_PURPOSE = (
    "Allein die Begleitung des Integrationskonzepts durch die Koordinierungsstelle (Stand der "
    "Maßnahmen erfragen, auswerten, berichten)."
)
DEFAULT_PRIVACY_LEGAL_BASIS = (
    "Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit § 3 LDSG Rheinland-Pfalz"
)
DEFAULT_PRIVACY_RETENTION = (
    "Berichte und Belege für die Dauer des Monitorings, danach nach den Aufbewahrungsfristen "
    "der Stadtverwaltung; Ihr Konto, bis Sie sich abmelden."
)
DEFAULT_PRIVACY_AUTHORITY = (
    "Landesbeauftragter für den Datenschutz und die Informationsfreiheit Rheinland-Pfalz"
)


# The asyncio driver of each supported database (the bot and its migrations use asyncio).
ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


# What Telegram accepts as a webhook's secret token
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    """Settings of the bot.

    Each field is read from the environment variable of its name, or of its alias where it
    has one (``zone`` from ``TIMEZONE``).
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
        frozen=True,
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, description="Token des Bots von @BotFather."
    )
    telegram_api_base_url: str = Field(
        default=TELEGRAM_API_BASE_URL,
        description="Adresse der Bot API, wie python-telegram-bot sie als base_url nimmt.",
    )
    data_dir: Path | None = Field(
        default=DEFAULT_DATA_DIR,
        description=(
            "Verzeichnis für die SQLite-Datenbank und die Kopien der Belege; leer: keine "
            "Kopien (dann ist DATABASE_URL nötig)."
        ),
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy-URL; ohne Angabe eine SQLite-Datei in DATA_DIR.",
    )
    coordination_chat_id: int | None = Field(
        default=None, description="Chat-ID der Gruppe der Koordinierungsstelle."
    )
    # Read as ``settings.zone``, set by the variable TIMEZONE: the alias is also the keyword
    # of load_settings() (``timezone=``, case does not matter) and names a bad value.
    zone: ZoneInfo = Field(
        default=ZoneInfo("Europe/Berlin"),
        alias="TIMEZONE",
        description="Zeitzone für Termine und Anzeigen.",
    )
    bot_username: str | None = Field(
        default=None,
        description="Benutzername des Bots für Einladungslinks; ohne Angabe per getMe erfragt.",
    )
    invitation_valid_days: int = Field(
        default=14, ge=1, le=365, description="Gültigkeit eines Einladungslinks in Tagen."
    )
    reporting_cadence: Cadence = Field(
        default=Cadence.MONTHLY, description="Rhythmus der Berichtsrunden."
    )
    auto_rounds: bool = Field(
        default=True, description="Berichtsrunden im Rhythmus automatisch öffnen."
    )
    reminder_days: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(3, 7), description="Erinnerungen so viele Tage nach Rundenbeginn (z. B. 3,7)."
    )
    working_hours: Annotated[WorkingHours, NoDecode] = Field(
        default=WorkingHours(time(8, 0), time(17, 0)),
        description="Arbeitszeit für Erinnerungen, Montag bis Freitag (z. B. 08:00-17:00).",
    )
    holidays: str = Field(
        default="RP",
        description="Bundesland, an dessen Feiertagen niemand erinnert wird (Kürzel wie RP); "
        "leer: keine Feiertage.",
    )
    summary_weekday: int = Field(
        default=1, ge=1, le=7, description="Wochentag der Wochenzusammenfassung (1 = Montag)."
    )
    summary_time: time = Field(
        default=time(9, 0), description="Uhrzeit der Wochenzusammenfassung (Ortszeit)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Ausführlichkeit des Logs."
    )
    catalogue_path: Path | None = Field(
        default=None, description="Eigener Maßnahmenkatalog; ohne Angabe der Mainzer Plan."
    )
    coordination_office: str = Field(
        default=DEFAULT_COORDINATION_OFFICE,
        description="Name der Stelle, bei der die Koordinierungsstelle angesiedelt ist.",
    )
    contact_line: str | None = Field(
        default=None,
        description=(
            "Wie Unbekannte die Koordinierungsstelle erreichen (E-Mail oder Telefon); "
            "ohne Angabe entfällt der Satz."
        ),
    )
    privacy_controller: str | None = Field(
        default=None,
        description=(
            "Verantwortliche Stelle im Sinne der DSGVO; ohne Angabe „Stadt <Stadt des "
            "Katalogs>, <COORDINATION_OFFICE>“."
        ),
    )
    privacy_contact: str | None = Field(
        default=None,
        description="Kontakt der oder des Datenschutzbeauftragten; ohne Angabe entfällt die Zeile.",
    )
    privacy_purpose: str = Field(
        default=DEFAULT_PRIVACY_PURPOSE, description="Zweck der Verarbeitung für /datenschutz."
    )
    privacy_legal_basis: str = Field(
        default=DEFAULT_PRIVACY_LEGAL_BASIS, description="Rechtsgrundlage für /datenschutz."
    )
    privacy_retention: str = Field(
        default=DEFAULT_PRIVACY_RETENTION,
        description="Wie lange Berichte, Belege und Konten gespeichert bleiben (/datenschutz).",
    )
    privacy_authority: str = Field(
        default=DEFAULT_PRIVACY_AUTHORITY,
        description="Datenschutz-Aufsichtsbehörde, bei der man sich beschweren kann.",
    )

    webhook_url: str | None = Field(
        default=None,
        description=(
            "Öffentliche HTTPS-Adresse, an die Telegram die Updates schickt (Webhook); "
            "ohne Angabe holt der Bot sie selbst ab (Long Polling)."
        ),
    )
    webhook_listen: str = Field(
        default="127.0.0.1",
        description="Adresse, auf der der Bot Webhook-Anfragen des Reverse Proxy annimmt.",
    )
    webhook_port: int = Field(
        default=8443, ge=1, le=65535, description="Port, auf dem der Bot Webhook-Anfragen annimmt."
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description=(
            "Geheimes Token, das Telegram bei jeder Webhook-Anfrage mitschickt (1–256 Zeichen "
            "A–Z, a–z, 0–9, _ und -); ohne Angabe erzeugt und in der Datenbank gespeichert."
        ),
    )

    @field_validator("telegram_bot_token", "webhook_secret", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            bot_id, colon, secret = value.get_secret_value().partition(":")
            if not (colon and bot_id.isdigit() and secret):
                raise ValueError(
                    "hat nicht die Form '123456789:ABC…' (so, wie @BotFather ihn nennt)"
                )
        return value

    @field_validator(
        "coordination_office",
        "contact_line",
        "privacy_controller",
        "privacy_contact",
        "privacy_purpose",
        "privacy_legal_basis",
        "privacy_retention",
        "privacy_authority",
        mode="before",
    )
    @classmethod
    def _empty_text_is_unset(cls, value: object) -> object:
        """A text without spaces around it; an empty one is as if not set (the default)."""
        if isinstance(value, str):
            value = value.strip()
            if not value:
                raise PydanticUseDefault
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("muss mit http:// oder https:// beginnen")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("erlaubt sind 1 bis 256 Zeichen aus A–Z, a–z, 0–9, _ und -")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("muss mit https:// beginnen (Telegram schickt nur an HTTPS)")
        return value

    @field_validator(
        "database_url",
        "coordination_chat_id",
        "catalogue_path",
        "bot_username",
        "webhook_url",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        """An address the bot can use: SQLite or PostgreSQL with their asyncio drivers.

        The messages never repeat the address: it may hold a password.
        """
        if value is None:
            return None
        expected = "erwartet sqlite+aiosqlite:///… oder postgresql+asyncpg://…"
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(expected) from None
        wanted = ASYNC_DRIVERS.get(url.get_backend_name())
        if wanted is None:
            raise ValueError(expected)
        if url.drivername != wanted:
            raise ValueError(
                f"braucht den asynchronen Treiber: bitte {wanted}://… statt "
                f"{url.drivername}://… angeben"
            )
        if wanted == ASYNC_DRIVERS["postgresql"] and importlib.util.find_spec("asyncpg") is None:
            raise ValueError(
                "für PostgreSQL fehlt das Paket asyncpg: bitte mit "
                ".venv/bin/pip install -e '.[postgres]' installieren"
            )
        return value

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() and int(part) > 0 for part in parts):
                raise ValueError("erwartet ganze Tageszahlen, durch Komma getrennt, z. B. 3,7")
            return tuple(int(part) for part in parts)
        return value

    @field_validator("holidays")
    @classmethod
    def _known_state(cls, value: str) -> str:
        code = value.strip().upper()
        if code and code not in STATES:
            raise ValueError(
                f"erwartet das Kürzel eines Bundeslands ({', '.join(STATES)}) oder nichts"
            )
        return code

    @field_validator("working_hours", mode="before")
    @classmethod
    def _parse_hours(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return WorkingHours.parse(value)
            except ValueError:
                raise ValueError("erwartet Beginn-Ende, z. B. 08:00-17:00") from None
        return value

    @field_validator("working_hours")
    @classmethod
    def _hours_in_order(cls, value: WorkingHours) -> WorkingHours:
        try:
            return value.checked()
        except ValueError:
            raise ValueError("erwartet Beginn-Ende, z. B. 08:00-17:00") from None

    @cached_property
    def timetable(self) -> Timetable:
        return Timetable(
            zone=self.zone,
            cadence=self.reporting_cadence,
            work_start=self.working_hours.start,
            work_end=self.working_hours.end,
            reminder_days=self.reminder_days,
            summary_weekday=self.summary_weekday,
            summary_time=self.summary_time,
            holidays_of=self.holidays,
        )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("bot_username")
    @classmethod
    def _username_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        name = value.strip().removeprefix("@")
        if not (name.isascii() and name.replace("_", "").isalnum() and 5 <= len(name) <= 32):
            raise ValueError("erwartet den Benutzernamen des Bots, z. B. mainz_monitoring_bot")
        return name

    @field_validator("data_dir", mode="before")
    @classmethod
    def _empty_data_dir_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _database_somewhere(self) -> Settings:
        if self.data_dir is None and not self.database_url:
            raise ValueError(
                "DATA_DIR ist leer (keine Dateien); dann muss DATABASE_URL die Datenbank nennen"
            )
        return self

    @property
    def telegram_file_base_url(self) -> str:
        """Where files are downloaded from: ``…/bot`` of the Bot API becomes ``…/file/bot``."""
        base = self.telegram_api_base_url.rstrip("/")
        head, _, last = base.rpartition("/")
        return f"{head}/file/{last}"

    @cached_property
    def effective_database_url(self) -> str:
        """The URL to connect to: the configured one or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        assert self.data_dir is not None  # checked by _database_somewhere
        return f"sqlite+aiosqlite:///{(self.data_dir / 'monitoring.sqlite3').as_posix()}"


class SettingsError(Exception):
    """Bad configuration; ``str()`` is one line per bad variable, naming it."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings; turn validation errors into a :class:`SettingsError`.

    ``overrides`` are keyed by variable, in any case (``timezone=`` for ``TIMEZONE``);
    any other key is a TypeError rather than silently ignored (``zone=`` included).
    """
    known = {(info.alias or name).lower() for name, info in Settings.model_fields.items()}
    unknown = sorted(key for key in overrides if key.lower() not in known)
    if unknown:
        raise TypeError(f"load_settings() got unknown settings: {', '.join(unknown)}")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_settings_error(error)) from None


def describe_settings_error(error: ValidationError) -> str:
    lines = []
    for problem in error.errors(include_url=False, include_input=False):
        variable = str(problem["loc"][0]).upper() if problem["loc"] else "Konfiguration"
        message = str(problem["msg"]).removeprefix("Value error, ")
        if problem["type"] in {"greater_than_equal", "less_than_equal"}:
            message = "liegt außerhalb des erlaubten Bereichs"
        if problem["type"] == "enum":
            message = "erlaubt sind weekly, monthly, quarterly"
        if problem["type"] in {"time_parsing", "time_type"}:
            message = "erwartet eine Uhrzeit, z. B. 09:00"
        if problem["type"] == "bool_parsing":
            message = "erwartet true oder false"
        if problem["type"] == "literal_error":
            message = "erlaubt sind DEBUG, INFO, WARNING, ERROR"
        if problem["type"] in {"zoneinfo_str", "zoneinfo_type"}:
            value = problem.get("ctx", {}).get("value", "")
            message = f"unbekannte Zeitzone {str(value)!r} (Beispiel: Europe/Berlin)"
        if problem["type"] == "int_parsing":
            message = "erwartet wird eine ganze Zahl"
            if variable == "COORDINATION_CHAT_ID":
                message += " (Gruppen-IDs sind negativ, z. B. -1001234567890)"
        if not problem["loc"]:  # a rule about several settings: the message names them
            lines.append(f"Ungültige Einstellung: {message}")
            continue
        lines.append(f"Ungültige Einstellung {variable}: {message}")
    return "\n".join(lines)
