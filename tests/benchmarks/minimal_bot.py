"""The yardstick of the load benchmark: a minimal python-telegram-bot bot (no database).

    TELEGRAM_BOT_TOKEN=… TELEGRAM_API_BASE_URL=http://127.0.0.1:…/bot \\
        .venv/bin/python -m tests.benchmarks.minimal_bot

Started by :mod:`tests.benchmarks.load` as a process of its own, configured by the same
two environment variables as ``monitoring-bot run``. It answers every message with a
message with two inline buttons, and every button press with ``answerCallbackQuery`` and
an edit of the pressed message (new text, the same two buttons). Nothing else: no
database, no schedule, no command menus.

What it shares with the real bot, so that the two compare like with like: long polling
with python-telegram-bot's ``run_polling`` (updates handled one at a time, its default),
``AIORateLimiter(max_retries=3)`` with its default budget (30 calls with a chat per second
overall, 20 per minute and group), HTML as the parse mode, and logging at INFO with
httpx's per-request lines off.
"""

from __future__ import annotations

import itertools
import logging
import os
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

NEXT, BACK = "Weiter", "Zurück"  # the two buttons; the simulated people press NEXT
KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton(NEXT, callback_data="n"), InlineKeyboardButton(BACK, callback_data="b")]]
)
_counter = itertools.count(1)  # every text differs: an edit never repeats the message


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(chat.id, f"<b>Frage {next(_counter)}</b>", reply_markup=KEYBOARD)


async def on_button(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await query.edit_message_text(f"<b>Antwort {next(_counter)}</b>", reply_markup=KEYBOARD)


def build(token: str, base_url: str) -> Application[Any, Any, Any, Any, Any, Any]:
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.ALL, on_message))
    return application


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    application = build(os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_BASE_URL"])
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
