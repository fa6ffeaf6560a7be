"""Staff work on cases: list, read, assign, change status, notes, reply. Always scoped."""

from __future__ import annotations

import msgspec
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from backend.accounts.principal import Principal
from backend.audit import record
from backend.cases.schemas import (
    CaseDetail,
    CaseFilters,
    CasePage,
    CaseSummary,
    ClassificationCorrection,
    DeliveryView,
    MessageView,
    NoteView,
    ReplyCreate,
)
from backend.db.models import (
    Case,
    CaseCorrection,
    CaseNote,
    CaseStatus,
    Delivery,
    Direction,
    Message,
    Role,
    User,
    UserCommune,
)
from backend.db.types import utcnow
from backend.errors import Invalid, NotFound
from backend.feedback.assisted import assisted_by
from backend.feedback.photos import Photo, photo_on
from backend.push.service import enqueue_answer_push, enqueue_assigned_push
from backend.text import fold
from classifiers.labels import KINDS, TOPICS

# Which status a case may move to by hand from each status.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset({CaseStatus.TRIAGED, CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.TRIAGED: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.TRIAGED, CaseStatus.ANSWERED, CaseStatus.CLOSED}),
    CaseStatus.ANSWERED: frozenset({CaseStatus.CLOSED, CaseStatus.IN_PROGRESS}),
    CaseStatus.CLOSED: frozenset({CaseStatus.REOPENED}),
    CaseStatus.REOPENED: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.ANSWERED, CaseStatus.CLOSED}
    ),
}


def message_view(message: Message) -> MessageView:
    """A message as staff see it in a thread: text, delivery state, photos, who recorded it."""
    return MessageView(
        id=message.id or 0,
        direction=message.direction,
        channel=message.channel,
        text=message.text,
        author_id=message.author_id,
        delivery_state=message.delivery_state,
        created_at=message.created_at,
        attachments=message.attachments or [],
        assisted_by=assisted_by(message.raw),
    )


def summary_of(case: Case) -> CaseSummary:
    assert case.id is not None
    return CaseSummary(
        id=case.id,
        tracking_code=case.tracking_code,
        channel=case.channel,
        commune_code=case.commune_code,
        province_code=case.province_code,
        summary=case.summary,
        topic=case.topic,
        topic_confidence=case.topic_confidence,
        kind=case.kind,
        urgent=case.urgent,
        needs_review=case.needs_review,
        status=case.status,
        assignee_id=case.assignee_id,
        group_id=case.group_id,
        due_at=case.due_at,
        received_at=case.received_at,
        first_response_at=case.first_response_at,
        answered_at=case.answered_at,
    )


