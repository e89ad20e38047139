"""Build and run the python-telegram-bot ``Application`` from the settings."""

from __future__ import annotations

from telegram.constants import ParseMode
from telegram.ext import Application, Defaults

from bot.settings import Settings


def build_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    """The bot's Application: token, Bot API address, HTML by default, local time zone."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the application")
    return (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.zone))
        .build()
    )


def run_bot(settings: Settings) -> None:
    """Long polling until SIGINT or SIGTERM."""
    build_application(settings).run_polling()
