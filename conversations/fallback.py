"""Private commands no other handler took."""

from __future__ import annotations

from telegram.ext import filters

from bot.render import texts
from conversations.framework import Reply, Request, Router

router = Router()


@router.private_message(filters.COMMAND)
async def unknown_command(request: Request) -> Reply:
    if request.active_contact is None:
        return Reply(texts.DEACTIVATED if request.contact else texts.STRANGER)
    return Reply(texts.UNKNOWN_COMMAND)
