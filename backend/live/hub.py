"""The pub/sub behind live events: Litestar's channels plugin in API processes (memory backend
in the embedded shape, Redis when REDIS_URL is set) and a Redis publisher in worker processes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.exceptions import RedisError

from backend.live.events import CASES_CHANNEL

log = logging.getLogger(__name__)
REDIS_DOWN = (RedisError, OSError)
RESUBSCRIBE_SECONDS = 2.0

# A slow browser must not hold the server's memory: older events are dropped for it.
SUBSCRIBER_BACKLOG = 1000


class _LiveRedisBackend(RedisChannelsPubSubBackend):
    """Redis pub/sub for live events that a Redis outage pauses but cannot break.

    An API process that starts while Redis is away still starts (live pages just stay quiet),
    and one that loses Redis later keeps answering: publishing fails (the caller logs it and
    moves on) and the subscription is re-made every few seconds until Redis is back.

    The Redis client is closed after the subscription: closing it earlier (in the app's
    lifespan, which ends before plugins shut down) would hand the subscription's connection
    back to an already closed pool, leaving its socket open.
    """

    def __init__(self, *, redis: Any) -> None:
        super().__init__(redis=redis)
        self._wanted: set[str] = set()
        self._paused = False

    async def subscribe(self, channels: Iterable[str]) -> None:
        self._wanted.update(channels)
        try:
            await super().subscribe(channels)
        except REDIS_DOWN as exc:
            self._pause(exc)
            self._has_subscribed.set()  # stream_events makes the subscription when it can

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        """The subscribed channels' events, as Litestar's own loop gives them, except that it
        survives Redis outages and ends once its task is cancelled: a cancellation that lands
        inside redis-py's read can come back as a timeout (a RedisError) or an empty read, and
        the loop would then run on and hold the app's shutdown forever (seen in CI)."""
        while not _cancelling():
            try:
                if self._wanted and not self._pub_sub.channels:
                    await super().subscribe(self._wanted)
                if self._paused:
                    self._paused = False
                    log.warning("live events: Redis is back")
                await self._has_subscribed.wait()
                message = await self._pub_sub.get_message(
                    ignore_subscribe_messages=True, timeout=self._stream_sleep_no_subscriptions
                )
            except REDIS_DOWN as exc:
                if _cancelling():
                    break
                self._pause(exc)
                await asyncio.sleep(RESUBSCRIBE_SECONDS)
                continue
            if message is None:
                continue
            channel = message["channel"].decode()
            # Unsubscribing is queued by redis-py: skip what arrives for a channel being left.
            subscribed = self._pub_sub.channels.keys() - self._pub_sub.pending_unsubscribe_channels
            if channel.encode() in subscribed:
                yield channel, message["data"]
        raise asyncio.CancelledError

    async def on_shutdown(self) -> None:
        with contextlib.suppress(*REDIS_DOWN):
            await super().on_shutdown()
        await self._redis.aclose()

    def _pause(self, exc: Exception) -> None:
        if not self._paused:
            self._paused = True
            log.warning("live events paused, Redis is unavailable: %s", exc)


def _cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def channels_plugin(redis_url: str | None) -> ChannelsPlugin:
    """Memory backend embedded; Redis (closed with the plugin) when REDIS_URL is set."""
    backend: Any
    if redis_url is None:
        backend = MemoryChannelsBackend()
    else:
        from redis.asyncio import Redis

        backend = _LiveRedisBackend(redis=Redis.from_url(redis_url))
    plugin = ChannelsPlugin(
        backend=backend,
        channels=[CASES_CHANNEL],
        subscriber_max_backlog=SUBSCRIBER_BACKLOG,
        subscriber_backlog_strategy="dropleft",
    )
    return plugin


class PluginPublisher:
    """Publishes through this process's channels plugin (the embedded shape's jobs use it too)."""

    def __init__(self, plugin: ChannelsPlugin) -> None:
        self._plugin = plugin

    async def publish(self, data: bytes) -> None:
        await self._plugin.wait_published(data, CASES_CHANNEL)


class RedisPublisher:
    """Publishes from a worker process straight to the Redis channel the API processes follow."""

    def __init__(self, redis_url: str) -> None:
        from redis.asyncio import Redis

        self._backend = _LiveRedisBackend(redis=Redis.from_url(redis_url))

    async def publish(self, data: bytes) -> None:
        await self._backend.publish(data, [CASES_CHANNEL])

    async def close(self) -> None:
        await self._backend.on_shutdown()
