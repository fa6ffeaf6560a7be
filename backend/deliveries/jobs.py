"""Background work for deliveries: send one outbound message through its channel."""

from __future__ import annotations

import logging

from backend.deliveries.service import claim, record_result
from backend.jobs.context import JobContext
from channels.base import DeliveryResult, DeliveryStatus, OutboundMessage

log = logging.getLogger(__name__)


async def deliver(ctx: JobContext, delivery_id: int) -> str | None:
    """Claim, send, record. A delivery someone else holds (or already sent) is left alone."""
    async with ctx.engine.begin() as conn:
        delivery = await claim(conn, delivery_id, ctx.settings.worker.delivery_lease_seconds)
    if delivery is None:
        return None
    channel = ctx.channels.get(str(delivery["channel"]))
    if channel is None:
        result = DeliveryResult(
            status=DeliveryStatus.GONE, detail=f"no channel {delivery['channel']} configured"
        )
    else:
        async with ctx.engine.connect() as conn:
            text = await _message_text(conn, int(delivery["message_id"]))  # type: ignore[call-overload]
        message = OutboundMessage(
            channel=str(delivery["channel"]),
            recipient=str(delivery["recipient"]),
            text=text,
            idempotency_key=f"delivery-{delivery_id}",
        )
        try:
            result = await channel.send(message)
        except Exception as exc:  # a bug or misconfiguration in the adapter: retry, keep the reason
            log.exception("channel %s raised", delivery["channel"])
            result = DeliveryResult(status=DeliveryStatus.RETRYABLE, detail=f"adapter error: {exc}")
    async with ctx.engine.begin() as conn:
        return await record_result(conn, delivery, result, ctx.settings.worker)


async def _message_text(conn: object, message_id: int) -> str:
    from sqlalchemy import select

    from backend.deliveries.service import MESSAGES

    row = (await conn.execute(select(MESSAGES.c.text).where(MESSAGES.c.id == message_id))).first()  # type: ignore[attr-defined]
    return str(row.text) if row else ""
