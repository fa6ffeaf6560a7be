"""Cases and messages made from inbound events, written inside the event's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import String, bindparam, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.communes.reference import communes
from backend.db.inserts import insert_or_ignore
from backend.db.models import Case, CaseStatus, Delivery, DeliveryState, Direction, Message
from backend.text import fold, new_tracking_code
from backend.webhooks.media import pending
from channels.base import InboundEvent

CASES = Case.__table__  # type: ignore[attr-defined]
MESSAGES = Message.__table__  # type: ignore[attr-defined]
DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]
MAX_CODE_DRAWS = 5
SEARCH_TEXT_MAX = 20000


class OpenedCase(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    tracking_code: str
    created: bool


def message_text(event: InboundEvent) -> str:
    """The text to store; a picture or file without words is named by its kind."""
    if event.text.strip():
        return event.text
    return " ".join(f"[{attachment.kind}]" for attachment in event.attachments) or "[…]"


def _attachments(event: InboundEvent) -> list[dict[str, Any]] | None:
    return [msgspec.to_builtins(a) for a in event.attachments] or None


async def open_case(
    conn: AsyncConnection, event: InboundEvent, contact_id: int | None, commune_code: str
) -> OpenedCase:
    """A new case with the event as its first message; source_key "<channel>:<external id>"."""
    commune = communes().get(commune_code)
    if commune is None:
        raise ValueError(
            f"channel {event.channel} files cases under unknown commune {commune_code}"
        )
    text = message_text(event)
    source_key = f"{event.channel}:{event.external_id}"
    search_text = fold(text)
    at = event.received_at
    for _ in range(MAX_CODE_DRAWS):
        code = new_tracking_code()
        inserted = (
            await conn.execute(
                insert_or_ignore(conn, CASES, CASES.c.id),
                {
                    "tracking_code": code,
                    "source_key": source_key,
                    "channel": event.channel,
                    "commune_code": commune.code,
                    "province_code": commune.province_code,
                    "contact_id": contact_id,
                    "summary": text[:280],
                    "search_text": search_text,
                    "status": CaseStatus.NEW.value,
                    "urgent": False,
                    "needs_review": False,
                    "received_at": at,
                    "last_inbound_at": at,
                    "updated_at": at,
                },
            )
        ).scalar_one_or_none()
        if inserted is not None:
            await _insert_inbound(conn, inserted, event, text)
            return OpenedCase(id=inserted, tracking_code=code, created=True)
        existing = (
            await conn.execute(
                select(CASES.c.id, CASES.c.tracking_code).where(CASES.c.source_key == source_key)
            )
        ).first()
        if existing is not None:  # this event already opened its case
            return OpenedCase(id=existing.id, tracking_code=existing.tracking_code, created=False)
    raise RuntimeError("could not draw a unique tracking code")


def _last_characters(text: Any, count: int) -> Any:
    """SQL for the last `count` characters of `text` (PostgreSQL and SQLite alike)."""
    return case(
        (func.length(text) > count, func.substr(text, func.length(text) - (count - 1))),
        else_=text,
    )


# Built once (the consumer runs it for every follow-up message): the message's folded text
# appended to what search reads, the case's times moved to it.
_FOLLOW_UP = (
    update(CASES)
    .where(CASES.c.id == bindparam("case_id"))
    .values(
        updated_at=bindparam("at"),
        search_text=_last_characters(
            func.coalesce(CASES.c.search_text, "") + "\n" + bindparam("folded", type_=String),
            SEARCH_TEXT_MAX,
        ),
        last_inbound_at=case(
            (
                or_(
                    CASES.c.last_inbound_at.is_(None),
                    CASES.c.last_inbound_at < bindparam("at"),
                ),
                bindparam("at"),
            ),
            else_=CASES.c.last_inbound_at,
        ),
    )
)


async def append_inbound(conn: AsyncConnection, case_id: int, event: InboundEvent) -> bool:
    """Add the citizen's message to the case; False if it is already there."""
    text = message_text(event)
    if not await _insert_inbound(conn, case_id, event, text):
        return False
    params = {"case_id": case_id, "at": event.received_at, "folded": fold(text)}
    await conn.execute(_FOLLOW_UP, params)
    return True


async def _insert_inbound(
    conn: AsyncConnection, case_id: int, event: InboundEvent, text: str
) -> bool:
    attachments = _attachments(event)
    inserted = (
        await conn.execute(
            insert_or_ignore(conn, MESSAGES, MESSAGES.c.id),
            {
                "case_id": case_id,
                "direction": Direction.INBOUND.value,
                "channel": event.channel,
                "external_id": event.external_id,
                "text": text,
                "public": True,
                "raw": dict(event.raw),
                "attachments": attachments,
                "media_pending": any(pending(a) for a in attachments or ()),
                "created_at": event.received_at,
            },
        )
    ).scalar_one_or_none()
    return inserted is not None


_NEW_MESSAGE = MESSAGES.insert().returning(MESSAGES.c.id)
_NEW_DELIVERY = DELIVERIES.insert().returning(DELIVERIES.c.id)


async def add_outbound(
    conn: AsyncConnection,
    case_id: int,
    channel: str,
    recipient: str,
    text: str,
    hints: dict[str, Any],
    at: datetime,
) -> int:
    """An automatic outbound message and its delivery row; returns the delivery id."""
    message = {
        "case_id": case_id,
        "direction": Direction.OUTBOUND.value,
        "channel": channel,
        "text": text,
        "public": True,
        "raw": hints,
        "delivery_state": DeliveryState.PENDING.value,
        "created_at": at,
    }
    message_id = (await conn.execute(_NEW_MESSAGE, message)).scalar_one()
    delivery = {
        "message_id": message_id,
        "case_id": case_id,
        "channel": channel,
        "recipient": recipient,
        "state": DeliveryState.PENDING.value,
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": at,
    }
    delivery_id: int = (await conn.execute(_NEW_DELIVERY, delivery)).scalar_one()
    return delivery_id


_OTHER_RECENT_CASES = select(func.count()).where(
    CASES.c.contact_id == bindparam("contact_id"),
    CASES.c.channel == bindparam("channel"),
    CASES.c.id != bindparam("case_id"),
    CASES.c.received_at >= bindparam("since"),
)


async def opened_recently(
    conn: AsyncConnection, contact_id: int, channel: str, case_id: int, now: datetime
) -> bool:
    """Another case of this citizen on this channel opened in the last 10 minutes (§3.5)."""
    params = {
        "contact_id": contact_id,
        "channel": channel,
        "case_id": case_id,
        "since": now - timedelta(minutes=10),
    }
    return bool((await conn.execute(_OTHER_RECENT_CASES, params)).scalar_one())
