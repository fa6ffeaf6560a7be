"""Sending push deliveries: one aiohttp session and VAPID signer per process, reused."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import aiohttp
import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.types import utcnow
from backend.deliveries.outbound import Attempt
from backend.jobs.context import JobContext
from backend.push.keys import vapid_keys
from backend.push.service import DELIVERIES, SUBSCRIPTIONS
from backend.settings import PushSettings
from channels.base import DeliveryResult, DeliveryStatus
from channels.webpush import (
    PushNotice,
    PushOptions,
    PushSubscription,
    SubscriptionKeys,
    VapidSigner,
    WebPushSender,
)

_TOPIC_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_RUNTIME_KEY = "push_runtime"


class PushRuntime:
    """The process's push sender; its aiohttp session keeps connections to push services open."""

    def __init__(self, settings: PushSettings) -> None:
        self._settings = settings
        self._sender: WebPushSender | None = None
        self._session: aiohttp.ClientSession | None = None
        self.limit = asyncio.Semaphore(max(1, settings.send_concurrency))

    def sender(self) -> WebPushSender | None:
        """None when this deployment has no VAPID key."""
        if self._sender is None:
            keys = vapid_keys(self._settings)
            if keys is None:
                return None
            signer = VapidSigner(keys, self._settings.subject, lifetime=timedelta(hours=12))
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, limit_per_host=50)
            )
            self._sender = WebPushSender(
                self._session, signer, timeout=self._settings.timeout_seconds
            )
        return self._sender

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session, self._sender = None, None


def push_runtime(ctx: JobContext) -> PushRuntime:
    """The job context's runtime, made on first use (inside the running loop)."""
    runtime = ctx.extra.get(_RUNTIME_KEY)
    if not isinstance(runtime, PushRuntime):
        runtime = ctx.extra[_RUNTIME_KEY] = PushRuntime(ctx.settings.push)
    return runtime


async def close_push_runtime(extra: dict[str, Any]) -> None:
    runtime = extra.pop(_RUNTIME_KEY, None)
    if isinstance(runtime, PushRuntime):
        await runtime.close()


async def send_push(
    ctx: JobContext, delivery: Mapping[str, Any], subscription: PushSubscription | None
) -> Attempt:
    """Encrypt and post one claimed push delivery to its subscription (None: removed)."""
    runtime = push_runtime(ctx)
    sender = runtime.sender()
    if sender is None:
        reason = "webpush: no VAPID key configured (TIENGDAN_VAPID_PRIVATE_KEY)"
        rejected = DeliveryResult(status=DeliveryStatus.REJECTED, detail=reason)
        return Attempt(result=rejected, alert=reason)
    if subscription is None:
        gone = DeliveryResult(status=DeliveryStatus.GONE, detail="subscription removed")
        return Attempt(result=gone)
    notice = msgspec.convert(delivery["notice"], PushNotice)
    tag = notice.tag
    options = PushOptions(
        ttl=int(delivery["push_ttl"] or 0),
        urgency=str(delivery["push_urgency"] or "normal"),
        topic=tag if tag and len(tag) <= 32 and set(tag) <= _TOPIC_SAFE else None,
    )
    async with runtime.limit:
        return Attempt(result=await sender.send(subscription, notice, options))


async def load_subscriptions(
    conn: AsyncConnection, subscription_ids: Iterable[Any]
) -> dict[int, PushSubscription]:
    """The subscriptions still stored among these ids, by id (one query)."""
    wanted = sorted({int(i) for i in subscription_ids if i is not None})
    if not wanted:
        return {}
    rows = await conn.execute(
        select(
            SUBSCRIPTIONS.c.id,
            SUBSCRIPTIONS.c.endpoint,
            SUBSCRIPTIONS.c.p256dh,
            SUBSCRIPTIONS.c.auth,
        ).where(SUBSCRIPTIONS.c.id.in_(wanted))
    )
    return {
        row.id: PushSubscription(
            endpoint=row.endpoint, keys=SubscriptionKeys(p256dh=row.p256dh, auth=row.auth)
        )
        for row in rows
    }


async def settle_push(conn: AsyncConnection, delivery: Mapping[str, Any], state: str) -> None:
    """404/410 removes the subscription (RFC 8030 §7.3); the delivery row stays, as `gone`."""
    sid = delivery.get("subscription_id")
    if sid is None:
        return
    if state == "gone":
        await conn.execute(
            update(DELIVERIES).where(DELIVERIES.c.id == delivery["id"]).values(subscription_id=None)
        )
        await conn.execute(delete(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == sid))
    elif state == "sent":
        await conn.execute(
            update(SUBSCRIPTIONS)
            .where(SUBSCRIPTIONS.c.id == sid)
            .values(last_success_at=utcnow(), failure_count=0)
        )
    else:
        await conn.execute(
            update(SUBSCRIPTIONS)
            .where(SUBSCRIPTIONS.c.id == sid)
            .values(failure_count=SUBSCRIPTIONS.c.failure_count + 1)
        )
