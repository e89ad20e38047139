"""Private commands no other handler took."""

from __future__ import annotations

from telegram.ext import filters

from bot.render import texts
from conversations.framework import Reply, Request, Router, stranger_text

router = Router()


@router.private_message(filters.COMMAND)
async def unknown_command(request: Request) -> Reply:
    if request.active_contact is None:
        if request.contact is None:
            return Reply(stranger_text(request.services.settings))
        return Reply(texts.DEACTIVATED)
    return Reply(texts.UNKNOWN_COMMAND)
