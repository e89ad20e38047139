"""Secrets the bot generates once and shares between its processes (storage.models.GeneratedSecret)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import insert_for
from storage.models import GeneratedSecret

WEBHOOK_SECRET = "webhook_secret_token"


async def generated_secret(session: AsyncSession, name: str, now: datetime) -> str:
    """The secret called ``name``; made up (256 random bits, URL-safe letters) the first
    time. Of processes asking at the same moment, one writes it and all get that one."""
    await session.execute(
        insert_for(session)(GeneratedSecret)
        .values(name=name, value=secrets.token_urlsafe(32), created_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    value = await session.scalar(select(GeneratedSecret.value).where(GeneratedSecret.name == name))
    assert value is not None
    return value
