"""Named locks held across every process that may refresh a channel's credentials (§1.6).

Redis `SET NX PX` when Redis is configured, else a PostgreSQL advisory lock; the embedded
shape (one process, SQLite) needs only an asyncio lock.
"""

from __future__ import annotations

import asyncio
import secrets
import weakref
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.base import ChannelError

LockFactory = Callable[[], AbstractAsyncContextManager[None]]

# Deletes the key only if it still holds our token: an expired lease never frees another's lock.
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


class LockTimeout(ChannelError):
    """Another process held the lock for longer than we are willing to wait."""


def redis_lock(url: str, name: str, *, lease_ms: int = 30_000, wait: float = 30.0) -> LockFactory:
    """A lease in Redis; a crashed holder's lock expires after `lease_ms`."""

    @asynccontextmanager
    async def hold() -> AsyncIterator[None]:
        from redis.asyncio import Redis

        client = Redis.from_url(url)
        token = secrets.token_hex(16)
        try:
            deadline = asyncio.get_running_loop().time() + wait
            while not await client.set(name, token, nx=True, px=lease_ms):
                if asyncio.get_running_loop().time() > deadline:
                    raise LockTimeout(f"lock {name} is still held after {wait:.0f} s")
                await asyncio.sleep(0.05)
            try:
                yield
            finally:
                await client.eval(_RELEASE, 1, name, token)  # type: ignore[misc]
        finally:
            await client.aclose()

    return hold


def advisory_lock(engine: AsyncEngine, name: str) -> LockFactory:
    """A session-level PostgreSQL advisory lock on its own connection (freed if we crash)."""
    key = zlib.crc32(name.encode())

    @asynccontextmanager
    async def hold() -> AsyncIterator[None]:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            await conn.commit()
            try:
                yield
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                await conn.commit()

    return hold


# Local locks by event loop and name: every holder of the same name in this process shares one.
_LOCAL: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def local_lock(name: str) -> LockFactory:
    """One process: an asyncio lock, the same for every holder of `name`, is enough."""

    @asynccontextmanager
    async def hold() -> AsyncIterator[None]:
        locks = _LOCAL.setdefault(asyncio.get_running_loop(), {})
        async with locks.setdefault(name, asyncio.Lock()):
            yield

    return hold


def lock_for(engine: AsyncEngine, redis_url: str | None, name: str) -> LockFactory:
    """The strongest lock this deployment has."""
    if redis_url is not None:
        return redis_lock(redis_url, name)
    if engine.dialect.name == "postgresql":
        return advisory_lock(engine, name)
    return local_lock(name)
