"""Background work for deliveries: send one outbound message through its channel."""

from __future__ import annotations

import logging

from backend.deliveries.outbound import send_delivery
from backend.deliveries.outcomes import settle_attempt
from backend.deliveries.service import claim, one_writer, record_result
from backend.jobs.context import JobContext
from backend.observability.metrics import DELIVERIES
from backend.push.outbox import send_claimed_pushes
from backend.push.service import PUSH_CHANNEL

log = logging.getLogger(__name__)


async def deliver(ctx: JobContext, delivery_id: int) -> str | None:
    """Claim, send, record. A delivery someone else holds (or already sent) is left alone."""
    async with one_writer(ctx), ctx.engine.begin() as conn:
        delivery = await claim(conn, delivery_id, ctx.settings.worker.delivery_lease_seconds)
    if delivery is None:
        return None
    if delivery["channel"] == PUSH_CHANNEL:
        [state] = await send_claimed_pushes(ctx, [delivery])
        return state
    attempt = await send_delivery(ctx, delivery)
    async with one_writer(ctx), ctx.engine.begin() as conn:
        state = await record_result(conn, delivery, attempt.result, ctx.settings.worker)
        state, follow_ups = await settle_attempt(conn, ctx, delivery, attempt, state)
    DELIVERIES.labels(str(delivery["channel"]), state).inc()
    for follow_up in follow_ups:  # the same answer on a fallback channel
        await ctx.queue.wake("deliver", delivery_id=follow_up)
    return state
