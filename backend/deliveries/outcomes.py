"""What follows a recorded send: provider ids, fallback to another channel, admin alerts.

DESIGN §4 rule 3: a chat reply outside the messaging window goes to another channel the
citizen gave (their e-mail address), else stays readable on the web status page; either way
the case's deliveries show how the answer travelled. A citizen who asked on the status page to
be told of answers also gets a Web Push (backend.push.service.enqueue_answer_push, added with
the reply), so an answer that only reached the web page still reaches their phone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.models import (
    AuditEvent,
    Case,
    Contact,
    ContactIdentity,
    Delivery,
    DeliveryState,
    Direction,
    Message,
)
from backend.db.types import utcnow
from backend.deliveries.outbound import Attempt
from backend.jobs.context import JobContext
from backend.push.sending import settle_push
from backend.push.service import PUSH_CHANNEL
from channels.base import DeliveryStatus

CASES = Case.__table__  # type: ignore[attr-defined]
CONTACTS = Contact.__table__  # type: ignore[attr-defined]
IDENTITIES = ContactIdentity.__table__  # type: ignore[attr-defined]
DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]
MESSAGES = Message.__table__  # type: ignore[attr-defined]
AUDIT = AuditEvent.__table__  # type: ignore[attr-defined]
ALERT_ACTION = "channel.alert"


async def settle_attempt(
    conn: AsyncConnection,
    ctx: JobContext,
    delivery: Mapping[str, Any],
    attempt: Attempt,
    state: str,
) -> tuple[str, list[int]]:
    """After record_result, in its transaction: returns (final state, deliveries to wake)."""
    result = attempt.result
    if attempt.alert is not None:
        await _alert(conn, delivery, attempt.alert)
        return DeliveryState.FAILED.value, []
    if delivery["channel"] == PUSH_CHANNEL:
        await settle_push(conn, delivery, state)
        return state, []
    if result.status is DeliveryStatus.OK and result.provider_message_id:
        await _remember_provider_id(conn, delivery, result.provider_message_id)
    if result.status is DeliveryStatus.GONE and result.fallback_allowed:
        fallback = await _fall_back(conn, ctx, delivery)
        return state, [fallback] if fallback is not None else []
    return state, []


async def _alert(conn: AsyncConnection, delivery: Mapping[str, Any], reason: str) -> None:
    """The channel needs an administrator: the delivery fails with the reason, audited."""
    await conn.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id == delivery["id"])
        .values(state=DeliveryState.FAILED.value, last_error=reason[:1000])
    )
    await conn.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == delivery["message_id"])
        .values(delivery_state=DeliveryState.FAILED.value)
    )
    await conn.execute(
        AUDIT.insert().values(
            at=utcnow(),
            user_id=None,
            action=ALERT_ACTION,
            object_type="channel",
            object_id=str(delivery["channel"]),
            detail={
                "delivery_id": delivery["id"],
                "case_id": delivery["case_id"],
                "reason": reason,
            },
        )
    )


async def _remember_provider_id(
    conn: AsyncConnection, delivery: Mapping[str, Any], provider_id: str
) -> None:
    """The message takes the provider's id, so its echo and receipts find it.

    An echo that arrived while the send was in flight was stored as a separate message with
    this id; ours replaces it.
    """
    channel = str(delivery["channel"])
    external_id = provider_id.strip("<>") if channel == "email" else provider_id
    message = (
        await conn.execute(
            select(MESSAGES.c.channel).where(MESSAGES.c.id == delivery["message_id"])
        )
    ).scalar_one()
    if message != channel:
        return  # a fallback delivery: the message belongs to the case's own channel
    has_delivery = exists().where(DELIVERIES.c.message_id == MESSAGES.c.id)
    await conn.execute(
        delete(MESSAGES).where(
            MESSAGES.c.channel == channel,
            MESSAGES.c.external_id == external_id,
            MESSAGES.c.id != delivery["message_id"],
            MESSAGES.c.direction == Direction.OUTBOUND.value,
            ~has_delivery,
        )
    )
    await conn.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == delivery["message_id"], MESSAGES.c.external_id.is_(None))
        .values(external_id=external_id)
    )


async def _fall_back(
    conn: AsyncConnection, ctx: JobContext, delivery: Mapping[str, Any]
) -> int | None:
    """A new delivery of the same message on e-mail, or on the web status page."""
    case = (
        await conn.execute(
            select(CASES.c.tracking_code, CASES.c.contact_id).where(
                CASES.c.id == delivery["case_id"]
            )
        )
    ).one()
    channel, recipient = "web", case.tracking_code
    email = await _email_of(conn, case.contact_id)
    if email is not None and "email" in ctx.channels and delivery["channel"] != "email":
        channel, recipient = "email", email
    already = await conn.execute(
        select(DELIVERIES.c.id).where(
            and_(DELIVERIES.c.message_id == delivery["message_id"], DELIVERIES.c.channel == channel)
        )
    )
    if already.first() is not None:
        return None
    now = utcnow()
    new_id: int = (
        await conn.execute(
            DELIVERIES.insert()
            .values(
                message_id=delivery["message_id"],
                case_id=delivery["case_id"],
                channel=channel,
                recipient=recipient,
                state=DeliveryState.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            .returning(DELIVERIES.c.id)
        )
    ).scalar_one()
    await conn.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == delivery["message_id"])
        .values(delivery_state=DeliveryState.PENDING.value)
    )
    return new_id


async def _email_of(conn: AsyncConnection, contact_id: int | None) -> str | None:
    """The address the citizen gave: on the contact, or as their e-mail identity."""
    if contact_id is None:
        return None
    email = (
        await conn.execute(select(CONTACTS.c.email).where(CONTACTS.c.id == contact_id))
    ).scalar_one_or_none()
    if email:
        return str(email)
    identity = (
        await conn.execute(
            select(IDENTITIES.c.external_id).where(
                IDENTITIES.c.contact_id == contact_id, IDENTITIES.c.channel == "email"
            )
        )
    ).first()
    return None if identity is None else str(identity.external_id)