class CaseService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        principal.require_staff()
        self.session = session
        self.principal = principal

    def _scoped(self) -> SelectOfScalar[Case]:
        return select(Case).where(self.principal.scope(Case.commune_code, Case.province_code))

    async def find(self, filters: CaseFilters) -> CasePage:
        if not 1 <= filters.page_size <= 200 or filters.page < 1:
            raise Invalid("page must be ≥ 1 and page_size between 1 and 200")
        query = self._scoped()
        conditions = {
            "status": Case.status,
            "topic": Case.topic,
            "commune_code": Case.commune_code,
            "channel": Case.channel,
            "assignee_id": Case.assignee_id,
            "needs_review": Case.needs_review,
            "urgent": Case.urgent,
        }
        for name, column in conditions.items():
            value = getattr(filters, name)
            if value is not None:
                query = query.where(column == value)
        if filters.received_from is not None:
            query = query.where(col(Case.received_at) >= filters.received_from)
        if filters.received_to is not None:
            query = query.where(col(Case.received_at) < filters.received_to)
        if filters.q:
            query = query.where(col(Case.search_text).contains(fold(filters.q.strip())))
        total = (await self.session.exec(select(func.count()).select_from(query.subquery()))).one()
        page = query.order_by(col(Case.received_at).desc(), col(Case.id).desc())
        page = page.offset((filters.page - 1) * filters.page_size).limit(filters.page_size)
        rows = (await self.session.exec(page)).all()
        return CasePage(
            items=[summary_of(c) for c in rows],
            total=total,
            page=filters.page,
            page_size=filters.page_size,
        )

    async def get(self, case_id: int) -> Case:
        """The case if it exists in the caller's scope (out of scope looks like not found)."""
        case = (await self.session.exec(self._scoped().where(Case.id == case_id))).first()
        if case is None:
            raise NotFound(f"no case {case_id}")
        return case

    async def photo(self, case_id: int, sha256: str) -> Photo:
        await self.get(case_id)
        messages = list(
            (await self.session.exec(select(Message).where(Message.case_id == case_id))).all()
        )
        found = photo_on(messages, sha256)
        if found is None:
            raise NotFound(f"no photo {sha256} on case {case_id}")
        return found

    async def detail(self, case_id: int) -> CaseDetail:
        case = await self.get(case_id)
        messages = (
            await self.session.exec(
                select(Message)
                .where(Message.case_id == case_id)
                .order_by(col(Message.created_at), col(Message.id))
            )
        ).all()
        notes = (
            await self.session.exec(
                select(CaseNote).where(CaseNote.case_id == case_id).order_by(col(CaseNote.id))
            )
        ).all()
        deliveries = (
            await self.session.exec(
                select(Delivery).where(Delivery.case_id == case_id).order_by(col(Delivery.id))
            )
        ).all()
        return CaseDetail(
            case=summary_of(case),
            messages=[message_view(m) for m in messages],
            notes=[
                NoteView(id=n.id or 0, author_id=n.author_id, text=n.text, created_at=n.created_at)
                for n in notes
            ],
            deliveries=[
                DeliveryView(
                    id=d.id or 0,
                    message_id=d.message_id,
                    channel=d.channel,
                    state=d.state,
                    attempts=d.attempts,
                    last_error=d.last_error,
                    sent_at=d.sent_at,
                )
                for d in deliveries
            ],
        )

    async def assign(
        self, case_id: int, assignee_id: int | None, due_at: object = None
    ) -> CaseSummary:
        case = await self.get(case_id)
        if assignee_id is not None:
            await self._check_assignee(case, assignee_id)
        if assignee_id is not None and assignee_id != case.assignee_id:
            await enqueue_assigned_push(await self.session.connection(), case_id, assignee_id)
        case.assignee_id = assignee_id
        if due_at is not None:
            case.due_at = due_at  # type: ignore[assignment]
        if case.status == CaseStatus.NEW:
            case.status = CaseStatus.TRIAGED
        case.updated_at = utcnow()
        self.session.add(case)
        await record(
            self.session,
            self.principal.user_id,
            "case.assign",
            "case",
            case_id,
            {"assignee_id": assignee_id},
        )
        await self.session.commit()
        return summary_of(case)

    async def _check_assignee(self, case: Case, assignee_id: int) -> None:
        user = await self.session.get(User, assignee_id)
        if user is None or not user.is_active:
            raise Invalid(f"no active user {assignee_id}")
        role = Role(user.role)
        if role is Role.ADMIN:
            return
        if role is Role.PROVINCE_STAFF and user.province_code == case.province_code:
            return
        link = await self.session.get(UserCommune, (assignee_id, case.commune_code))
        if link is None:
            raise Invalid("the assignee's scope does not include this case's commune")

    async def change_status(self, case_id: int, status: CaseStatus) -> CaseSummary:
        case = await self.get(case_id)
        current = CaseStatus(case.status)
        if status not in TRANSITIONS[current]:
            raise Invalid(f"a {current.value} case cannot become {status.value}")
        now = utcnow()
        case.status = status
        if status is CaseStatus.CLOSED:
            case.closed_at = now
        if status is CaseStatus.ANSWERED and case.answered_at is None:
            case.answered_at = now
        case.updated_at = now
        self.session.add(case)
        await record(
            self.session,
            self.principal.user_id,
            "case.status",
            "case",
            case_id,
            {"from": current.value, "to": status.value},
        )
        await self.session.commit()
        return summary_of(case)

    async def correct(self, case_id: int, data: ClassificationCorrection) -> CaseSummary:
        """Store the staff's topic/kind/urgency with who and when; the next training uses it."""
        case = await self.get(case_id)
        changes: dict[str, tuple[str | None, str]] = {}
        if data.topic is not msgspec.UNSET:
            if data.topic not in TOPICS:
                raise Invalid(f"unknown topic {data.topic!r}", field="topic")
            changes["topic"] = (case.topic, data.topic)
            case.topic, case.topic_source, case.topic_confidence = data.topic, "staff", 1.0
        if data.kind is not msgspec.UNSET:
            if data.kind not in KINDS:
                raise Invalid(f"unknown kind {data.kind!r}", field="kind")
            changes["kind"] = (case.kind, data.kind)
            case.kind = data.kind
        if data.urgent is not msgspec.UNSET:
            changes["urgent"] = (str(case.urgent).lower(), str(data.urgent).lower())
            case.urgent = data.urgent
        if not changes:
            raise Invalid("give at least one of topic, kind, urgent")
        now = utcnow()
        for field, (old, new) in changes.items():
            self.session.add(
                CaseCorrection(
                    case_id=case_id,
                    user_id=self.principal.user_id,
                    field=field,
                    old_value=old,
                    new_value=new,
                    at=now,
                )
            )
        case.needs_review = False
        case.classified_at = case.classified_at or now
        case.updated_at = now
        self.session.add(case)
        await record(
            self.session,
            self.principal.user_id,
            "case.correct",
            "case",
            case_id,
            {k: v[1] for k, v in changes.items()},
        )
        await self.session.commit()
        return summary_of(case)

    async def add_note(self, case_id: int, text: str) -> NoteView:
        await self.get(case_id)
        note = CaseNote(case_id=case_id, author_id=self.principal.user_id, text=text.strip())
        self.session.add(note)
        await record(self.session, self.principal.user_id, "case.note", "case", case_id)
        await self.session.commit()
        return NoteView(
            id=note.id or 0, author_id=note.author_id, text=note.text, created_at=note.created_at
        )

    async def reply(
        self, case_id: int, data: ReplyCreate, *, commit: bool = True
    ) -> tuple[MessageView, int]:
        """Record the reply and its delivery row in one transaction; returns (message, delivery id)."""
        case = await self.get(case_id)
        text = data.text.strip()
        if not text:
            raise Invalid("text must not be blank", field="text")
        now = utcnow()
        message = Message(
            case_id=case_id,
            direction=Direction.OUTBOUND,
            channel=case.channel,
            text=text,
            author_id=self.principal.user_id,
            delivery_state="pending",
            created_at=now,
        )
        self.session.add(message)
        await self.session.flush()
        assert message.id is not None
        delivery = Delivery(
            message_id=message.id,
            case_id=case_id,
            channel=case.channel,
            recipient=await self._recipient(case),
            next_attempt_at=now,
        )
        self.session.add(delivery)
        case.first_response_at = case.first_response_at or now
        if data.answer:
            case.status = CaseStatus.ANSWERED
            case.answered_at = now
        elif case.status in (CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.REOPENED):
            case.status = CaseStatus.IN_PROGRESS
        case.updated_at = now
        self.session.add(case)
        await record(
            self.session,
            self.principal.user_id,
            "case.reply",
            "case",
            case_id,
            {"message_id": message.id},
        )
        await enqueue_answer_push(await self.session.connection(), case_id)
        if commit:
            await self.session.commit()
        else:
            await self.session.flush()
        assert delivery.id is not None
        return message_view(message), delivery.id

    async def _recipient(self, case: Case) -> str:
        """Where the reply goes: the web status page is addressed by tracking code."""
        if case.channel == "web":
            return case.tracking_code
        from backend.db.models import ContactIdentity

        if case.contact_id is not None:
            identity = (
                await self.session.exec(
                    select(ContactIdentity).where(
                        ContactIdentity.contact_id == case.contact_id,
                        ContactIdentity.channel == case.channel,
                    )
                )
            ).first()
            if identity is not None:
                return identity.external_id
        return case.tracking_code
