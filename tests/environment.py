"""The settings' environment variables, so tests can run without the developer's."""

from __future__ import annotations

from bot.config.settings import Settings

# Every variable the bot reads: a setting's alias where it has one (``zone`` is read from
# ``TIMEZONE``), else its name.
SETTINGS_VARIABLES = tuple(
    (info.alias or name).upper() for name, info in Settings.model_fields.items()
)


def without_settings(environment: dict[str, str]) -> dict[str, str]:
    """``environment`` without any of the bot's settings (for a subprocess)."""
    return {k: v for k, v in environment.items() if k.upper() not in SETTINGS_VARIABLES}
