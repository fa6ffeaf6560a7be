"""Queue depth as the database sees it: the work still waiting, by kind."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.models import Case, Delivery, DeliveryState, InboundEventRecord

CASES = Case.__table__  # type: ignore[attr-defined]
DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]
EVENTS = InboundEventRecord.__table__  # type: ignore[attr-defined]


async def queue_depths(engine: AsyncEngine) -> dict[str, int]:
    """Unclassified cases, deliveries not yet settled, inbound events not yet processed.

    Each count is served by a partial or leading-column index, so a scrape stays cheap.
    """
    waiting = (DeliveryState.PENDING.value, DeliveryState.SENDING.value)
    async with engine.connect() as conn:
        classify = await conn.scalar(
            select(func.count()).select_from(CASES).where(CASES.c.classified_at.is_(None))
        )
        deliver = await conn.scalar(
            select(func.count()).select_from(DELIVERIES).where(DELIVERIES.c.state.in_(waiting))
        )
        inbound = await conn.scalar(
            select(func.count()).select_from(EVENTS).where(EVENTS.c.processed_at.is_(None))
        )
    return {
        "classify": int(classify or 0),
        "deliver": int(deliver or 0),
        "inbound": int(inbound or 0),
    }
