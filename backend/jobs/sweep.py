"""The sweeper: re-finds pending work after crashes, restarts or queue outages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.classification.service import BATCH as CLASSIFY_BATCH
from backend.db.models import Case
from backend.db.types import utcnow
from backend.deliveries.service import due_ids
from backend.forwarding.reminders import remind_deadlines
from backend.jobs.context import JobContext
from backend.push.jobs import schedule_due
from backend.webhooks.jobs import pending_events

CASES = Case.__table__  # type: ignore[attr-defined]


async def sweep(ctx: JobContext) -> dict[str, int]:
    """Wake jobs for unclassified cases and due deliveries; returns what it found."""
    now = utcnow()
    older_than = now - timedelta(seconds=ctx.settings.worker.classify_grace_seconds)
    async with ctx.engine.begin() as conn:
        pending = [
            row.id
            for row in (
                await conn.execute(
                    select(CASES.c.id)
                    .where(CASES.c.classified_at.is_(None), CASES.c.received_at <= older_than)
                    .order_by(CASES.c.received_at)
                    .limit(CLASSIFY_BATCH * 10)
                )
            ).all()
        ]
        deliveries = await due_ids(conn, now)
    pushes = await schedule_due(ctx)  # due campaign runs and follow-ups become push deliveries
    await remind_deadlines(ctx)  # overdue / due-soon forwardings, once a day
    inbound = await pending_events(
        ctx, older_than=timedelta(seconds=ctx.settings.worker.classify_grace_seconds)
    )
    for start in range(0, len(pending), CLASSIFY_BATCH):
        await ctx.queue.wake("classify_cases", case_ids=pending[start : start + CLASSIFY_BATCH])
    for delivery_id in deliveries:
        await ctx.queue.wake("deliver", delivery_id=delivery_id)
    if inbound:
        await ctx.queue.wake("process_inbound")
    await ctx.queue.wake("fetch_media")  # it re-finds downloads a crash or outage left pending
    await ctx.queue.wake("refresh_daily_counts")  # the dashboards' counts, when due
    return {
        "cases": len(pending),
        "deliveries": len(deliveries),
        "inbound": inbound,
        "pushes": pushes,
    }
