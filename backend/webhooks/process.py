"""What one stored inbound event does to contacts, cases and messages (inside one transaction)."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.settings import Settings
from backend.webhooks.acks import acknowledgement_for, status_url
from backend.webhooks.cases import add_outbound, append_inbound, open_case, opened_recently
from backend.webhooks.contacts import find_identity, interacted, set_opted_out, update_details
from backend.webhooks.receipts import record_bounce, record_echo, record_receipt
from backend.webhooks.threads import case_to_continue
from channels.base import EventKind, InboundEvent


class Effects(msgspec.Struct, kw_only=True):
    """Work to wake once the transaction commits."""

    new_cases: list[int] = msgspec.field(default_factory=list)
    deliveries: list[int] = msgspec.field(default_factory=list)


def default_commune(settings: Settings, channel: str) -> str | None:
    """The commune whose OA, Page or mailbox this is (DESIGN: every account belongs to one)."""
    configured = getattr(settings.channels, channel, None)
    return getattr(configured, "commune_code", None)


async def apply_event(
    conn: AsyncConnection, settings: Settings, event: InboundEvent, effects: Effects
) -> None:
    """Apply one event; the caller commits it together with the event's processed mark."""
    kind = event.kind
    if kind is EventKind.MESSAGE:
        await _message(conn, settings, event, effects)
    elif kind is EventKind.ECHO:
        await record_echo(conn, event)
    elif kind in (EventKind.DELIVERED, EventKind.SEEN):
        await record_receipt(conn, event)
    elif kind is EventKind.BOUNCED:
        await record_bounce(conn, event)
    elif kind is EventKind.FOLLOW:
        await set_opted_out(conn, await interacted(conn, event), None)
    elif kind is EventKind.UNFOLLOW:
        found = await find_identity(conn, event.channel, event.sender_id)
        if found is not None:
            await set_opted_out(conn, found, event.received_at)
    elif kind is EventKind.CONTACT_INFO:
        await update_details(conn, await interacted(conn, event), event)


async def _message(
    conn: AsyncConnection, settings: Settings, event: InboundEvent, effects: Effects
) -> None:
    """Citizen input: continue their case, or open one and acknowledge it with the code."""
    identity = await interacted(conn, event)
    secret = settings.auth.secret_key
    case_id = await case_to_continue(conn, event, identity, secret)
    if case_id is not None:
        await append_inbound(conn, case_id, event)
        return
    commune = event.commune_code or default_commune(settings, event.channel)
    if commune is None:
        raise ValueError(f"no commune configured for channel {event.channel}")
    opened = await open_case(conn, event, identity.contact_id, commune)
    if not opened.created:
        return
    effects.new_cases.append(opened.id)
    if not _wants_acknowledgement(event):
        return
    if not identity.created and await opened_recently(
        conn, identity.contact_id, event.channel, opened.id, event.received_at
    ):
        return
    url = status_url(settings.base_url, secret, opened.tracking_code)
    ack = acknowledgement_for(event.channel, opened.tracking_code, url)
    delivery_id = await add_outbound(
        conn,
        opened.id,
        event.channel,
        _reply_address(event),
        ack.text,
        ack.hints,
        event.received_at,
    )
    effects.deliveries.append(delivery_id)


def _wants_acknowledgement(event: InboundEvent) -> bool:
    # X-Auto-Response-Suppress asks for no automatic answer (protocol digest §3.5).
    return not event.raw.get("no_auto_reply", False)


def _reply_address(event: InboundEvent) -> str:
    """Chat: the sender id. E-mail: the envelope sender, as RFC 3834 §4 asks (digest §3.5)."""
    if event.channel == "email":
        return event.contact.get("return_path") or event.sender_id
    return event.sender_id
