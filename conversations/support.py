"""Support requests as a loop: noticed at once, taken over, resolved, the asker told.

When a submitted report asks for support, the coordination group (or, without one, each
coordinator privately) gets a notice with "Ich kümmere mich", "Erledigt" and "Erledigt mit
Notiz …". Every copy of the notice shows the current state; the contact who asked hears
who took it and when it was resolved. /bitten lists what is open, across rounds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Message
from telegram.ext import filters

from bot.render import texts
from bot.render.support import notice, open_list, told_resolved, told_taken, where
from conversations.access import Audience
from conversations.framework import Buttons, Reply, Request, Router, Services, coordination_chats
from conversations.payloads import SupportResolve, SupportShow, SupportTake
from storage.models import Report
from storage.support import (
    NOTE,
    NOTICE,
    SupportItem,
    notices_of,
    open_requests,
    register_requests,
    remember_message,
    request_for_note,
    request_item,
    resolve,
    take,
)

router = Router()
LISTED = 10  # open requests with a button in /bitten


def remembered(svc: Services, request_id: int, kind: str) -> Callable[[int, int], Awaitable[None]]:
    """Remember a sent message about a request (to update it, or to match a reply)."""

    async def store(chat_id: int, message_id: int) -> None:
        async with svc.sessions() as session, session.begin():
            await remember_message(session, request_id, chat_id, message_id, kind)

    return store


def buttons(item: SupportItem) -> Buttons:
    if item.resolved_at is not None:
        return []
    done = [
        (texts.SUPPORT_DONE, SupportResolve(item.id, 0)),
        (texts.SUPPORT_DONE_NOTE, SupportResolve(item.id, 1)),
    ]
    return (
        [done]
        if item.taken_at is not None
        else [[(texts.SUPPORT_TAKE, SupportTake(item.id))], done]
    )


async def submitted_requests(request: Request, report: Report) -> list[Reply]:
    """After a submission: open the requests it asks for and notify the coordination."""
    session, svc = request.session, request.services
    replies = []
    for request_id in await register_requests(session, report, request.now):
        item = await request_item(session, request_id)
        assert item is not None
        text = notice(item, svc.settings.zone)
        for chat_id in await coordination_chats(session, svc):
            replies.append(
                Reply(
                    text,
                    buttons(item),
                    chat_id=chat_id,
                    on_sent=remembered(svc, request_id, NOTICE),
                )
            )
    return replies


async def updated_everywhere(request: Request, item: SupportItem) -> list[Reply]:
    """Every notice about the request, edited to its current state."""
    text = notice(item, request.services.settings.zone)
    return [
        Reply(text, buttons(item), chat_id=chat_id, edit_message_id=message_id)
        for chat_id, message_id in await notices_of(request.session, item.id)
    ]


def told(item: SupportItem, text: str) -> list[Reply]:
    """A message to the contact who asked (if they can still be reached)."""
    return [] if item.requested_by_chat is None else [Reply(text, chat_id=item.requested_by_chat)]


@router.button(SupportTake, Audience.COORDINATOR, in_group=True)
async def take_over(request: Request, data: SupportTake) -> list[Reply]:
    coordinator = request.active_contact
    assert coordinator is not None
    if not await take(request.session, data.request_id, coordinator, request.now):
        return [Reply(texts.SUPPORT_ALREADY_RESOLVED)]
    item = await request_item(request.session, data.request_id)
    assert item is not None
    return [*await updated_everywhere(request, item), *told(item, told_taken(item))]


@router.button(SupportResolve, Audience.COORDINATOR, in_group=True)
async def resolve_button(request: Request, data: SupportResolve) -> list[Reply]:
    item = await request_item(request.session, data.request_id)
    if item is None or item.resolved_at is not None:
        return [Reply(texts.SUPPORT_ALREADY_RESOLVED)]
    if data.with_note:
        prompt = texts.fill(texts.SUPPORT_ASK_NOTE, where=where(item), office=item.office)
        return [
            Reply(
                prompt,
                force_reply=True,
                on_sent=remembered(request.services, item.id, NOTE),
            )
        ]
    return await resolved(request, item.id, None)


async def resolved(request: Request, request_id: int, note: str | None) -> list[Reply]:
    coordinator = request.active_contact
    assert coordinator is not None
    if not await resolve(request.session, request_id, coordinator, request.now, note):
        return [Reply(texts.SUPPORT_ALREADY_RESOLVED)]
    item = await request_item(request.session, request_id)
    assert item is not None
    return [*await updated_everywhere(request, item), *told(item, told_resolved(item))]


class _ReplyToNotePrompt(filters.MessageFilter):
    """Text that answers the bot's prompt for a note (Telegram's reply to that message)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(
            message.text
            and replied is not None
            and replied.from_user is not None
            and replied.from_user.is_bot
            and (replied.text or "").startswith(texts.SUPPORT_NOTE_PREFIX)
        )


@router.message(_ReplyToNotePrompt() & ~filters.COMMAND, Audience.COORDINATOR)
async def note_given(request: Request) -> list[Reply]:
    message = request.update.effective_message
    assert message is not None
    assert message.reply_to_message is not None  # the filter let only replies through
    request_id = await request_for_note(
        request.session, message.chat_id, message.reply_to_message.message_id
    )
    if request_id is None:
        return [Reply(texts.STALE_BUTTON)]
    return await resolved(request, request_id, message.text)


@router.command("bitten")
async def open_support(request: Request) -> Reply:
    """/bitten: the open requests, each with a button that shows its notice again."""
    items = await open_requests(request.session)
    text = open_list(items, request.services.settings.zone)
    rows: Buttons = [
        [(texts.fill(texts.SUPPORT_SHOW, number=n, where=where(item)), SupportShow(item.id))]
        for n, item in enumerate(items[:LISTED], start=1)
    ]
    return Reply(text, rows)


@router.button(SupportShow, Audience.COORDINATOR, in_group=True)
async def show(request: Request, data: SupportShow) -> Reply:
    item = await request_item(request.session, data.request_id)
    if item is None:
        return Reply(texts.STALE_BUTTON)
    return Reply(
        notice(item, request.services.settings.zone),
        buttons(item),
        on_sent=remembered(request.services, item.id, NOTICE),
    )
