"""Pushes as outbox rows: one delivery per subscription, sent by the delivery job after commit.

Every function here writes in the caller's transaction and returns how many rows it added;
the caller wakes `send_pushes` after its commit (the sweeper re-finds them otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
from sqlalchemy import and_, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.db.models import (
    Case,
    Commune,
    Delivery,
    DeliveryState,
    PushSubscriptionRecord,
    Role,
    User,
    UserCommune,
)
from backend.db.types import utcnow
from backend.errors import Invalid
from channels.webpush import PushNotice

PUSH_CHANNEL = "webpush"
SUBSCRIPTIONS = PushSubscriptionRecord.__table__  # type: ignore[attr-defined]
DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]
CASES = Case.__table__  # type: ignore[attr-defined]
USERS = User.__table__  # type: ignore[attr-defined]
USER_COMMUNES = UserCommune.__table__  # type: ignore[attr-defined]
COMMUNES = Commune.__table__  # type: ignore[attr-defined]
STAFF_ROLES = (Role.ADMIN.value, Role.PROVINCE_STAFF.value, Role.COMMUNE_STAFF.value)


class PushKind(msgspec.Struct, frozen=True):
    """How long a push service keeps it for an offline device, and how urgently it wakes one."""

    ttl: int  # seconds (RFC 8030 §5.2)
    urgency: str  # very-low | low | normal | high (RFC 8030 §5.3)


ANSWER = PushKind(7 * 24 * 3600, "normal")  # the citizen may open their phone days later
ASSIGNED = PushKind(3 * 24 * 3600, "normal")
URGENT = PushKind(12 * 3600, "high")  # wakes the device; stale after half a day
CAMPAIGN = PushKind(24 * 3600, "low")
FOLLOW_UP = PushKind(24 * 3600, "normal")
USER = PushKind(24 * 3600, "normal")


async def add_pushes(
    conn: AsyncConnection,
    subscription_ids: Iterable[int],
    notice: PushNotice,
    kind: PushKind,
    **links: int | None,
) -> int:
    """One pending delivery per subscription; `links` are case_id / campaign_id / follow_up_id."""
    now = utcnow()
    payload = msgspec.to_builtins(notice)
    rows = [
        {
            "channel": PUSH_CHANNEL,
            "recipient": str(sid),
            "subscription_id": sid,
            "state": DeliveryState.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "notice": payload,
            "push_ttl": kind.ttl,
            "push_urgency": kind.urgency,
            "message_id": None,
            "case_id": links.get("case_id"),
            "campaign_id": links.get("campaign_id"),
            "follow_up_id": links.get("follow_up_id"),
        }
        for sid in sorted(set(subscription_ids))
    ]
    for start in range(0, len(rows), 1000):
        await conn.execute(insert(DELIVERIES), rows[start : start + 1000])
    return len(rows)


async def user_subscriptions(conn: AsyncConnection, user_ids: Sequence[int]) -> list[int]:
    """Subscriptions of these users, active accounts only."""
    if not user_ids:
        return []
    query = (
        select(SUBSCRIPTIONS.c.id)
        .join(USERS, USERS.c.id == SUBSCRIPTIONS.c.user_id)
        .where(SUBSCRIPTIONS.c.user_id.in_(sorted(set(user_ids))), USERS.c.is_active.is_(True))
    )
    return [row.id for row in (await conn.execute(query)).all()]


async def enqueue_user_push(
    session: AsyncSession,
    user_ids: Sequence[int],
    notice: PushNotice,
    *,
    kind: PushKind = USER,
    **links: int | None,
) -> int:
    """A delivery row per subscription of these users, in the caller's transaction."""
    conn = await session.connection()
    return await add_pushes(conn, await user_subscriptions(conn, user_ids), notice, kind, **links)


def case_url(case_id: int) -> str:
    return f"/case.html?id={case_id}"


async def enqueue_answer_push(conn: AsyncConnection, case_id: int) -> int:
    """The citizen asked to be told when the case is answered: their subscriptions for it."""
    code = (
        await conn.execute(select(CASES.c.tracking_code).where(CASES.c.id == case_id))
    ).scalar_one()
    ids = (
        await conn.execute(select(SUBSCRIPTIONS.c.id).where(SUBSCRIPTIONS.c.case_id == case_id))
    ).scalars()
    notice = PushNotice(
        title="Góp ý của bạn đã có trả lời",
        body=f"Mã theo dõi {code}. Chạm để xem câu trả lời. / Your feedback has an answer.",
        url=f"/track/{code}",
        tag=code,
    )
    return await add_pushes(conn, ids, notice, ANSWER, case_id=case_id)


async def enqueue_assigned_push(conn: AsyncConnection, case_id: int, assignee_id: int) -> int:
    """Tell the assignee a case is theirs now."""
    case = (
        await conn.execute(
            select(CASES.c.tracking_code, CASES.c.summary).where(CASES.c.id == case_id)
        )
    ).one()
    notice = PushNotice(
        title=f"Bạn được giao góp ý {case.tracking_code}",
        body=(case.summary or "")[:160],
        url=case_url(case_id),
        tag=f"case-{case_id}",
    )
    ids = await user_subscriptions(conn, [assignee_id])
    return await add_pushes(conn, ids, notice, ASSIGNED, case_id=case_id)


