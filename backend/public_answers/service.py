"""Publishing answered issue groups (staff, scoped, audited) and reading them (public).

Nothing is public unless staff published it; everything published went through
`redact_public` on the way in, whatever the staff typed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.audit import record
from backend.communes.reference import communes
from backend.db.models import Case, CaseStatus, Direction, IssueGroup, Message, PublicAnswer
from backend.db.types import utcnow
from backend.errors import Invalid, NotFound
from backend.groups.service import GroupService
from backend.public_answers.redaction import redact_public
from backend.public_answers.schemas import (
    PublicAnswerItem,
    PublicAnswerPage,
    PublicationDraft,
    PublishRequest,
)
from backend.text import fold
from classifiers.grouping import representative_quotes

ANSWERED = (CaseStatus.ANSWERED.value, CaseStatus.CLOSED.value)


async def citizens_by_group(session: AsyncSession, group_ids: Iterable[int]) -> dict[int, int]:
    """Distinct citizens per group: one per contact, one per anonymous case."""
    ids = list(group_ids)
    if not ids:
        return {}
    rows = (
        await session.exec(
            select(Case.group_id, Case.contact_id, Case.id).where(col(Case.group_id).in_(ids))
        )
    ).all()
    people: dict[int, set[str]] = defaultdict(set)
    for group_id, contact_id, case_id in rows:
        assert group_id is not None
        people[group_id].add(f"c{contact_id}" if contact_id is not None else f"case{case_id}")
    return {group_id: len(people[group_id]) for group_id in ids}


class PublicationService:
    """Staff side: the redacted draft, publish, unpublish. Scope as for the group itself."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.groups = GroupService(session, principal)
        self.session = session
        self.principal = principal

    async def draft(self, group_id: int) -> PublicationDraft:
        """The stored texts if any, else a question and answer drafted from the group; redacted."""
        group = await self.groups.get(group_id)
        stored = await self._stored(group_id)
        if stored is not None:
            return await self._draft(group, stored.question, stored.answer, stored)
        question, answer = await self._drafted_texts(group_id)
        return await self._draft(group, question, answer, None)

    async def publish(self, group_id: int, data: PublishRequest) -> PublicationDraft:
        group = await self.groups.get(group_id)
        await self._drafted_texts(group_id)  # refuses a group nobody has answered yet
        if group.commune_code is None or group.province_code is None:
            raise Invalid("only a commune's group can be published on its public page")
        question, answer = redact_public(data.question.strip()), redact_public(data.answer.strip())
        if not question or not answer:
            raise Invalid("question and answer must not be blank")
        now = utcnow()
        stored = await self._stored(group_id) or PublicAnswer(
            group_id=group_id,
            commune_code=group.commune_code,
            province_code=group.province_code,
            topic=group.topic,
            question=question,
            answer=answer,
        )
        stored.question, stored.answer, stored.topic = question, answer, group.topic
        stored.search_text = fold(f"{question}\n{answer}")
        stored.published, stored.published_by, stored.published_at = (
            True,
            self.principal.user_id,
            now,
        )
        stored.updated_at = now
        self.session.add(stored)
        await record(self.session, self.principal.user_id, "group.publish", "group", group_id)
        await self.session.commit()
        return await self._draft(group, question, answer, stored)

    async def unpublish(self, group_id: int) -> PublicationDraft:
        group = await self.groups.get(group_id)
        stored = await self._stored(group_id)
        if stored is None or not stored.published:
            raise Invalid("this group is not published")
        stored.published = False
        stored.updated_at = utcnow()
        self.session.add(stored)
        await record(self.session, self.principal.user_id, "group.unpublish", "group", group_id)
        await self.session.commit()
        return await self._draft(group, stored.question, stored.answer, stored)

    async def _stored(self, group_id: int) -> PublicAnswer | None:
        query = select(PublicAnswer).where(PublicAnswer.group_id == group_id)
        return (await self.session.exec(query)).first()

    async def _drafted_texts(self, group_id: int) -> tuple[str, str]:
        """A representative citizen text and the latest answer staff sent in the group."""
        members = [c.id for c in await self.groups._members(group_id) if c.id is not None]
        answered = (
            await self.session.exec(
                select(Message.text)
                .join(Case, col(Case.id) == col(Message.case_id))
                .where(
                    col(Message.case_id).in_(members),
                    Message.direction == Direction.OUTBOUND,
                    col(Case.status).in_(ANSWERED),
                )
                .order_by(col(Message.created_at).desc(), col(Message.id).desc())
            )
        ).first()
        if answered is None:
            raise Invalid("only a group with an answered case can be published")
        texts = list((await self.groups._first_texts(members)).values())
        quote = representative_quotes(texts, 1)[0] if texts else ""
        return redact_public(quote), redact_public(answered)

    async def _draft(
        self, group: IssueGroup, question: str, answer: str, stored: PublicAnswer | None
    ) -> PublicationDraft:
        assert group.id is not None
        citizens = await citizens_by_group(self.session, [group.id])
        return PublicationDraft(
            group_id=group.id,
            commune_code=group.commune_code or "",
            topic=group.topic,
            question=question,
            answer=answer,
            citizens=citizens[group.id],
            published=bool(stored and stored.published),
            published_at=stored.published_at if stored else None,
        )


class PublicAnswerReader:
    """Public side: published answers of one commune, searchable without accents."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self, commune_code: str, q: str | None, page: int, page_size: int
    ) -> PublicAnswerPage:
        commune = communes().get(commune_code)
        if commune is None:
            raise NotFound(f"no commune {commune_code}")
        query = select(PublicAnswer).where(
            PublicAnswer.commune_code == commune.code, col(PublicAnswer.published).is_(True)
        )
        for word in fold(q or "").split():
            query = query.where(col(PublicAnswer.search_text).contains(word))
        total = (await self.session.exec(select(func.count()).select_from(query.subquery()))).one()
        rows = (
            await self.session.exec(
                query.order_by(col(PublicAnswer.published_at).desc(), col(PublicAnswer.id).desc())
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        ).all()
        citizens = await citizens_by_group(self.session, [r.group_id for r in rows])
        items = [
            PublicAnswerItem(
                id=r.id or 0,
                topic=r.topic,
                question=r.question,
                answer=r.answer,
                citizens=citizens.get(r.group_id, 0),
                published_at=r.published_at or r.updated_at,
            )
            for r in rows
        ]
        return PublicAnswerPage(
            commune_code=commune.code,
            commune_name=commune.name,
            items=items,
            total=total,
            page=page,
            page_size=page_size,
        )
