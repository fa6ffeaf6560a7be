"""Web Push test helpers: the key the test app uses, subscribing, reading the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.models import Delivery, PushSubscriptionRecord
from channels.webpush import PushSubscription, VapidKeys
from tests.channels.fakes.push_service import FakePushService

T = TypeVar("T")
KEYS = VapidKeys.generate()
SUBJECT = "mailto:ops@tiengdan.example.vn"
DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]
SUBSCRIPTIONS = PushSubscriptionRecord.__table__  # type: ignore[attr-defined]


def subscription_json(subscription: PushSubscription) -> dict[str, Any]:
    return msgspec.to_builtins(subscription)  # type: ignore[no-any-return]


async def subscribe(
    client: AsyncTestClient[Any],
    service: FakePushService,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> PushSubscription:
    """A browser subscribes with the app's key and registers with the backend."""
    subscription = service.subscribe(KEYS.application_server_key())
    body = {"subscription": subscription_json(subscription), **fields}
    response = await client.post("/api/v1/push/subscriptions", json=body, headers=headers or {})
    assert response.status_code == 201, response.text
    return subscription


async def on_app_loop(client: AsyncTestClient[Any], work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` on the app's own event loop (the test client's portal thread): its engine
    and queue belong there. Awaited, not blocked on, so the fake service keeps answering."""
    future = client.blocking_portal.start_task_soon(work)
    return await asyncio.wrap_future(future)


async def in_transaction(
    client: AsyncTestClient[Any], work: Callable[[AsyncConnection], Awaitable[T]]
) -> T:
    """`work(conn)` in one transaction of the app's engine, on the app's loop."""

    async def run() -> T:
        async with client.app.state.resources.engine.begin() as conn:
            return await work(conn)

    return await on_app_loop(client, run)


async def push_rows(client: AsyncTestClient[Any]) -> list[dict[str, Any]]:
    async def read(conn: AsyncConnection) -> list[dict[str, Any]]:
        rows = await conn.execute(
            select(DELIVERIES).where(DELIVERIES.c.channel == "webpush").order_by(DELIVERIES.c.id)
        )
        return [dict(row) for row in rows.mappings().all()]

    return await in_transaction(client, read)


async def subscription_count(client: AsyncTestClient[Any]) -> int:
    async def count(conn: AsyncConnection) -> int:
        return len((await conn.execute(select(SUBSCRIPTIONS.c.id))).all())

    return await in_transaction(client, count)


async def settle(client: AsyncTestClient[Any]) -> None:
    await client.app.state.resources.settle()
