"""`process_inbound`: turn stored inbound events into cases and messages, oldest first.

One consumer at a time (a PostgreSQL advisory lock across processes, an asyncio lock in the
embedded shape), so two messages from one citizen can never open two cases. Each event is
applied and marked processed in one transaction; a failing event is retried a few times by
later runs, then left with its error for an administrator. Events are applied fifty to a
transaction (one commit for many); when one of them fails, that chunk is applied again one
event per transaction, so only the failing event is held back.

On PostgreSQL the consumer splits each chunk by sender into PARTITIONS transactions that run
side by side: one citizen's events stay in one of them, in order, so they still never open
two cases, while the round trips of different citizens overlap (an event costs several
statements, and under load each round trip waits for a busy core).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import msgspec
from sqlalchemy import func, select, text, update

from backend.db.models import InboundEventRecord
from backend.db.types import utcnow
from backend.jobs.context import JobContext
from backend.live import publish_cases
from backend.webhooks.process import Effects, apply_event
from channels.base import InboundEvent

log = logging.getLogger(__name__)

EVENTS = InboundEventRecord.__table__  # type: ignore[attr-defined]
BATCH = 200
CHUNK = 50  # events applied in one transaction when none of them fails
PARTITIONS = 4  # transactions side by side on PostgreSQL (SQLite has one writer)
MAX_ATTEMPTS = 5
_ADVISORY_KEY = 0x7D_1B_0E_01  # "process_inbound" on pg_try_advisory_lock


async def process_inbound(ctx: JobContext) -> int:
    """Process every pending event; returns how many this run applied.

    An event that fails is not retried within the same run: the sweeper's next run does.
    """
    applied, failed = 0, set[int]()
    while True:
        async with _consumer(ctx) as held:
            if not held:
                return applied  # the current consumer re-checks for new events when it ends
            applied += await _drain(ctx, failed)
        if not await pending_events(ctx, skip=failed):
            return applied


async def pending_events(
    ctx: JobContext, older_than: timedelta = timedelta(0), skip: set[int] | None = None
) -> int:
    """How many events still wait (and may still be retried)."""
    query = select(func.count()).where(
        EVENTS.c.processed_at.is_(None),
        EVENTS.c.attempts < MAX_ATTEMPTS,
        EVENTS.c.received_at <= utcnow() - older_than,
    )
    if skip:
        query = query.where(EVENTS.c.id.not_in(skip))
    async with ctx.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def _drain(ctx: JobContext, failed: set[int]) -> int:
    applied, after = 0, 0
    while True:
        query = (
            select(EVENTS.c.id, EVENTS.c.payload)
            .where(
                EVENTS.c.id > after,
                EVENTS.c.processed_at.is_(None),
                EVENTS.c.attempts < MAX_ATTEMPTS,
            )
            .order_by(EVENTS.c.id)
            .limit(BATCH)
        )
        if failed:
            query = query.where(EVENTS.c.id.not_in(failed))
        async with ctx.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        if not rows:
            return applied
        after = rows[-1].id
        for start in range(0, len(rows), CHUNK):
            parts = _by_sender(rows[start : start + CHUNK], _partitions(ctx))
            counts = await asyncio.gather(*(_apply_chunk(ctx, part, failed) for part in parts))
            applied += sum(counts)


def _partitions(ctx: JobContext) -> int:
    return PARTITIONS if ctx.engine.dialect.name == "postgresql" else 1


def _by_sender(rows: Sequence[Any], partitions: int) -> list[list[Any]]:
    """The rows split so that each sender's events are in one part, in their order."""
    parts: list[list[Any]] = [[] for _ in range(partitions)]
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else {}
        sender = f"{payload.get('channel')}:{payload.get('sender_id')}"
        parts[zlib.crc32(sender.encode()) % partitions].append(row)
    return [part for part in parts if part]


async def _apply_chunk(ctx: JobContext, rows: Sequence[Any], failed: set[int]) -> int:
    """Apply the rows in one transaction or, if one of them fails, each in its own."""
    if await _apply_together(ctx, rows):
        return len(rows)
    applied = 0
    for row in rows:  # one of them failed: each alone, so the others still go in
        if await _apply(ctx, row.id, row.payload):
            applied += 1
        else:
            failed.add(row.id)
    return applied


async def _apply_together(ctx: JobContext, rows: Sequence[Any]) -> bool:
    """Apply events in one transaction (one commit for many events); False, having changed
    nothing, if any of them fails."""
    done: list[tuple[InboundEvent, Effects]] = []
    try:
        async with ctx.engine.begin() as conn:
            for row in rows:
                event = msgspec.convert(row.payload, InboundEvent)
                effects = Effects()
                await apply_event(conn, ctx.settings, event, effects)
                done.append((event, effects))
            await conn.execute(
                update(EVENTS)
                .where(EVENTS.c.id.in_([row.id for row in rows]))
                .values(processed_at=utcnow(), error=None)
            )
    except Exception:
        return False
    await _wake(ctx, done)
    return True


async def _apply(ctx: JobContext, event_id: int, payload: object) -> bool:
    effects = Effects()
    try:
        event = msgspec.convert(payload, InboundEvent)
        async with ctx.engine.begin() as conn:
            await apply_event(conn, ctx.settings, event, effects)
            await conn.execute(
                update(EVENTS)
                .where(EVENTS.c.id == event_id)
                .values(processed_at=utcnow(), error=None)
            )
    except Exception as exc:  # one bad event must not stop the others; its error is kept
        log.exception("inbound event %s failed", event_id)
        async with ctx.engine.begin() as conn:
            await conn.execute(
                update(EVENTS)
                .where(EVENTS.c.id == event_id)
                .values(attempts=EVENTS.c.attempts + 1, error=f"{type(exc).__name__}: {exc}"[:500])
            )
        return False
    await _wake(ctx, [(event, effects)])
    return True


async def _wake(ctx: JobContext, applied: Sequence[tuple[InboundEvent, Effects]]) -> None:
    """After the commit: the jobs and pages the applied events concern (one classification
    wake-up and one live update for all their new cases)."""
    new_cases = [case_id for _, effects in applied for case_id in effects.new_cases]
    if new_cases:
        await ctx.queue.wake("classify_cases", case_ids=new_cases)
        await publish_cases(ctx, new_cases, "created")
    for _, effects in applied:
        for delivery_id in effects.deliveries:
            await ctx.queue.wake("deliver", delivery_id=delivery_id)
    if any(a.kind == "image" for event, _ in applied for a in event.attachments):
        await ctx.queue.wake("fetch_media")


@asynccontextmanager
async def _consumer(ctx: JobContext) -> AsyncIterator[bool]:
    """Yields True if this run is the one consumer, False if another one is running."""
    if ctx.engine.dialect.name == "postgresql":
        async with ctx.engine.connect() as conn:
            held = (
                await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _ADVISORY_KEY})
            ).scalar_one()
            try:
                yield bool(held)
            finally:
                if held:
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_KEY})
                await conn.commit()
        return
    lock: asyncio.Lock = ctx.extra.setdefault("process_inbound_lock", asyncio.Lock())
    if lock.locked():
        yield False
        return
    async with lock:
        yield True