async def enqueue_urgent_push(conn: AsyncConnection, case_ids: Sequence[int]) -> int:
    """Urgent cases to the staff whose scope holds them and whose preferences match."""
    if not case_ids:
        return 0
    cases = (
        await conn.execute(
            select(
                CASES.c.id,
                CASES.c.tracking_code,
                CASES.c.commune_code,
                CASES.c.province_code,
                CASES.c.topic,
                CASES.c.summary,
            ).where(CASES.c.id.in_(sorted(set(case_ids))))
        )
    ).all()
    staff = await _staff_subscriptions(conn)
    added = 0
    for case in cases:
        ids = [s.id for s in staff if s.wants(case.commune_code, case.province_code, case.topic)]
        notice = PushNotice(
            title=f"Góp ý khẩn {case.tracking_code}",
            body=(case.summary or "")[:160],
            url=case_url(case.id),
            tag=f"case-{case.id}",
        )
        added += await add_pushes(conn, ids, notice, URGENT, case_id=case.id)
    return added


class StaffSubscription(msgspec.Struct, frozen=True):
    id: int
    role: str
    province_code: str | None
    scope: frozenset[str]  # the account's communes
    communes: frozenset[str] | None  # preferences; None = everything in scope
    topics: frozenset[str] | None

    def wants(self, commune: str, province: str, topic: str | None) -> bool:
        """In the account's scope, and in its commune/topic preferences when it has them."""
        if self.role == Role.PROVINCE_STAFF.value:
            in_scope = province == self.province_code
        else:
            in_scope = self.role == Role.ADMIN.value or commune in self.scope
        if not in_scope:
            return False
        if self.communes is not None and commune not in self.communes:
            return False
        return self.topics is None or (topic is not None and topic in self.topics)


async def account_subscriptions(conn: AsyncConnection, *where: Any) -> list[Any]:
    """Subscriptions of active accounts (`where` narrows them), with each account's preferences,
    role and province."""
    query = (
        select(
            SUBSCRIPTIONS.c.id,
            SUBSCRIPTIONS.c.user_id,
            SUBSCRIPTIONS.c.communes,
            SUBSCRIPTIONS.c.topics,
            USERS.c.role,
            USERS.c.province_code,
        )
        .join(USERS, USERS.c.id == SUBSCRIPTIONS.c.user_id)
        .where(USERS.c.is_active.is_(True), *where)
    )
    return list((await conn.execute(query)).all())


async def communes_in_scope(
    conn: AsyncConnection, principal: Principal, communes: Iterable[str]
) -> list[str]:
    """The distinct commune codes, sorted; refused (422) if unknown or outside `principal`'s scope."""
    codes = sorted(set(communes))
    query = select(COMMUNES.c.code, COMMUNES.c.province_code).where(COMMUNES.c.code.in_(codes))
    found = {row.code: row.province_code for row in (await conn.execute(query)).all()}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise Invalid(f"unknown communes: {', '.join(unknown)}", field="communes")
    outside = [code for code in codes if not principal.allows(code, found[code])]
    if outside:
        raise Invalid(f"communes outside your scope: {', '.join(outside)}", field="communes")
    return codes


async def _staff_subscriptions(conn: AsyncConnection) -> list[StaffSubscription]:
    rows = await account_subscriptions(conn, USERS.c.role.in_(STAFF_ROLES))
    scopes = await user_scopes(conn, [row.user_id for row in rows])
    return [
        StaffSubscription(
            id=row.id,
            role=row.role,
            province_code=row.province_code,
            scope=scopes.get(row.user_id, frozenset()),
            communes=_set(row.communes),
            topics=_set(row.topics),
        )
        for row in rows
    ]


async def user_scopes(conn: AsyncConnection, user_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """user id -> the communes of their scope."""
    found: dict[int, set[str]] = {}
    for start in range(0, len(user_ids), 1000):
        chunk = sorted(set(user_ids[start : start + 1000]))
        query = select(USER_COMMUNES.c.user_id, USER_COMMUNES.c.commune_code).where(
            USER_COMMUNES.c.user_id.in_(chunk)
        )
        for row in (await conn.execute(query)).all():
            found.setdefault(row.user_id, set()).add(row.commune_code)
    return {user: frozenset(codes) for user, codes in found.items()}


def _set(values: Any) -> frozenset[str] | None:
    return frozenset(values) if values else None


def due_push_query(now: Any, limit: int) -> Any:
    """Push deliveries due now, oldest first."""
    return (
        select(DELIVERIES.c.id)
        .where(
            and_(
                DELIVERIES.c.channel == PUSH_CHANNEL,
                DELIVERIES.c.state == DeliveryState.PENDING.value,
                DELIVERIES.c.next_attempt_at <= now,
            )
        )
        .order_by(DELIVERIES.c.next_attempt_at, DELIVERIES.c.id)
        .limit(limit)
    )


__all__ = [
    "ANSWER",
    "ASSIGNED",
    "CAMPAIGN",
    "FOLLOW_UP",
    "PUSH_CHANNEL",
    "URGENT",
    "PushKind",
    "add_pushes",
    "enqueue_answer_push",
    "enqueue_assigned_push",
    "enqueue_urgent_push",
    "enqueue_user_push",
]
