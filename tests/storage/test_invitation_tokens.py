"""Invitation tokens: at least 128 random bits, stored and looked up only as a hash."""

from __future__ import annotations

import base64
import hashlib
import math
import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from seed.schema import Catalogue
from storage.models import Invitation, Role
from storage.people import Redemption, create_invitation, hash_token, new_token, redeem_invitation
from storage.setup import init_database

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")
MIN_BITS = 128


def test_tokens_carry_at_least_128_random_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int | None] = []
    real = secrets.token_urlsafe

    def spy(nbytes: int | None = None) -> str:
        asked.append(nbytes)
        return real(nbytes)

    monkeypatch.setattr(secrets, "token_urlsafe", spy)  # storage.people calls it by module
    tokens = [new_token() for _ in range(500)]
    # drawn from the operating system's CSPRNG, with enough bytes
    assert len(asked) == 500
    assert all(n is not None and n * 8 >= MIN_BITS for n in asked)
    for token in tokens:
        assert URL_SAFE.match(token), token
        # 6 bits per character of the URL-safe alphabet; it decodes back to the random bytes
        assert len(token) * 6 >= MIN_BITS
        assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= MIN_BITS
        assert len(token) <= 64  # what a t.me start parameter may hold
    assert len(set(tokens)) == len(tokens)
    # every position varies over (nearly) the whole alphabet: not a counter or a timestamp
    for position in range(math.ceil(MIN_BITS / 6)):
        assert len({token[position] for token in tokens}) > 48


async def test_only_the_hash_is_stored_and_looked_up(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mainz: Catalogue
) -> None:
    await init_database(engine, mainz)
    async with sessions() as session, session.begin():
        token = await create_invitation(
            session, role=Role.COORDINATOR, office=None, now=NOW, valid_for=timedelta(days=1)
        )
    async with sessions() as session:
        [row] = list(await session.scalars(select(Invitation)))
    values = [str(getattr(row, c.key)) for c in Invitation.__mapper__.column_attrs]
    assert not any(token in value for value in values)
    assert row.token_hash == hash_token(token) == hashlib.sha256(token.encode()).hexdigest()

    async with sessions() as session, session.begin():
        # the stored hash is no key: a lookup hashes what it is given
        by_hash = await redeem_invitation(
            session, row.token_hash, telegram_user_id=1, display_name="A", now=NOW
        )
        assert by_hash.outcome is Redemption.UNKNOWN
        by_token = await redeem_invitation(
            session, token, telegram_user_id=1, display_name="A", now=NOW
        )
        assert by_token.outcome is Redemption.ACCEPTED
