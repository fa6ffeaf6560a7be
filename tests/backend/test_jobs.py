"""Durable background work: outbox claims and retries, the sweeper, the Redis queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from backend.classification.service import ModelCaseClassifier
from backend.db.engine import create_engine, create_session_factory
from backend.db.models import Case, Delivery, IssueGroup, Message
from backend.db.types import utcnow
from backend.deliveries.jobs import deliver
from backend.feedback.store import NewCase, case_store
from backend.jobs.context import JobContext
from backend.jobs.sweep import sweep
from backend.settings import Settings
from backend.synthesis.rollup import refresh_daily_counts
from channels.base import DeliveryStatus
from channels.memory import MemoryChannel
from tests.conftest import REDIS_URL


class RecordingQueue:
    def __init__(self) -> None:
        self.woken: list[tuple[str, dict[str, Any]]] = []

    async def wake(self, job: str, **kwargs: Any) -> None:
        self.woken.append((job, kwargs))


@pytest.fixture
async def ctx(settings: Settings) -> AsyncIterator[JobContext]:
    engine = create_engine(settings.database)
    yield JobContext(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        queue=RecordingQueue(),
        channels={"memory": MemoryChannel()},
        classifier=ModelCaseClassifier(settings.models_dir),
    )
    await engine.dispose()


async def make_case(ctx: JobContext, key: str = "k1", age: timedelta = timedelta(minutes=5)) -> int:
    received = utcnow() - age
    item = NewCase(
        source_key=f"memory:{key}",
        channel="memory",
        external_id=key,
        tracking_code=f"T{key}".ljust(11, "0")[:11],
        commune_code="00070",
        province_code="01",
        text="đèn hỏng",
        search_text="den hong",
        received_at=received,
    )
    store = case_store(ctx.engine)
    (stored,) = await store.write([item])
    await store.close()
    return stored.case_id


async def make_delivery(ctx: JobContext, case_id: int) -> int:
    async with ctx.sessions() as session:
        message = Message(
            case_id=case_id,
            direction="out",
            channel="memory",
            text="Đã sửa",
            delivery_state="pending",
        )
        session.add(message)
        await session.flush()
        assert message.id is not None
        delivery = Delivery(
            message_id=message.id, case_id=case_id, channel="memory", recipient="citizen-1"
        )
        session.add(delivery)
        await session.commit()
        assert delivery.id is not None
        return delivery.id


async def delivery_row(ctx: JobContext, delivery_id: int) -> Any:
    async with ctx.engine.connect() as conn:
        return (
            await conn.execute(
                select(Delivery.__table__).where(Delivery.__table__.c.id == delivery_id)
            )
        ).one()  # type: ignore[attr-defined]


def channel(ctx: JobContext) -> MemoryChannel:
    memory = ctx.channels["memory"]
    assert isinstance(memory, MemoryChannel)
    return memory


async def test_a_delivery_is_sent_once_even_if_woken_twice(ctx: JobContext) -> None:
    delivery_id = await make_delivery(ctx, await make_case(ctx))
    results = await asyncio.gather(deliver(ctx, delivery_id), deliver(ctx, delivery_id))
    assert sorted(r or "" for r in results) == ["", "sent"]
    assert len(channel(ctx).sent) == 1
    assert channel(ctx).sent[0].idempotency_key == f"delivery-{delivery_id}"
    assert await deliver(ctx, delivery_id) is None  # already sent: nothing happens


async def test_retryable_failures_back_off_then_give_up(ctx: JobContext) -> None:
    delivery_id = await make_delivery(ctx, await make_case(ctx))
    channel(ctx).fail_next(DeliveryStatus.RETRYABLE, times=100, retry_after=30)
    assert await deliver(ctx, delivery_id) == "pending"
    row = await delivery_row(ctx, delivery_id)
    assert row.attempts == 1 and row.next_attempt_at >= utcnow() + timedelta(seconds=29)
    assert await deliver(ctx, delivery_id) is None  # not due yet
    for _ in range(ctx.settings.worker.delivery_max_attempts - 1):
        async with ctx.engine.begin() as conn:
            await conn.execute(update(Delivery.__table__).values(next_attempt_at=utcnow()))  # type: ignore[attr-defined]
        state = await deliver(ctx, delivery_id)
    assert state == "failed"
    row = await delivery_row(ctx, delivery_id)
    assert (
        row.attempts == ctx.settings.worker.delivery_max_attempts
        and row.last_error == "scripted failure"
    )
    assert channel(ctx).sent == []


async def test_gone_is_final(ctx: JobContext) -> None:
    delivery_id = await make_delivery(ctx, await make_case(ctx))
    channel(ctx).fail_next(DeliveryStatus.GONE, detail="window closed")
    assert await deliver(ctx, delivery_id) == "gone"
    async with ctx.engine.connect() as conn:
        outbound = Message.__table__.c  # type: ignore[attr-defined]
        query = select(outbound.delivery_state).where(outbound.direction == "out")
        state = (await conn.execute(query)).scalar_one()
    assert state == "gone"


async def test_unknown_channel_is_recorded_not_raised(ctx: JobContext) -> None:
    delivery_id = await make_delivery(ctx, await make_case(ctx))
    ctx.channels = {}
    # A misconfiguration: the delivery fails with the reason and an admin is alerted.
    assert await deliver(ctx, delivery_id) == "failed"
    assert "no channel" in (await delivery_row(ctx, delivery_id)).last_error


async def test_sweeper_refinds_pending_work_after_a_crash(ctx: JobContext) -> None:
    old_case = await make_case(ctx, "old")
    await make_case(
        ctx, "fresh", age=timedelta(0)
    )  # within the grace period: its own wake-up is enough
    due = await make_delivery(ctx, old_case)
    crashed = await make_delivery(ctx, old_case)
    async with ctx.engine.begin() as conn:  # a worker died holding this one
        await conn.execute(
            update(Delivery.__table__)  # type: ignore[attr-defined]
            .where(Delivery.__table__.c.id == crashed)  # type: ignore[attr-defined]
            .values(state="sending", claimed_until=utcnow() - timedelta(seconds=1))
        )
    found = await sweep(ctx)
    assert found == {"cases": 1, "deliveries": 2, "inbound": 0, "pushes": 0}
    queue = ctx.queue
    assert isinstance(queue, RecordingQueue)
    assert ("classify_cases", {"case_ids": [old_case]}) in queue.woken
    assert {kw["delivery_id"] for job, kw in queue.woken if job == "deliver"} == {due, crashed}
    assert await deliver(ctx, crashed) == "sent"
    # The dashboards' daily counts: woken on every sweep, refreshed at most every interval.
    assert ("refresh_daily_counts", {}) in queue.woken
    assert (await refresh_daily_counts(ctx))["rebuilt"] == 1
    assert await refresh_daily_counts(ctx) == {"rows": 0}


async def test_classification_without_a_model_leaves_cases_pending(ctx: JobContext) -> None:
    case_id = await make_case(ctx)
    assert await ctx.classifier.classify(ctx, [case_id]) == 0
    async with ctx.engine.connect() as conn:
        assert (await conn.execute(select(Case.__table__.c.classified_at))).scalar_one() is None  # type: ignore[attr-defined]


@pytest.mark.redis
async def test_saq_queue_wakes_a_worker_through_redis(ctx: JobContext) -> None:
    if not REDIS_URL:
        pytest.skip("REDIS_URL not set")
    from backend.jobs.saq_queue import SaqQueue, build_worker

    queue = SaqQueue(REDIS_URL)
    await queue.connect()
    ran: list[int] = []

    async def record(_: JobContext, delivery_id: int) -> None:
        ran.append(delivery_id)

    worker = build_worker(queue, ctx, {"deliver": record}, concurrency=1)
    task = asyncio.create_task(worker.start())
    try:
        await queue.wake("deliver", delivery_id=42)
        for _ in range(200):
            if ran:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
        task.cancel()
        await queue.disconnect()
    assert ran == [42]


async def test_saq_queue_survives_redis_being_down(ctx: JobContext) -> None:
    from backend.jobs.saq_queue import SaqQueue

    queue = SaqQueue("redis://127.0.0.1:1/0")
    await queue.wake("deliver", delivery_id=1)  # logged, not raised: the sweeper covers it


async def test_racing_classifications_classify_and_group_each_case_once(
    ctx: JobContext, models_dir: Any
) -> None:
    """Two workers woken for the same cases: each case is classified and grouped by one."""
    ctx.classifier = ModelCaseClassifier(models_dir)
    ids = [await make_case(ctx, f"race{n}") for n in range(6)]
    done = await asyncio.gather(*(ctx.classifier.classify(ctx, ids) for _ in range(2)))
    assert sum(done) == len(ids)
    groups = IssueGroup.__table__  # type: ignore[attr-defined]
    async with ctx.engine.connect() as conn:
        sizes = (await conn.execute(select(groups.c.size))).scalars().all()
        cases = Case.__table__  # type: ignore[attr-defined]
        linked = (await conn.execute(select(cases.c.group_id))).scalars().all()
    assert sum(sizes) == len(ids) and None not in linked
