"""The Zalo OA's token pair kept in the database, so every process uses the same live pair.

The refresh token is single-use (§1.6): the new pair is written (both tokens and the expiry
in one row) before anyone uses it, under a lock shared by every process.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.inserts import upsert
from backend.db.models import ChannelCredential
from backend.db.types import utcnow
from backend.deliveries.locks import LockFactory
from channels.zalo import ZaloTokens

CREDENTIALS = ChannelCredential.__table__  # type: ignore[attr-defined]
_LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


class DatabaseZaloTokenStore:
    """A `channels.zalo.ZaloTokenStore` on the `channel_credentials` table."""

    def __init__(
        self,
        engine: AsyncEngine,
        key: str,
        lock: LockFactory,
        *,
        seed_refresh_token: str | None = None,
    ) -> None:
        self._engine = engine
        self._key = key
        self._lock = lock
        self._seed = seed_refresh_token

    async def get(self) -> ZaloTokens | None:
        """The stored pair; before the first refresh, the configured refresh token, already due."""
        async with self._engine.connect() as conn:
            data = (
                await conn.execute(select(CREDENTIALS.c.data).where(CREDENTIALS.c.key == self._key))
            ).scalar_one_or_none()
        if data is not None:
            return msgspec.convert(data, ZaloTokens)
        if self._seed is None:
            return None
        return ZaloTokens(
            access_token="", refresh_token=self._seed, expires_at=_LONG_AGO, refresh_after=_LONG_AGO
        )

    async def save(self, tokens: ZaloTokens) -> None:
        """Store the pair in one row, atomically."""
        async with self._engine.begin() as conn:
            await conn.execute(
                upsert(
                    conn,
                    CREDENTIALS,
                    ["key"],
                    key=self._key,
                    data=msgspec.to_builtins(tokens),
                    updated_at=utcnow(),
                )
            )

    def lock(self) -> AbstractAsyncContextManager[None]:
        return self._lock()
