"""Satisfaction: the citizen rates an answer and says whether it resolved the problem; "not
resolved" reopens the case and its issue group. Rates by topic and commune for dashboards."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select as sql_select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.audit import record
from backend.db.models import Case, CaseRating, CaseStatus, IssueGroup
from backend.db.types import utcnow
from backend.errors import Invalid
from backend.satisfaction.schemas import RatingCreate, SatisfactionRow, SatisfactionStats

CASES = Case.__table__  # type: ignore[attr-defined]
RATINGS = CaseRating.__table__  # type: ignore[attr-defined]
REOPENABLE = (CaseStatus.ANSWERED, CaseStatus.CLOSED)
GROUP_FINAL = ("open", "merged")  # a group already open (or merged away) stays as it is


async def reopen_case_and_group(session: AsyncSession, case: Case) -> None:
    """Reopen the case and, if it has one, its issue group (in the caller's transaction)."""
    now = utcnow()
    case.status = CaseStatus.REOPENED
    case.closed_at = None
    case.updated_at = now
    session.add(case)
    await record(session, None, "case.reopen_by_citizen", "case", case.id or 0)
    if case.group_id is None:
        return
    group = await session.get(IssueGroup, case.group_id)
    if group is not None and group.status not in GROUP_FINAL:
        previous = group.status
        group.status = "open"
        session.add(group)
        await record(
            session,
            None,
            "group.reopen_by_citizen",
            "group",
            group.id or 0,
            {"case_id": case.id, "from": previous},
        )


async def note_verdict(
    session: AsyncSession,
    case: Case,
    rating: int | None,
    resolved: bool | None,
    comment: str | None,
) -> CaseRating:
    """Store (or replace) the citizen's verdict on this case's answer."""
    assert case.id is not None
    query = sql_select(CaseRating).where(CaseRating.case_id == case.id)
    verdict = (await session.exec(query)).first() or CaseRating(case_id=case.id)
    if rating is not None:
        verdict.rating = rating
    verdict.resolved = resolved
    if comment and comment.strip():
        verdict.comment = comment.strip()
    verdict.at = utcnow()
    session.add(verdict)
    return verdict


async def rate_answer(session: AsyncSession, case: Case, data: RatingCreate) -> CaseRating:
    """Rate the answer of an answered case; "not resolved" reopens the case and its group."""
    if case.answered_at is None:
        raise Invalid("the case has no answer to rate yet")
    verdict = await note_verdict(session, case, data.rating, data.resolved, data.comment)
    if not data.resolved and case.status in REOPENABLE:
        await reopen_case_and_group(session, case)
    await record(
        session,
        None,
        "case.rated_by_citizen",
        "case",
        case.id or 0,
        {"rating": data.rating, "resolved": data.resolved},
    )
    await session.commit()
    return verdict


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


class SatisfactionStatsService:
    """Satisfaction and reopen rates of the answers given in a period, in the caller's scope."""

    def __init__(self, conn: AsyncConnection, principal: Principal) -> None:
        principal.require_staff()
        self.conn = conn
        self.principal = principal

    async def stats(
        self, start: datetime, end: datetime, by: Literal["topic", "commune"]
    ) -> SatisfactionStats:
        key = CASES.c.topic if by == "topic" else CASES.c.commune_code
        query = (
            select(key.label("key"), RATINGS.c.rating, RATINGS.c.resolved)
            .select_from(CASES.outerjoin(RATINGS, RATINGS.c.case_id == CASES.c.id))
            .where(
                self.principal.scope(CASES.c.commune_code, CASES.c.province_code),
                CASES.c.answered_at.is_not(None),
                CASES.c.answered_at >= start,
                CASES.c.answered_at < end,
            )
        )
        buckets: dict[str, list[Any]] = defaultdict(list)
        everything: list[Any] = []
        for row in (await self.conn.execute(query)).all():
            buckets[row.key or "unclassified"].append(row)
            everything.append(row)
        return SatisfactionStats(
            by=by,
            start=start,
            end=end,
            overall=_row("all", everything),
            items=[_row(k, rows) for k, rows in sorted(buckets.items())],
        )


def _row(key: str, rows: list[Any]) -> SatisfactionRow:
    ratings = [r.rating for r in rows if r.rating is not None]
    verdicts = [r.resolved for r in rows if r.resolved is not None]
    reopened = sum(1 for r in rows if r.resolved is False)
    return SatisfactionRow(
        key=key,
        answered=len(rows),
        rated=len(ratings),
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        satisfied_share=_share(sum(1 for r in ratings if r >= 4), len(ratings)),
        resolved_share=_share(sum(1 for v in verdicts if v), len(verdicts)),
        reopened=reopened,
        reopen_rate=_share(reopened, len(rows)),
    )
