"""Fixtures: a running stand-in and a real PTB Application polling it."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.standin import BotApiStandIn

TOKEN = "7000000001:AAStandInTokenForTests-0123456789abcdef"
LABELS = {"yes": "Ja", "no": "Nein"}
AnyApp = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class Harness:
    """The stand-in plus the running test bot and what its handlers observed."""

    standin: BotApiStandIn
    app: AnyApp
    errors: list[BaseException] = field(default_factory=list)
    seen_update_ids: list[int] = field(default_factory=list)
    seen_commands: list[tuple[str, int, int]] = field(default_factory=list)


def build_app(standin: BotApiStandIn, token: str = TOKEN) -> AnyApp:
    return (
        Application.builder()
        .token(token)
        .base_url(standin.base_url)
        .base_file_url(standin.base_file_url)
        .build()
    )


def add_test_handlers(harness: Harness) -> None:
    """A tiny bot: /start with a keyboard, buttons that edit, and some misbehaving commands."""
    app = harness.app

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        harness.seen_update_ids.append(update.update_id)
        message = update.message
        if message is not None and message.entities:
            entity = message.entities[0]
            if entity.type == "bot_command":
                harness.seen_commands.append((message.text or "", entity.offset, entity.length))

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        assert update.effective_user is not None
        payload = " ".join(context.args or []) or "-"
        name = html.escape(update.effective_user.first_name)
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=data) for data, label in LABELS.items()]]
        )
        await update.effective_message.reply_text(
            f"Hallo <b>{name}</b>! Payload: {html.escape(payload)}",
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        data = query.data or ""
        if data not in LABELS:
            await query.answer("Unbekannte Auswahl", show_alert=True)
            raise ApplicationHandlerStop
        await query.answer(f"Gewählt: {data}")
        await query.edit_message_text(
            f"Du hast <i>{LABELS[data]}</i> gewählt.", parse_mode=ParseMode.HTML
        )

    async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Status OK")

    async def long(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("x" * 4097)

    async def bigbutton(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Zu große Daten",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Los", callback_data="d" * 65)]]
            ),
        )

    async def badhtml(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("<b>1 < 2", parse_mode=ParseMode.HTML)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        text = html.escape(update.effective_message.text or "")
        await update.effective_message.reply_text(f"Echo: <code>{text}</code>", parse_mode="HTML")

    async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Bitte schick mir Text.")

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        harness.errors.append(context.error)

    app.add_handler(TypeHandler(Update, record), group=-1)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("status", status))
    app.add_handler(CommandHandler("long", long))
    app.add_handler(CommandHandler("bigbutton", bigbutton))
    app.add_handler(CommandHandler("badhtml", badhtml))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(~filters.TEXT, not_text))
    app.add_error_handler(on_error)


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token=TOKEN) as running:
        yield running


@pytest.fixture
async def harness(standin: BotApiStandIn) -> AsyncIterator[Harness]:
    app = build_app(standin)
    result = Harness(standin=standin, app=app)
    add_test_handlers(result)
    await app.initialize()
    try:
        await app.start()
        try:
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                yield result
            finally:
                await app.updater.stop()
        finally:
            await app.stop()
    finally:
        await app.shutdown()
    assert standin.internal_errors == []
