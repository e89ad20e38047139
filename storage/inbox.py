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

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.claims import UPDATES_KEPT
from storage.database import insert_for
from storage.models import ReceivedUpdate


async def keep(session: AsyncSession, updates: Sequence[tuple[int, str]], now: datetime) -> None:
    """Write (update id, JSON) of received updates; one received before stays as it is."""
    if not updates:
        return
    await session.execute(
        insert_for(session)(ReceivedUpdate)
        .values([{"update_id": i, "data": data, "received_at": now} for i, data in updates])
        .on_conflict_do_nothing(index_elements=["update_id"])
    )


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
