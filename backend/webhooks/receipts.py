"""Events about our own outbound messages: echoes, delivery and read receipts, bounces."""

from __future__ import annotations

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.inserts import insert_or_ignore
from backend.db.models import Delivery, DeliveryState, Direction, Message
from backend.webhooks.contacts import find_identity
from backend.webhooks.threads import latest_case_of, open_case_of
from channels.base import EventKind, InboundEvent

MESSAGES = Message.__table__  # type: ignore[attr-defined]
DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]

# A message's delivery_state only moves forward along this order.
RECEIPT_STATES = {EventKind.DELIVERED: "delivered", EventKind.SEEN: "seen"}
_NOT_BEFORE = {"delivered": ("delivered", "seen"), "seen": ("seen",)}


async def record_echo(conn: AsyncConnection, event: InboundEvent) -> bool:
    """Store what staff typed in the OA console / Page inbox as an outbound message.

    Never citizen input: it opens no case and moves no messaging window. Echoes of our own
    sends are recognised by their provider id (set on the message once sent) or, while the
    send is still in flight, by a delivery to that citizen being claimed right now.
    """
    if await _known(conn, event.channel, event.external_id):
        return False
    in_flight = await conn.execute(
        select(DELIVERIES.c.id)
        .where(
            DELIVERIES.c.channel == event.channel,
            DELIVERIES.c.recipient == event.sender_id,
            DELIVERIES.c.state == DeliveryState.SENDING.value,
        )
        .limit(1)
    )
    if in_flight.first() is not None:
        return False
    identity = await find_identity(conn, event.channel, event.sender_id)
    if identity is None:
        return False
    case_id = await open_case_of(
        conn, identity.contact_id, event.channel, event.received_at
    ) or await latest_case_of(conn, identity.contact_id, event.channel)
    if case_id is None:
        return False
    await conn.execute(
        insert_or_ignore(conn, MESSAGES),
        {
            "case_id": case_id,
            "direction": Direction.OUTBOUND.value,
            "channel": event.channel,
            "external_id": event.external_id,
            "text": event.text or "[…]",
            "public": True,
            "raw": {"echo": True, **event.raw},
            "delivery_state": DeliveryState.SENT.value,
            "created_at": event.received_at,
        },
    )
    return True


async def record_receipt(conn: AsyncConnection, event: InboundEvent) -> int:
    """DELIVERED / SEEN: move the outbound messages' delivery_state forward; returns how many."""
    state = RECEIPT_STATES[event.kind]
    forward = or_(
        MESSAGES.c.delivery_state.is_(None), MESSAGES.c.delivery_state.not_in(_NOT_BEFORE[state])
    )
    matches = []
    if event.refers_to:
        matches.append(
            and_(MESSAGES.c.channel == event.channel, MESSAGES.c.external_id.in_(event.refers_to))
        )
        matches.append(
            MESSAGES.c.id.in_(
                select(DELIVERIES.c.message_id).where(
                    DELIVERIES.c.channel == event.channel,
                    DELIVERIES.c.provider_message_id.in_(event.refers_to),
                )
            )
        )
    if event.watermark is not None:
        # Messenger: everything sent to this citizen before the watermark (§2.3).
        matches.append(
            MESSAGES.c.id.in_(
                select(DELIVERIES.c.message_id).where(
                    DELIVERIES.c.channel == event.channel,
                    DELIVERIES.c.recipient == event.sender_id,
                    DELIVERIES.c.state == DeliveryState.SENT.value,
                    DELIVERIES.c.sent_at <= event.watermark,
                )
            )
        )
    if not matches:
        return 0
    result = await conn.execute(
        update(MESSAGES)
        .where(MESSAGES.c.direction == Direction.OUTBOUND.value, forward, or_(*matches))
        .values(delivery_state=state)
    )
    return int(result.rowcount or 0)


async def record_bounce(conn: AsyncConnection, event: InboundEvent) -> int:
    """A DSN about mail we sent: the delivery is gone and the message shows "bounced"."""
    bracketed = [f"<{ref}>" for ref in event.refers_to]
    if not bracketed or not event.raw.get("permanent", True):
        return 0  # a "delayed" notice: the remote server is still trying
    status = event.raw.get("status") or ""
    rows = (
        await conn.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.channel == "email", DELIVERIES.c.provider_message_id.in_(bracketed))
            .values(state=DeliveryState.GONE.value, last_error=f"bounced {status}".strip())
            .returning(DELIVERIES.c.message_id)
        )
    ).all()
    message_ids = [row.message_id for row in rows]
    if message_ids:
        await conn.execute(
            update(MESSAGES).where(MESSAGES.c.id.in_(message_ids)).values(delivery_state="bounced")
        )
    return len(message_ids)


async def _known(conn: AsyncConnection, channel: str, external_id: str) -> bool:
    query = select(
        exists().where(MESSAGES.c.channel == channel, MESSAGES.c.external_id == external_id)
    )
    return bool((await conn.execute(query)).scalar())
