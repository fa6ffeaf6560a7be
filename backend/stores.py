"""Key-value stores for Litestar middleware that keep the API answering when Redis is away.

The rate limiter's counters live in Redis in the production shape. A Redis outage must not
turn citizen intake into 500s (DESIGN §4 rule 1: the database, not Redis, decides), so the
store fails open: while Redis is unreachable nothing is counted and every request passes.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from litestar.stores.base import Store
from litestar.stores.redis import RedisStore
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 30.0
STORE_ERRORS = (RedisError, OSError)


class FailOpenStore(Store):
    """Wraps a store; an unreachable backend reads as empty and writes as no-ops."""

    __slots__ = ("_inner", "_warned_at")

    def __init__(self, inner: Store) -> None:
        self._inner = inner
        self._warned_at = 0.0

    async def close(self) -> None:
        """Release the inner store's connections (Litestar never closes stores itself)."""
        shutdown = getattr(self._inner, "_shutdown", None)
        if shutdown is not None:
            await shutdown()

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning("store unavailable, failing open: %s", exc)

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        try:
            await self._inner.set(key, value, expires_in)
        except STORE_ERRORS as exc:
            self._failed(exc)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        try:
            return await self._inner.get(key, renew_for)
        except STORE_ERRORS as exc:
            self._failed(exc)
            return None

    async def delete(self, key: str) -> None:
        try:
            await self._inner.delete(key)
        except STORE_ERRORS as exc:
            self._failed(exc)

    async def delete_all(self) -> None:
        try:
            await self._inner.delete_all()
        except STORE_ERRORS as exc:
            self._failed(exc)

    async def exists(self, key: str) -> bool:
        try:
            return await self._inner.exists(key)
        except STORE_ERRORS as exc:
            self._failed(exc)
            return False

    async def expires_in(self, key: str) -> int | None:
        try:
            return await self._inner.expires_in(key)
        except STORE_ERRORS as exc:
            self._failed(exc)
            return None


def redis_store(url: str, namespace: str) -> FailOpenStore:
    """A Redis-backed store with short socket timeouts that fails open."""
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    return FailOpenStore(RedisStore(client, namespace=namespace, handle_client_shutdown=True))
