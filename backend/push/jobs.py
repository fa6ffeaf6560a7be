"""Background work for push: scheduled campaigns and follow-ups, and sending due pushes."""

from __future__ import annotations

from backend.db.types import utcnow
from backend.jobs.context import JobContext
from backend.push.campaigns import due_campaigns, run_if_due
from backend.push.follow_ups import due_follow_ups, push_follow_up
from backend.push.outbox import send_due_pushes


async def schedule_due(ctx: JobContext) -> int:
    """Fan out due campaign runs and follow-ups (called by the sweeper); returns pushes added."""
    now = utcnow()
    async with ctx.engine.connect() as conn:
        campaigns = await due_campaigns(conn, now)
        follow_ups = await due_follow_ups(conn, now)
    added = 0
    for campaign_id in campaigns:  # one transaction per run: its pushes exist iff it ran
        async with ctx.engine.begin() as conn:
            added += await run_if_due(conn, campaign_id, now)
    for follow_up_id in follow_ups:
        async with ctx.engine.begin() as conn:
            added += await push_follow_up(conn, follow_up_id)
    if added:
        await ctx.queue.wake("send_pushes")
    return added


async def send_pushes(ctx: JobContext) -> int:
    """Send every push delivery due now (batched through the outbox); returns how many."""
    return await send_due_pushes(ctx)
