"""Satisfaction: the citizen rates an answer and says whether it resolved the problem; "not
resolved" reopens the case and its issue group. Rates by topic, commune and province for
dashboards."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select as sql_select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.audit import record
from backend.db.models import Case, CaseRating, CaseStatus, IssueGroup
from backend.db.types import utcnow
from backend.errors import Invalid
from backend.satisfaction.schemas import (
    RatingCreate,
    SatisfactionBy,
    SatisfactionRow,
    SatisfactionStats,
)
from backend.synthesis.service import AREA_COLUMNS, case_scope, known_province

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

    def __init__(
        self, conn: AsyncConnection, principal: Principal, province_code: str | None = None
    ) -> None:
        """`province_code` narrows the caller's scope to one province, as on every statistic."""
        principal.require_staff()
        self.conn = conn
        self.principal = principal
        self.province_code = known_province(province_code)

    async def stats(self, start: datetime, end: datetime, by: SatisfactionBy) -> SatisfactionStats:
        """Counted by the database, one row per topic, commune or province; the overall row adds
        them up."""
        key = {"topic": CASES.c.topic, **AREA_COLUMNS}[by]
        rating, resolved = RATINGS.c.rating, RATINGS.c.resolved
        query = (
            select(
                key.label("key"),
                func.count().label("answered"),
                func.count(rating).label("rated"),
                func.sum(rating).label("stars"),
                func.sum(case((rating >= 4, 1), else_=0)).label("satisfied"),
                func.count(resolved).label("verdicts"),
                func.sum(case((resolved.is_(True), 1), else_=0)).label("resolved"),
                func.sum(case((resolved.is_(False), 1), else_=0)).label("reopened"),
            )
            .select_from(CASES.outerjoin(RATINGS, RATINGS.c.case_id == CASES.c.id))
            .where(
                case_scope(self.principal, self.province_code),
                CASES.c.answered_at.is_not(None),
                CASES.c.answered_at >= start,
                CASES.c.answered_at < end,
            )
            .group_by(key)
        )
        counted = {
            row.key or "unclassified": _Counts(*(int(v or 0) for v in row[1:]))
            for row in (await self.conn.execute(query)).all()
        }
        overall = _Counts(*(sum(column) for column in zip(*counted.values(), strict=True)))
        return SatisfactionStats(
            by=by,
            start=start,
            end=end,
            overall=_row("all", overall),
            items=[_row(k, counts) for k, counts in sorted(counted.items())],
        )


class _Counts(NamedTuple):
    answered: int = 0
    rated: int = 0
    stars: int = 0
    satisfied: int = 0
    verdicts: int = 0
    resolved: int = 0
    reopened: int = 0


def _row(key: str, counts: _Counts) -> SatisfactionRow:
    return SatisfactionRow(
        key=key,
        answered=counts.answered,
        rated=counts.rated,
        average_rating=round(counts.stars / counts.rated, 2) if counts.rated else None,
        satisfied_share=_share(counts.satisfied, counts.rated),
        resolved_share=_share(counts.resolved, counts.verdicts),
        reopened=counts.reopened,
        reopen_rate=_share(counts.reopened, counts.answered),
    )
