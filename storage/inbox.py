"""The inbox of received Telegram updates, so that none is lost when the process dies.

python-telegram-bot confirms the updates of one ``getUpdates`` call to Telegram with the
next call, which it makes at once, before the updates are handled. An update fetched just
before the process died would be gone: Telegram does not send it again. So the updates of
every ``getUpdates`` answer are written here before python-telegram-bot sees them
(:func:`keep`), each is dropped once it was handled (:func:`drop`), and at the start the
ones still here are handled first (:func:`pending`). Handling twice is harmless: every
handler claims its update in :mod:`storage.claims` in the same transaction as its work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.claims import UPDATES_KEPT
from storage.database import insert_for
from storage.models import ProcessedUpdate, ReceivedUpdate


@dataclass(frozen=True)
class Received:
    """An update as it is kept: its id, its chat (None: none) and its JSON."""

    update_id: int
    chat_id: int | None
    data: str


def chat_of(update: Mapping[str, Any]) -> int | None:
    """The chat of an update as Telegram sends it (JSON decoded), as python-telegram-bot's
    ``effective_chat`` finds it for the kinds the bot handles: the ``chat`` of its message,
    member change or the like, or of the message a button was pressed under."""
    for key, content in update.items():
        if key == "update_id" or not isinstance(content, Mapping):
            continue
        message = content.get("message")
        chat = content.get("chat") or (
            message.get("chat") if isinstance(message, Mapping) else None
        )
        if isinstance(chat, Mapping) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return None


async def keep(session: AsyncSession, updates: Sequence[Received], now: datetime) -> None:
    """Write received updates; one received before stays as it is."""
    if not updates:
        return
    await session.execute(
        insert_for(session)(ReceivedUpdate)
        .values(
            [
                {"update_id": u.update_id, "chat_id": u.chat_id, "data": u.data, "received_at": now}
                for u in updates
            ]
        )
        .on_conflict_do_nothing(index_elements=["update_id"])
    )


async def earlier_waiting(
    session: AsyncSession, chat_id: int, update_id: int, since: datetime
) -> bool:
    """Whether an earlier update of the chat, received ``since`` then, is in the inbox and
    not handled yet: with several processes, another one received it and may not have got
    to it. One received before ``since`` is taken to be stuck (its process died, or the
    database failed while it was handled), not to be waited for."""
    waiting = await session.scalar(
        select(ReceivedUpdate.update_id)
        .where(
            ReceivedUpdate.chat_id == chat_id,
            ReceivedUpdate.update_id < update_id,
            ReceivedUpdate.received_at >= since,
            ~exists().where(ProcessedUpdate.update_id == ReceivedUpdate.update_id),
        )
        .limit(1)
    )
    return waiting is not None


async def pending(session: AsyncSession) -> list[str]:
    """The updates received but not handled (yet), in the order Telegram numbered them."""
    rows = await session.scalars(select(ReceivedUpdate.data).order_by(ReceivedUpdate.update_id))
    return list(rows)


async def drop(session: AsyncSession, update_id: int) -> None:
    """The update was handled."""
    await session.execute(delete(ReceivedUpdate).where(ReceivedUpdate.update_id == update_id))


async def forget_old(session: AsyncSession, now: datetime) -> None:
    """Drop what waited longer than :data:`storage.claims.UPDATES_KEPT` (it will not be
    handled any more: after that its id may be used again)."""
    await session.execute(
        delete(ReceivedUpdate).where(ReceivedUpdate.received_at < now - UPDATES_KEPT)
    )
