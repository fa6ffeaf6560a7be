"""Personal follow-ups: a note and a time; at that time a push to its owner."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel import select as model_select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.db.models import FollowUp, FollowUpState
from backend.db.types import utcnow
from backend.errors import Invalid, NotFound
from backend.push.schemas import FollowUpCreate, FollowUpList, FollowUpView
from backend.push.service import FOLLOW_UP, add_pushes, user_subscriptions
from channels.webpush import PushNotice

FOLLOW_UPS = FollowUp.__table__  # type: ignore[attr-defined]
FOLLOW_UP_URL = "/volunteer.html#follow-ups"


def view_of(item: FollowUp) -> FollowUpView:
    return FollowUpView(
        id=item.id or 0,
        note=item.note,
        due_at=item.due_at,
        tracking_code=item.tracking_code,
        state=item.state,
        created_at=item.created_at,
    )


class FollowUpService:
    """The caller's own follow-ups; another user's look like they do not exist."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def create(self, data: FollowUpCreate) -> FollowUpView:
        note = data.note.strip()
        if not note:
            raise Invalid("note must not be blank", field="note")
        if data.due_at.tzinfo is None:
            raise Invalid("due_at needs a time zone (e.g. +07:00 or Z)", field="due_at")
        code = data.tracking_code.strip().upper() if data.tracking_code else None
        item = FollowUp(
            user_id=self.principal.user_id, note=note, due_at=data.due_at, tracking_code=code
        )
        self.session.add(item)
        await self.session.commit()
        await self.session.refresh(item)
        return view_of(item)

    async def list_follow_ups(self) -> FollowUpList:
        query = (
            model_select(FollowUp)
            .where(FollowUp.user_id == self.principal.user_id)
            .order_by(col(FollowUp.due_at), col(FollowUp.id))
            .limit(500)
        )
        return FollowUpList(items=[view_of(i) for i in (await self.session.exec(query)).all()])

    async def get(self, follow_up_id: int) -> FollowUp:
        item = await self.session.get(FollowUp, follow_up_id)
        if item is None or item.user_id != self.principal.user_id:
            raise NotFound(f"no follow-up {follow_up_id}")
        return item

    async def done(self, follow_up_id: int) -> FollowUpView:
        item = await self.get(follow_up_id)
        item.state = FollowUpState.DONE
        self.session.add(item)
        await self.session.commit()
        await self.session.refresh(item)
        return view_of(item)

    async def delete(self, follow_up_id: int) -> None:
        item = await self.get(follow_up_id)
        await self.session.delete(item)
        await self.session.commit()


async def due_follow_ups(conn: AsyncConnection, now: datetime, limit: int = 500) -> list[int]:
    query = (
        select(FOLLOW_UPS.c.id)
        .where(FOLLOW_UPS.c.state == FollowUpState.PENDING.value, FOLLOW_UPS.c.due_at <= now)
        .order_by(FOLLOW_UPS.c.due_at)
        .limit(limit)
    )
    return [row.id for row in (await conn.execute(query)).all()]


async def push_follow_up(conn: AsyncConnection, follow_up_id: int) -> int:
    """Mark it sent and add its pushes, once (the state guard makes a second sweeper a no-op)."""
    row = (
        await conn.execute(
            update(FOLLOW_UPS)
            .where(
                FOLLOW_UPS.c.id == follow_up_id,
                FOLLOW_UPS.c.state == FollowUpState.PENDING.value,
            )
            .values(state=FollowUpState.SENT.value, sent_at=utcnow())
            .returning(FOLLOW_UPS.c.user_id, FOLLOW_UPS.c.note, FOLLOW_UPS.c.tracking_code)
        )
    ).first()
    if row is None:
        return 0
    body = f"{row.note} ({row.tracking_code})" if row.tracking_code else row.note
    notice = PushNotice(
        title="Nhắc việc / Follow-up", body=body, url=FOLLOW_UP_URL, tag=f"follow-up-{follow_up_id}"
    )
    ids = await user_subscriptions(conn, [row.user_id])
    return await add_pushes(conn, ids, notice, FOLLOW_UP, follow_up_id=follow_up_id)
