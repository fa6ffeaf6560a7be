"""OA access tokens (§1.6): where they live, and refreshing them one caller at a time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Protocol

import httpx
import msgspec

from channels.base import ChannelMisconfigured, Clock, utc_now
from channels.zalo.config import ZaloConfig
from channels.zalo.oauth import TokenRefreshDeferred, request_tokens

log = logging.getLogger(__name__)


class ZaloTokens(msgspec.Struct, frozen=True, kw_only=True):
    """One access/refresh pair; the refresh token is single-use (§1.6)."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    refresh_after: datetime  # refresh early, before expiry (§1.6 "at about 20 h")

    def due(self, now: datetime) -> bool:
        """Time to refresh (early), even though the access token may still work."""
        return now >= self.refresh_after


class ZaloTokenStore(Protocol):
    """Where the backend keeps the OA's tokens (database row, Redis key) and its refresh lock."""

    async def get(self) -> ZaloTokens | None:
        """The stored pair, or None if the OA was never connected."""
        ...

    async def save(self, tokens: ZaloTokens) -> None:
        """Store the pair atomically (both tokens and the expiry together)."""
        ...

    def lock(self) -> AbstractAsyncContextManager[None]:
        """Exclusive across every process that refreshes (Redis SET NX, PG advisory lock)."""
        ...


class InMemoryZaloTokenStore:
    """A ZaloTokenStore for tests and the single-process embedded shape."""

    def __init__(self, tokens: ZaloTokens | None = None) -> None:
        self._tokens = tokens
        self._lock = asyncio.Lock()
        self.saves = 0

    async def get(self) -> ZaloTokens | None:
        return self._tokens

    async def save(self, tokens: ZaloTokens) -> None:
        self._tokens = tokens
        self.saves += 1

    @asynccontextmanager
    async def lock(self) -> AsyncIterator[None]:
        async with self._lock:
            yield


class ZaloTokenManager:
    """Hands out a usable access token; refreshes under the store's lock, saves before use."""

    def __init__(
        self,
        config: ZaloConfig,
        client: httpx.AsyncClient,
        store: ZaloTokenStore,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._config = config
        self._client = client
        self._store = store
        self._clock = clock

    async def access_token(self) -> str:
        """A token to call the API with; refreshes first when the stored one is due."""
        tokens = await self._stored()
        if not tokens.due(self._clock()):
            return tokens.access_token
        async with self._store.lock():
            tokens = await self._stored()  # §1.6: re-read after taking the lock
            if not tokens.due(self._clock()):
                return tokens.access_token  # another caller refreshed while we waited
            try:
                return (await self._refresh(tokens)).access_token
            except TokenRefreshDeferred:
                if self._clock() < tokens.expires_at:
                    log.warning("zalo token refresh failed; the current token still works")
                    return tokens.access_token
                raise

    async def replace_rejected(self, rejected: str) -> str:
        """Zalo refused `rejected` (-216/-220/-124): refresh once, unless someone already did."""
        async with self._store.lock():
            tokens = await self._stored()
            if tokens.access_token != rejected:
                return tokens.access_token
            return (await self._refresh(tokens)).access_token

    async def exchange_code(self, code: str, code_verifier: str) -> ZaloTokens:
        """Finish the admin's consent (OAuth v4 + PKCE) and store the first pair."""
        async with self._store.lock():
            fields = {
                "code": code,
                "grant_type": "authorization_code",
                "code_verifier": code_verifier,
            }
            return await self._obtain(fields)

    async def _refresh(self, tokens: ZaloTokens) -> ZaloTokens:
        fields = {"refresh_token": tokens.refresh_token, "grant_type": "refresh_token"}
        return await self._obtain(fields)

    async def _obtain(self, fields: dict[str, str]) -> ZaloTokens:
        now = self._clock()
        grant = await request_tokens(self._client, self._config, fields)
        tokens = ZaloTokens(
            access_token=grant.access_token,
            refresh_token=grant.refresh_token,
            expires_at=now + grant.lifetime,
            refresh_after=now + grant.lifetime * self._config.refresh_at_fraction,
        )
        # §1.6: the old refresh token is dead now; store the new pair before anyone uses it.
        await self._store.save(tokens)
        return tokens

    async def _stored(self) -> ZaloTokens:
        tokens = await self._store.get()
        if tokens is None:
            raise ChannelMisconfigured("Zalo OA is not connected: an admin must authorize it")
        return tokens
