"""Local stand-in for the Telegram Bot API, for tests and demos with the real PTB.

Usage (inside a running event loop)::

    async with BotApiStandIn() as standin:
        app = (
            Application.builder()
            .token(standin.token)
            .base_url(standin.base_url)
            .base_file_url(standin.base_file_url)
            .build()
        )
"""

from .models import (
    ApiError,
    Call,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    MessageVersion,
    SentMessage,
    StoredFile,
)
from .standin import DEFAULT_BOT_USERNAME, DEFAULT_TOKEN, PHOTO_SIZES, BotApiStandIn, ChatRef
from .state import DOWNLOAD_LIMIT

__all__ = [
    "DEFAULT_BOT_USERNAME",
    "DEFAULT_TOKEN",
    "DOWNLOAD_LIMIT",
    "PHOTO_SIZES",
    "ApiError",
    "BotApiStandIn",
    "Call",
    "CallbackAnswer",
    "ChatRef",
    "FakeChat",
    "FakeUser",
    "MessageVersion",
    "SentMessage",
    "StoredFile",
]
