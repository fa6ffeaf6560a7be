"""Which case an inbound message continues, if any.

Chat channels are one running conversation: a message joins the citizen's open case there.
E-mail follows its thread instead (protocol digest §3.3): the signed reply+TOKEN address
first, then In-Reply-To/References against the Message-IDs we stored or sent, then the
`[XXXXX-XXXXX]` tag in the subject of a mail from the same citizen; otherwise it is new.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.db.models import Case, CaseStatus, Delivery, Message
from backend.webhooks.contacts import Identity
from channels.base import InboundEvent
from channels.email import ReplyTokens

CASES = Case.__table__  # type: ignore[attr-defined]
MESSAGES = Message.__table__  # type: ignore[attr-defined]
DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]

# An answered case still takes the citizen's follow-up ("not fixed yet", "thanks") this long.
ANSWERED_FOLLOW_UP = timedelta(days=7)
_SUBJECT_TAG = re.compile(r"\[([0-9A-Z]{5}-[0-9A-Z]{5})\]")


def reply_tokens(secret_key: str) -> ReplyTokens:
    """Signs reply+TOKEN addresses with a key derived from the app secret (never the secret)."""
    return ReplyTokens(hashlib.sha256(f"email-reply-token:{secret_key}".encode()).digest())


async def case_to_continue(
    conn: AsyncConnection, event: InboundEvent, identity: Identity, secret_key: str
) -> int | None:
    """The case `event` belongs to, or None when it opens a new one."""
    if event.channel == "email":  # a reply can name a case opened elsewhere (web, another address)
        return await _email_thread(conn, event, identity.contact_id, secret_key)
    if identity.created:
        return None  # a contact created just now has no case to continue
    return await open_case_of(conn, identity.contact_id, event.channel, event.received_at)


_OPEN_CASE_OF = (
    select(CASES.c.id)
    .where(
        CASES.c.contact_id == bindparam("contact_id"),
        CASES.c.channel == bindparam("channel"),
        or_(
            and_(
                CASES.c.status != CaseStatus.CLOSED.value,
                CASES.c.status != CaseStatus.ANSWERED.value,
            ),
            and_(
                CASES.c.status == CaseStatus.ANSWERED.value,
                CASES.c.updated_at >= bindparam("answered_since"),
            ),
        ),
    )
    .order_by(CASES.c.received_at.desc(), CASES.c.id.desc())
    .limit(1)
)


async def open_case_of(
    conn: AsyncConnection, contact_id: int, channel: str, now: datetime
) -> int | None:
    """The citizen's latest case on `channel` that is still open (or freshly answered)."""
    params = {
        "contact_id": contact_id,
        "channel": channel,
        "answered_since": now - ANSWERED_FOLLOW_UP,
    }
    case_id: int | None = (await conn.execute(_OPEN_CASE_OF, params)).scalar_one_or_none()
    return case_id


async def latest_case_of(conn: AsyncConnection, contact_id: int, channel: str) -> int | None:
    """The citizen's newest case on `channel`, whatever its status."""
    query = (
        select(CASES.c.id)
        .where(CASES.c.contact_id == contact_id, CASES.c.channel == channel)
        .order_by(CASES.c.received_at.desc(), CASES.c.id.desc())
        .limit(1)
    )
    return (await conn.execute(query)).scalar_one_or_none()


async def _email_thread(
    conn: AsyncConnection, event: InboundEvent, contact_id: int, secret_key: str
) -> int | None:
    if event.reply_token:
        ref = reply_tokens(secret_key).verify(event.reply_token)
        if ref is not None:
            found = await _case_by_code(conn, ref.upper())
            if found is not None:
                return found
    if event.thread_refs:
        found = await _case_by_message_ids(conn, event.thread_refs)
        if found is not None:
            return found
    match = _SUBJECT_TAG.search(str(event.raw.get("subject", "")).upper())
    if match is not None:
        found = await _case_by_code(conn, match.group(1), contact_id=contact_id)
        if found is not None:
            return found
    return None


async def _case_by_code(
    conn: AsyncConnection, code: str, *, contact_id: int | None = None
) -> int | None:
    query = select(CASES.c.id).where(CASES.c.tracking_code == code)
    if contact_id is not None:
        query = query.where(CASES.c.contact_id == contact_id)
    return (await conn.execute(query)).scalar_one_or_none()


async def _case_by_message_ids(conn: AsyncConnection, refs: tuple[str, ...]) -> int | None:
    """A stored e-mail (theirs or ours) among the references; the newest reference wins."""
    by_message = (
        await conn.execute(
            select(MESSAGES.c.external_id, MESSAGES.c.case_id).where(
                MESSAGES.c.channel == "email", MESSAGES.c.external_id.in_(refs)
            )
        )
    ).all()
    bracketed = [f"<{ref}>" for ref in refs]
    by_delivery = (
        await conn.execute(
            select(DELIVERIES.c.provider_message_id, DELIVERIES.c.case_id).where(
                DELIVERIES.c.channel == "email", DELIVERIES.c.provider_message_id.in_(bracketed)
            )
        )
    ).all()
    cases = {row[0]: row[1] for row in by_message}
    cases.update({row[0].strip("<>"): row[1] for row in by_delivery})
    for ref in reversed(refs):  # References are oldest first; In-Reply-To comes last
        if ref in cases:
            return int(cases[ref])
    return None
