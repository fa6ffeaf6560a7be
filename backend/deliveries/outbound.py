"""One delivery attempt: build the OutboundMessage the channel needs, send it, keep the result.

The message carries what a channel cannot know by itself: when the citizen last interacted
(Zalo's 7-day and Messenger's 24-hour windows), and for e-mail the thread's Message-IDs, the
signed reply+TOKEN address and the subject.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.models import Case, ContactIdentity, Direction, Message
from backend.jobs.context import JobContext
from backend.settings import Settings
from backend.webhooks.acks import status_url
from backend.webhooks.threads import reply_tokens
from channels.base import (
    ChannelMisconfigured,
    DeliveryResult,
    DeliveryStatus,
    OutboundMessage,
)

log = logging.getLogger(__name__)

CASES = Case.__table__  # type: ignore[attr-defined]
MESSAGES = Message.__table__  # type: ignore[attr-defined]
IDENTITIES = ContactIdentity.__table__  # type: ignore[attr-defined]


class Attempt(msgspec.Struct, frozen=True, kw_only=True):
    """A send's result; `alert` is set when an administrator must fix the channel."""

    result: DeliveryResult
    alert: str | None = None


async def send_delivery(ctx: JobContext, delivery: Mapping[str, Any]) -> Attempt:
    """Send one claimed delivery; misconfiguration becomes an alert, never a silent retry."""
    name = str(delivery["channel"])
    channel = ctx.channels.get(name)
    if channel is None:
        reason = f"no channel {name} configured on this deployment"
        return Attempt(
            result=DeliveryResult(status=DeliveryStatus.REJECTED, detail=reason), alert=reason
        )
    async with ctx.engine.connect() as conn:
        message = await outbound_message(conn, ctx.settings, delivery)
    try:
        return Attempt(result=await channel.send(message))
    except ChannelMisconfigured as exc:  # CredentialsRejected too: a human must act
        reason = str(exc) if str(exc).lower().startswith(name) else f"{name}: {exc}"
        return Attempt(
            result=DeliveryResult(status=DeliveryStatus.REJECTED, detail=reason), alert=reason
        )
    except Exception as exc:  # a bug in the adapter: retry, keep the reason
        log.exception("channel %s raised", name)
        detail = f"adapter error: {exc}"
        return Attempt(result=DeliveryResult(status=DeliveryStatus.RETRYABLE, detail=detail))


async def outbound_message(
    conn: AsyncConnection, settings: Settings, delivery: Mapping[str, Any]
) -> OutboundMessage:
    """The OutboundMessage for a delivery row."""
    message = (
        await conn.execute(
            select(MESSAGES.c.text, MESSAGES.c.raw).where(MESSAGES.c.id == delivery["message_id"])
        )
    ).one()
    code = (
        await conn.execute(select(CASES.c.tracking_code).where(CASES.c.id == delivery["case_id"]))
    ).scalar_one()
    hints: Mapping[str, Any] = message.raw or {}
    channel, recipient = str(delivery["channel"]), str(delivery["recipient"])
    fields: dict[str, Any] = {
        "channel": channel,
        "recipient": recipient,
        "text": message.text,
        "idempotency_key": f"delivery-{delivery['id']}",
        "tracking_code": code,
        "url": status_url(settings.base_url, settings.auth.secret_key, code),
        "last_inbound_at": await _last_interaction(conn, channel, recipient),
        "auto_submitted": hints.get("auto_submitted"),
    }
    if channel == "email":
        refs, subject = await _mail_thread(conn, int(delivery["case_id"]))
        fields.update(
            thread_refs=refs,
            reply_token=reply_tokens(settings.auth.secret_key).issue(code.lower()),
            subject=hints.get("subject") or subject,
        )
    return OutboundMessage(**fields)


async def _last_interaction(conn: AsyncConnection, channel: str, recipient: str) -> Any:
    query = select(IDENTITIES.c.last_interaction_at).where(
        IDENTITIES.c.channel == channel, IDENTITIES.c.external_id == recipient
    )
    return (await conn.execute(query)).scalar_one_or_none()


async def _mail_thread(conn: AsyncConnection, case_id: int) -> tuple[tuple[str, ...], str | None]:
    """The case's Message-IDs (the citizen's latest last: it becomes In-Reply-To) and subject."""
    rows = (
        await conn.execute(
            select(MESSAGES.c.external_id, MESSAGES.c.direction, MESSAGES.c.raw)
            .where(
                MESSAGES.c.case_id == case_id,
                MESSAGES.c.channel == "email",
                MESSAGES.c.external_id.is_not(None),
            )
            .order_by(MESSAGES.c.created_at, MESSAGES.c.id)
        )
    ).all()
    inbound = [row for row in rows if row.direction == Direction.INBOUND.value]
    refs = [row.external_id for row in rows if row.direction != Direction.INBOUND.value]
    refs += [row.external_id for row in inbound]
    subject = None
    if inbound:
        first = str((inbound[0].raw or {}).get("subject") or "").strip()
        if first:
            subject = first if first.lower().startswith("re:") else f"Re: {first}"
    return tuple(refs), subject
