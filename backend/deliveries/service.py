"""The outbox rules: claim before send, record the result, back off, never send twice."""

from __future__ import annotations

import asyncio
import contextlib
import random
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.models import Delivery, DeliveryState, Message
from backend.db.types import utcnow
from backend.jobs.context import JobContext
from backend.settings import WorkerSettings
from channels.base import DeliveryResult, DeliveryStatus

DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]
MESSAGES = Message.__table__  # type: ignore[attr-defined]


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Exponential backoff with full jitter (2 s · 2^n, capped at 1 h), at least Retry-After."""
    ceiling = min(3600.0, 2.0 * 2 ** max(0, attempts - 1))
    delay = random.uniform(ceiling / 2, ceiling)
    return timedelta(seconds=max(delay, retry_after or 0.0))


async def claim(
    conn: AsyncConnection, delivery_id: int, lease_seconds: float
) -> dict[str, object] | None:
    """Take the delivery for this worker if it is due and nobody holds it; None otherwise."""
    one = select(DELIVERIES.c.id).where(DELIVERIES.c.id == delivery_id)
    claimed = await claim_many(conn, one, lease_seconds)
    return claimed[0] if claimed else None


def one_writer(ctx: JobContext) -> AbstractAsyncContextManager[object]:
    """SQLite has one writer at a time and its busy wait is unfair: with many sends in flight
    (a campaign's fan-out) some would wait past busy_timeout. Their short write transactions
    take turns here instead; the sends themselves stay concurrent."""
    if ctx.engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    lock = ctx.extra.get("sqlite_writer")
    if not isinstance(lock, asyncio.Lock):
        lock = ctx.extra["sqlite_writer"] = asyncio.Lock()
    return lock


async def claim_many(
    conn: AsyncConnection, due: Any, lease_seconds: float
) -> list[dict[str, object]]:
    """`claim` for every delivery the `due` query selects, in one statement.

    On PostgreSQL the selected rows are locked and ones another worker is claiming skipped;
    the state check is repeated on each row, so a row is claimed by one worker only.
    """
    now = utcnow()
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (
        update(DELIVERIES)
        .where(
            DELIVERIES.c.id.in_(due),
            DELIVERIES.c.state == DeliveryState.PENDING.value,
            DELIVERIES.c.next_attempt_at <= now,
        )
        .values(
            state=DeliveryState.SENDING.value,
            attempts=DELIVERIES.c.attempts + 1,
            claimed_until=now + timedelta(seconds=lease_seconds),
        )
        .returning(*DELIVERIES.c)
    )
    return [dict(row) for row in (await conn.execute(stmt)).mappings().all()]


async def record_result(
    conn: AsyncConnection,
    delivery: dict[str, object],
    result: DeliveryResult,
    settings: WorkerSettings,
) -> str:
    """Store what the channel said; returns the new state."""
    now = utcnow()
    attempts = int(delivery["attempts"])  # type: ignore[call-overload]
    values: dict[str, object] = {"claimed_until": None, "last_error": result.detail or None}
    if result.status is DeliveryStatus.OK:
        values.update(
            state=DeliveryState.SENT.value,
            sent_at=now,
            provider_message_id=result.provider_message_id,
        )
    elif result.status is DeliveryStatus.RETRYABLE and attempts < settings.delivery_max_attempts:
        values.update(
            state=DeliveryState.PENDING.value,
            next_attempt_at=now + backoff(attempts, result.retry_after),
        )
    elif result.status is DeliveryStatus.RETRYABLE:
        values.update(state=DeliveryState.FAILED.value)
    else:
        values.update(state=DeliveryState.GONE.value)
    state = str(values["state"])
    await conn.execute(update(DELIVERIES).where(DELIVERIES.c.id == delivery["id"]).values(**values))
    message_state = {"pending": "retrying"}.get(state, state)
    await conn.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == delivery["message_id"])
        .values(delivery_state=message_state)
    )
    return state


async def due_ids(conn: AsyncConnection, now: datetime, limit: int = 500) -> list[int]:
    """Deliveries to send now, including ones whose worker died while holding them.

    A lapsed lease means the worker crashed between claim and result; the attempt is retried with
    the same idempotency key (the delivery id), which providers that dedupe use to drop a repeat.
    """
    await conn.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.state == DeliveryState.SENDING.value, DELIVERIES.c.claimed_until < now)
        .values(
            state=DeliveryState.PENDING.value, claimed_until=None, last_error="worker lease expired"
        )
    )
    query = (
        select(DELIVERIES.c.id)
        .where(
            and_(
                DELIVERIES.c.state == DeliveryState.PENDING.value,
                DELIVERIES.c.next_attempt_at <= now,
            )
        )
        .order_by(DELIVERIES.c.next_attempt_at)
        .limit(limit)
    )
    return [row.id for row in (await conn.execute(query)).all()]
