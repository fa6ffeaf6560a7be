"""Case events: what changed, published once per change to every API process.

Publishing is best effort and happens after the change committed: a lost event only means a
staff page refreshes later (the inbox reloads on reconnect), never a lost case. The publisher
lives in `JobContext.extra["live"]`: the API process puts its channels plugin there, the SAQ
worker a Redis publisher; without one (CLI, demo data) publishing does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal, Protocol

import msgspec
from sqlalchemy import select

from backend.communes.reference import communes
from backend.db.models import Case
from backend.jobs.context import JobContext

log = logging.getLogger(__name__)

CASES_CHANNEL = "cases"
CaseChange = Literal["created", "updated", "answered", "assigned"]
CASES = Case.__table__  # type: ignore[attr-defined]


class CaseEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One change to one case; province_code is for scoping and is not sent to browsers."""

    case_id: int
    tracking_code: str
    commune_code: str
    province_code: str | None
    status: str
    change: CaseChange


class LivePublisher(Protocol):
    """Sends encoded events to every subscribed API process."""

    async def publish(self, data: bytes) -> None: ...


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(list[CaseEvent]).decode


def encode_events(events: Sequence[CaseEvent]) -> bytes:
    return _encode(list(events))


def decode_events(data: bytes) -> list[CaseEvent]:
    return _decode(data)


async def publish_events(ctx: JobContext, events: Sequence[CaseEvent]) -> None:
    """Publish several events in one message (a batch of new or classified cases)."""
    publisher: LivePublisher | None = ctx.extra.get("live")
    if publisher is None or not events:
        return
    try:
        await publisher.publish(encode_events(events))
    except Exception:  # live pages are a convenience; the change itself is committed
        log.warning("could not publish %d case event(s)", len(events), exc_info=True)


async def publish_case_event(
    ctx: JobContext,
    *,
    case_id: int,
    tracking_code: str,
    commune_code: str,
    status: str,
    change: CaseChange,
    province_code: str | None = None,
) -> None:
    """Tell the staff pages in scope that this case changed (call after the commit)."""
    if province_code is None:
        commune = communes().get(commune_code)
        province_code = commune.province_code if commune is not None else None
    event = CaseEvent(
        case_id=case_id,
        tracking_code=tracking_code,
        commune_code=commune_code,
        province_code=province_code,
        status=status,
        change=change,
    )
    await publish_events(ctx, [event])


async def publish_cases(ctx: JobContext, case_ids: Sequence[int], change: CaseChange) -> None:
    """`publish_case_event` for cases known by id only: reads their current state, one message."""
    if not case_ids or ctx.extra.get("live") is None:
        return
    query = select(
        CASES.c.id,
        CASES.c.tracking_code,
        CASES.c.commune_code,
        CASES.c.province_code,
        CASES.c.status,
    ).where(CASES.c.id.in_(sorted(set(case_ids))))
    try:
        async with ctx.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
    except Exception:
        log.warning("could not read cases %s for live events", list(case_ids), exc_info=True)
        return
    events = [
        CaseEvent(
            case_id=row.id,
            tracking_code=row.tracking_code,
            commune_code=row.commune_code,
            province_code=row.province_code,
            status=row.status,
            change=change,
        )
        for row in rows
    ]
    await publish_events(ctx, events)
