"""Fan-out: one notice to many subscriptions, results in order, crypto off the loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import msgspec
import pytest

from channels.base import DeliveryStatus
from channels.webpush import (
    InlineEncryptor,
    ProcessPoolEncryptor,
    PushNotice,
    PushOptions,
    send_many,
)
from tests.channels.fakes.clock import FakeClock
from tests.channels.fakes.push_service import FakePushService, Scripted
from tests.channels.webpush_support import KEYS, push_sender

NOTICE = PushNotice(
    title="Nhắc lịch", body="Họp tổ dân phố lúc 19h tối nay.", url="/r/12", tag="r12"
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


@pytest.fixture
async def service(clock: FakeClock) -> AsyncIterator[FakePushService]:
    async with FakePushService(clock).running() as running:
        yield running


async def test_results_come_back_in_order_with_every_outcome(
    service: FakePushService, clock: FakeClock
) -> None:
    subscriptions = [service.subscribe(KEYS.application_server_key()) for _ in range(30)]
    service.script(subscriptions[3], Scripted(410))
    service.script(subscriptions[17], Scripted(429, {"Retry-After": "30"}))
    broken = msgspec.structs.replace(subscriptions[25].keys, auth="AAAA")  # 3 bytes: unusable
    subscriptions[25] = msgspec.structs.replace(subscriptions[25], keys=broken)
    async with push_sender(clock) as (sender, _):
        results = await send_many(
            sender, subscriptions, NOTICE, options=PushOptions(ttl=600), chunk_size=8, concurrency=5
        )
    statuses = [r.status for r in results]
    assert statuses[3] is DeliveryStatus.GONE and statuses[25] is DeliveryStatus.GONE
    assert statuses[17] is DeliveryStatus.RETRYABLE and results[17].retry_after == 30.0
    assert statuses.count(DeliveryStatus.OK) == 27
    assert len(service.received) == 29  # the unusable one never left
    assert all(r.json() == msgspec.to_builtins(NOTICE) for r in service.received)


async def test_concurrency_is_bounded(service: FakePushService, clock: FakeClock) -> None:
    subscriptions = [service.subscribe(KEYS.application_server_key()) for _ in range(9)]
    service.gate.clear()  # hold every answer
    async with push_sender(clock) as (sender, _):
        sending = asyncio.create_task(send_many(sender, subscriptions, NOTICE, concurrency=3))
        while service.in_flight < 3:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # time for a fourth request, if the bound leaked
        service.gate.set()
        results = await sending
    assert service.max_in_flight == 3
    assert all(r.ok for r in results)


async def test_inline_encryption_lets_the_loop_run(
    service: FakePushService, clock: FakeClock
) -> None:
    """While a chunk is encrypted, other coroutines still get turns (no starved loop)."""
    subscriptions = [service.subscribe(KEYS.application_server_key()) for _ in range(96)]
    keys = [s.key_bytes() for s in subscriptions]
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    bodies = await InlineEncryptor().encrypt(b'{"title":"x"}', keys)
    task.cancel()
    assert len(bodies) == 96 and all(bodies)
    assert ticks >= 96 // 32  # at least one turn per slice


async def test_process_pool_encryption(service: FakePushService, clock: FakeClock) -> None:
    subscriptions = [service.subscribe(KEYS.application_server_key()) for _ in range(12)]
    with ProcessPoolEncryptor(workers=1) as encryptor:
        async with push_sender(clock) as (sender, _):
            results = await send_many(
                sender, subscriptions, NOTICE, encryptor=encryptor, chunk_size=5
            )
    assert all(r.ok for r in results)
    assert sorted(r.subscriber_id for r in service.received) == sorted(
        s.endpoint.rsplit("/", 1)[1] for s in subscriptions
    )
    assert all(r.json()["title"] == "Nhắc lịch" for r in service.received)


async def test_bad_arguments(service: FakePushService, clock: FakeClock) -> None:
    async with push_sender(clock) as (sender, _):
        with pytest.raises(ValueError, match="concurrency"):
            await send_many(sender, [], NOTICE, concurrency=0)
        assert await send_many(sender, [], NOTICE) == []


async def test_cancelling_a_fan_out_leaves_nothing_running(
    service: FakePushService, clock: FakeClock
) -> None:
    subscriptions = [service.subscribe(KEYS.application_server_key()) for _ in range(6)]
    service.gate.clear()
    async with push_sender(clock) as (sender, _):
        sending = asyncio.create_task(send_many(sender, subscriptions, NOTICE, concurrency=2))
        while service.in_flight < 2:
            await asyncio.sleep(0.01)
        sending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sending
        await asyncio.sleep(0)  # let cancelled tasks finish unwinding
        posts = [t for t in asyncio.all_tasks() if "send_many.<locals>.post" in repr(t.get_coro())]
        assert posts == []
    service.gate.set()
