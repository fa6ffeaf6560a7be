"""Staff work on issue groups: list, read, merge, move a case, answer a whole group. Scoped."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from backend.accounts.principal import Principal
from backend.audit import record
from backend.cases.schemas import ReplyCreate
from backend.cases.service import CaseService, summary_of
from backend.db.models import Case, IssueGroup, Message
from backend.db.types import utcnow
from backend.errors import Invalid, NotFound
from backend.groups.assign import centroid_from_column, centroid_to_column, group_title
from backend.groups.schemas import GroupDetail, GroupPage, GroupSummary
from classifiers.grouping import (
    GroupCentroid,
    merge_centroids,
    representative_quotes,
    top_keywords,
    vectorize,
)


def group_summary(group: IssueGroup) -> GroupSummary:
    assert group.id is not None
    return GroupSummary(
        id=group.id,
        topic=group.topic,
        commune_code=group.commune_code,
        province_code=group.province_code,
        status=group.status,
        title=group.title,
        size=group.size,
        first_seen=group.first_seen,
        last_seen=group.last_seen,
    )


class GroupService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        principal.require_staff()
        self.session = session
        self.principal = principal
        self.cases = CaseService(session, principal)

    def _scoped(self) -> SelectOfScalar[IssueGroup]:
        return select(IssueGroup).where(
            self.principal.scope(IssueGroup.commune_code, IssueGroup.province_code)
        )

    async def find(
        self,
        topic: str | None,
        commune_code: str | None,
        status: str | None,
        page: int,
        page_size: int,
    ) -> GroupPage:
        query = self._scoped()
        if topic:
            query = query.where(IssueGroup.topic == topic)
        if commune_code:
            query = query.where(IssueGroup.commune_code == commune_code)
        if status:
            query = query.where(IssueGroup.status == status)
        total = (await self.session.exec(select(func.count()).select_from(query.subquery()))).one()
        rows = (
            await self.session.exec(
                query.order_by(col(IssueGroup.size).desc(), col(IssueGroup.last_seen).desc())
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        ).all()
        return GroupPage(
            items=[group_summary(g) for g in rows], total=total, page=page, page_size=page_size
        )

    async def get(self, group_id: int) -> IssueGroup:
        group = (await self.session.exec(self._scoped().where(IssueGroup.id == group_id))).first()
        if group is None:
            raise NotFound(f"no group {group_id}")
        return group

    async def _members(self, group_id: int) -> list[Case]:
        query = (
            self.cases._scoped().where(Case.group_id == group_id).order_by(col(Case.received_at))
        )
        return list((await self.session.exec(query)).all())

    async def _first_texts(self, case_ids: list[int]) -> dict[int, str]:
        rows = (
            await self.session.exec(
                select(Message)
                .where(col(Message.case_id).in_(case_ids), Message.direction == "in")
                .order_by(col(Message.id))
            )
        ).all()
        texts: dict[int, str] = {}
        for message in rows:
            texts.setdefault(message.case_id, message.text)
        return texts

    async def detail(self, group_id: int) -> GroupDetail:
        group = await self.get(group_id)
        members = await self._members(group_id)
        texts = list(
            (await self._first_texts([c.id for c in members if c.id is not None])).values()
        )
        people = {
            f"c{c.contact_id}" if c.contact_id is not None else f"case{c.id}" for c in members
        }
        return GroupDetail(
            group=group_summary(group),
            citizens=len(people),
            channels=dict(Counter(c.channel for c in members)),
            keywords=top_keywords(texts, 8) if texts else [],
            quotes=representative_quotes(texts, 3) if texts else [],
            cases=[summary_of(c) for c in members],
        )

    async def merge(self, group_id: int, other_id: int) -> GroupSummary:
        """Move every case of `other_id` into `group_id`; the other group is marked merged."""
        if group_id == other_id:
            raise Invalid("a group cannot be merged into itself")
        group, other = await self.get(group_id), await self.get(other_id)
        if group.topic != other.topic:
            raise Invalid("only groups of the same topic can be merged")
        for case in (await self.session.exec(select(Case).where(Case.group_id == other_id))).all():
            case.group_id = group_id
            self.session.add(case)
        group.centroid = centroid_to_column(
            merge_centroids(
                centroid_from_column(group.centroid), centroid_from_column(other.centroid)
            )
        )
        group.size += other.size
        group.first_seen = min(group.first_seen, other.first_seen)
        group.last_seen = max(group.last_seen, other.last_seen)
        other.status, other.size = "merged", 0
        self.session.add(group)
        self.session.add(other)
        await record(
            self.session,
            self.principal.user_id,
            "group.merge",
            "group",
            group_id,
            {"merged": other_id},
        )
        await self.session.commit()
        return group_summary(group)

    async def move_case(self, case_id: int, target_id: int | None) -> GroupSummary:
        """Move a case to another group, or split it into a new group of its own."""
        case = await self.cases.get(case_id)
        text = (await self._first_texts([case_id])).get(case_id, case.summary)
        vector = vectorize(text)
        now = utcnow()
        if case.group_id is not None:
            old = await self.session.get(IssueGroup, case.group_id)
            if old is not None:
                old.size = max(0, old.size - 1)
                self.session.add(old)
        if target_id is None:
            target = IssueGroup(
                topic=case.topic or "other",
                commune_code=case.commune_code,
                province_code=case.province_code,
                title=group_title(text),
                centroid=centroid_to_column(GroupCentroid.of([vector])),
                size=1,
                first_seen=case.received_at,
                last_seen=case.received_at,
            )
        else:
            target = await self.get(target_id)
            target.centroid = centroid_to_column(centroid_from_column(target.centroid).add(vector))
            target.size += 1
            target.last_seen = max(target.last_seen, case.received_at)
        self.session.add(target)
        await self.session.flush()
        case.group_id, case.updated_at = target.id, now
        self.session.add(case)
        await record(
            self.session,
            self.principal.user_id,
            "group.move_case",
            "case",
            case_id,
            {"group_id": target.id},
        )
        await self.session.commit()
        return group_summary(target)

    async def answer(self, group_id: int, text: str) -> list[tuple[int, int]]:
        """One answer for the group: a reply on every member case in scope; (case, delivery) ids."""
        await self.get(group_id)
        members = [c for c in await self._members(group_id) if c.status != "closed"]
        if not members:
            raise Invalid("the group has no open case in your scope")
        deliveries = []
        for case in members:
            assert case.id is not None
            _, delivery_id = await self.cases.reply(
                case.id, ReplyCreate(text=text, answer=True), commit=False
            )
            deliveries.append((case.id, delivery_id))
        await record(
            self.session,
            self.principal.user_id,
            "group.answer",
            "group",
            group_id,
            {"cases": [c for c, _ in deliveries]},
        )
        await self.session.commit()
        return deliveries
