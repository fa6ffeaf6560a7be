"""Deadline reminders: the sweeper re-finds open forwardings that are overdue or due soon and
pushes the responsible staff once per item per day (the reminder row's unique key decides)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from backend.db.inserts import insert_or_ignore
from backend.db.models import Forwarding, ForwardReminder, ForwardState
from backend.db.types import utcnow
from backend.forwarding.service import DUE_SOON
from backend.forwarding.units import receiving_users
from backend.jobs.context import JobContext
from backend.push.service import case_url, enqueue_user_push
from backend.synthesis.periods import VIETNAM
from channels.webpush.notice import PushNotice

REMINDERS = ForwardReminder.__table__  # type: ignore[attr-defined]
BATCH = 500


def reminder_notice(forwarding: Forwarding, overdue: bool, *, receiving: bool) -> PushNotice:
    """The unit that must answer opens its "forwarded to us" page; the forwarder the case."""
    what = f"Hồ sơ #{forwarding.case_id}" if forwarding.case_id else f"Nhóm #{forwarding.group_id}"
    due = forwarding.due_at.astimezone(VIETNAM).strftime("%H:%M %d/%m")
    title = "Quá hạn xử lý / Overdue" if overdue else "Sắp đến hạn / Due soon"
    return PushNotice(
        title=title,
        body=f"{what} chuyển xử lý, hạn {due}.",
        url=(
            "/forwarded.html"
            if receiving
            else case_url(forwarding.case_id)
            if forwarding.case_id
            else f"/groups.html?id={forwarding.group_id}"
        ),
        tag=f"forwarding-{forwarding.id}",
    )


async def remind_deadlines(ctx: JobContext, now: datetime | None = None) -> int:
    """Push a reminder for each open forwarding due within a day or overdue; returns how many."""
    now = now or utcnow()
    day = now.astimezone(VIETNAM).date().isoformat()
    reminded = 0
    async with ctx.sessions() as session:
        query = (
            select(Forwarding)
            .where(
                Forwarding.state == ForwardState.OPEN.value,
                col(Forwarding.due_at) <= now + DUE_SOON,
            )
            .order_by(col(Forwarding.due_at))
            .limit(BATCH)
        )
        for forwarding in (await session.exec(query)).all():
            assert forwarding.id is not None
            overdue = forwarding.due_at < now
            conn = await session.connection()
            inserted = (
                await conn.execute(
                    insert_or_ignore(conn, REMINDERS, REMINDERS.c.id),
                    {
                        "forwarding_id": forwarding.id,
                        "day": day,
                        "kind": "overdue" if overdue else "due_soon",
                        "recipients": 0,
                        "at": now,
                    },
                )
            ).scalar_one_or_none()
            if inserted is None:  # already reminded today
                continue
            unit = await receiving_users(session, forwarding)
            pushes = await enqueue_user_push(
                session, unit, reminder_notice(forwarding, overdue, receiving=True)
            )
            if forwarding.forwarded_by not in unit:
                pushes += await enqueue_user_push(
                    session,
                    [forwarding.forwarded_by],
                    reminder_notice(forwarding, overdue, receiving=False),
                )
            await conn.execute(
                update(REMINDERS).where(REMINDERS.c.id == inserted).values(recipients=pushes)
            )
            reminded += 1
        await session.commit()
    return reminded
