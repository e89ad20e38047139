"""The settings' environment variables, so tests can run without the developer's."""

from __future__ import annotations

from bot.config.settings import Settings

# Every variable the bot reads (each setting is read from the variable of its name).
SETTINGS_VARIABLES = tuple(name.upper() for name in Settings.model_fields)


def without_settings(environment: dict[str, str]) -> dict[str, str]:
    """``environment`` without any of the bot's settings (for a subprocess)."""
    return {k: v for k, v in environment.items() if k.upper() not in SETTINGS_VARIABLES}
