"""Forwarding across the two tiers: hand a case or an issue group to a competent unit with a due
date; the unit answers; the answer returns to the forwarder (on the case) and to the citizens
through the ordinary reply path. Every hand-over is in the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import msgspec
from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.audit import record
from backend.cases.schemas import ReplyCreate
from backend.cases.service import CaseService, message_view, summary_of
from backend.communes.reference import communes
from backend.db.models import (
    Case,
    CaseStatus,
    Department,
    Forwarding,
    ForwardState,
    IssueGroup,
    Message,
    Role,
    TargetKind,
)
from backend.db.types import utcnow
from backend.errors import Conflict, Invalid, NotFound
from backend.forwarding.schemas import (
    Deadline,
    EscalateCreate,
    ForwardAnswer,
    ForwardCreate,
    ForwardingDetail,
    ForwardingList,
    ForwardingView,
    ForwardTarget,
)
from backend.forwarding.units import incoming_clause, member_departments, target_name
from backend.groups.service import GroupService, group_summary

DUE_SOON = timedelta(hours=24)  # an open forwarding due within this is flagged "due_soon"
ESCALATION_DUE = timedelta(days=7)  # default due date of an escalation to the province
Box = Literal["incoming", "outgoing", "all"]


def deadline_of(forwarding: Forwarding, now: datetime) -> Deadline:
    if forwarding.state != ForwardState.OPEN:
        return "answered"
    if forwarding.due_at < now:
        return "overdue"
    return "due_soon" if forwarding.due_at - now <= DUE_SOON else "on_time"


class ForwardingService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        principal.require_staff()
        self.session = session
        self.principal = principal

    # --- hand-over -----------------------------------------------------------------------

    async def forward_case(
        self, case_id: int, data: ForwardCreate, now: datetime | None = None
    ) -> ForwardingView:
        now = now or utcnow()
        case = await CaseService(self.session, self.principal).get(case_id)  # scoped: 404
        return await self._create(
            data.target, data.due_at, data.note, now, case=case, escalation=False
        )

    async def forward_group(
        self, group_id: int, data: ForwardCreate, now: datetime | None = None
    ) -> ForwardingView:
        now = now or utcnow()
        group = await GroupService(self.session, self.principal).get(group_id)  # scoped: 404
        return await self._create(
            data.target, data.due_at, data.note, now, group=group, escalation=False
        )

    async def escalate(
        self, case_id: int, data: EscalateCreate, now: datetime | None = None
    ) -> ForwardingView:
        """Commune → province in one action: the province tier (or one of its departments)."""
        now = now or utcnow()
        case = await CaseService(self.session, self.principal).get(case_id)
        target = (
            ForwardTarget(kind="department", department_id=data.department_id)
            if data.department_id is not None
            else ForwardTarget(kind="province")
        )
        due_at = data.due_at or now + ESCALATION_DUE
        return await self._create(target, due_at, data.note, now, case=case, escalation=True)

    async def _create(
        self,
        target: ForwardTarget,
        due_at: datetime,
        note: str,
        now: datetime,
        *,
        case: Case | None = None,
        group: IssueGroup | None = None,
        escalation: bool,
    ) -> ForwardingView:
        if due_at.tzinfo is None:
            raise Invalid(
                "due_at needs a time zone (e.g. 2026-12-01T17:00:00+07:00)", field="due_at"
            )
        if due_at <= now:
            raise Invalid("due_at must be in the future", field="due_at")
        source_commune = case.commune_code if case else group.commune_code if group else None
        source_province = case.province_code if case else group.province_code if group else None
        if source_province is None:
            raise Invalid("the group has no province")
        kind, commune_code, department_id, province_code = await self._resolve(
            target, source_province
        )
        forwarding = Forwarding(
            case_id=case.id if case else None,
            group_id=group.id if group else None,
            commune_code=source_commune,
            province_code=source_province,
            target_kind=kind,
            target_commune_code=commune_code,
            target_department_id=department_id,
            target_province_code=province_code,
            note=note.strip(),
            escalation=escalation,
            due_at=due_at,
            forwarded_by=self.principal.user_id,
            created_at=now,
        )
        await self._refuse_duplicate(forwarding)
        self.session.add(forwarding)
        await self.session.flush()
        assert forwarding.id is not None
        detail = {
            "forwarding_id": forwarding.id,
            "target_kind": kind,
            "target": commune_code or department_id or province_code,
            "due_at": due_at.isoformat(),
        }
        action = "case.escalate" if escalation else "case.forward"
        if case is not None:
            assert case.id is not None
            await record(self.session, self.principal.user_id, action, "case", case.id, detail)
        if group is not None:
            assert group.id is not None
            await record(
                self.session, self.principal.user_id, "group.forward", "group", group.id, detail
            )
        await self.session.commit()
        return await self._view(forwarding, now)

    async def _resolve(
        self, target: ForwardTarget, source_province: str
    ) -> tuple[str, str | None, int | None, str]:
        """(kind, commune, department, province) of the receiving unit; Invalid if unknown."""
        if target.kind == "commune":
            if target.commune_code is None or target.department_id is not None:
                raise Invalid("a commune target needs commune_code (and no department_id)")
            commune = communes().get(target.commune_code)
            if commune is None:
                raise Invalid(f"unknown commune code {target.commune_code}", field="commune_code")
            return TargetKind.COMMUNE.value, commune.code, None, commune.province_code
        if target.kind == "department":
            if target.department_id is None or target.commune_code is not None:
                raise Invalid("a department target needs department_id (and no commune_code)")
            department = await self.session.get(Department, target.department_id)
            if department is None:
                raise Invalid(f"no department {target.department_id}", field="department_id")
            if department.province_code != source_province:
                raise Invalid("the department belongs to another province", field="department_id")
            return TargetKind.DEPARTMENT.value, None, department.id, department.province_code
        if target.commune_code is not None or target.department_id is not None:
            raise Invalid("a province target takes neither commune_code nor department_id")
        return TargetKind.PROVINCE.value, None, None, source_province

    async def _refuse_duplicate(self, new: Forwarding) -> None:
        """One open hand-over of the same item to the same unit (a double click adds nothing)."""
        query = select(Forwarding).where(
            Forwarding.state == ForwardState.OPEN.value,
            Forwarding.case_id == new.case_id
            if new.case_id
            else Forwarding.group_id == new.group_id,
            Forwarding.target_kind == new.target_kind,
            Forwarding.target_commune_code == new.target_commune_code,
            Forwarding.target_department_id == new.target_department_id,
            Forwarding.target_province_code == new.target_province_code,
        )
        existing = (await self.session.exec(query)).first()
        if existing is not None:
            raise Conflict(
                f"already forwarded to this unit (forwarding {existing.id}) and not answered yet"
            )

    # --- reading -------------------------------------------------------------------------

    def _outgoing(self) -> ColumnElement[bool]:
        return self.principal.scope(Forwarding.commune_code, Forwarding.province_code)

    async def _incoming(self) -> ColumnElement[bool]:
        departments = await member_departments(self.session, self.principal.user_id)
        return incoming_clause(self.principal, departments)

    async def _department_names(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = (
            await self.session.exec(select(Department).where(col(Department.id).in_(ids)))
        ).all()
        return {d.id or 0: d.name for d in rows}

    async def _views(self, rows: list[Forwarding], now: datetime) -> list[ForwardingView]:
        names = await self._department_names(
            {f.target_department_id for f in rows if f.target_department_id}
        )
        return [_view_of(f, now, names) for f in rows]

    async def _view(self, forwarding: Forwarding, now: datetime) -> ForwardingView:
        return (await self._views([forwarding], now))[0]

    async def find(
        self,
        box: Box,
        state: str | None,
        deadline: Deadline | None,
        now: datetime | None = None,
    ) -> ForwardingList:
        """Forwarded to the caller's units ("incoming"), by the caller's scope ("outgoing"), or both."""
        now = now or utcnow()
        incoming, outgoing = await self._incoming(), self._outgoing()
        where = {"incoming": incoming, "outgoing": outgoing, "all": or_(incoming, outgoing)}[box]
        query = select(Forwarding).where(where)
        if state:
            query = query.where(Forwarding.state == state)
        if deadline in ("overdue", "due_soon", "on_time"):
            query = query.where(Forwarding.state == ForwardState.OPEN.value)
        elif deadline == "answered":
            query = query.where(Forwarding.state == ForwardState.ANSWERED.value)
        rows = list(
            (
                await self.session.exec(query.order_by(col(Forwarding.due_at), col(Forwarding.id)))
            ).all()
        )
        views = await self._views(rows, now)
        if deadline is not None:
            views = [v for v in views if v.deadline == deadline]
        return ForwardingList(items=views)

    async def deadlines(self, now: datetime | None = None) -> ForwardingList:
        """Open items of the caller (either side) that are overdue or due soon, most urgent first."""
        now = now or utcnow()
        found = await self.find("all", ForwardState.OPEN.value, None, now)
        return ForwardingList(
            items=[v for v in found.items if v.deadline in ("overdue", "due_soon")]
        )

    async def for_case(self, case_id: int, now: datetime | None = None) -> ForwardingList:
        """The hand-overs of a case in scope (and of its group), with their answers."""
        now = now or utcnow()
        case = await CaseService(self.session, self.principal).get(case_id)
        clause: ColumnElement[bool] = col(Forwarding.case_id) == case_id
        if case.group_id is not None:
            clause = or_(clause, col(Forwarding.group_id) == case.group_id)
        rows = list(
            (
                await self.session.exec(
                    select(Forwarding).where(clause).order_by(col(Forwarding.id))
                )
            ).all()
        )
        return ForwardingList(items=await self._views(rows, now))

    async def get(self, forwarding_id: int, *, receiving: bool = False) -> Forwarding:
        """A forwarding the caller may see (sender side or receiving unit); 404 otherwise."""
        incoming = await self._incoming()
        visible = incoming if receiving else or_(incoming, self._outgoing())
        query = select(Forwarding).where(Forwarding.id == forwarding_id, visible)
        forwarding = (await self.session.exec(query)).first()
        if forwarding is None:
            raise NotFound(f"no forwarding {forwarding_id}")
        return forwarding

    async def detail(self, forwarding_id: int, now: datetime | None = None) -> ForwardingDetail:
        now = now or utcnow()
        forwarding = await self.get(forwarding_id)
        cases = await self._cases(forwarding)
        group = (
            await self.session.get(IssueGroup, forwarding.group_id) if forwarding.group_id else None
        )
        messages: list[Message] = []
        if forwarding.case_id is not None:
            messages = list(
                (
                    await self.session.exec(
                        select(Message)
                        .where(Message.case_id == forwarding.case_id)
                        .order_by(col(Message.created_at), col(Message.id))
                    )
                ).all()
            )
        return ForwardingDetail(
            forwarding=await self._view(forwarding, now),
            cases=[summary_of(c) for c in cases],
            group=group_summary(group) if group else None,
            messages=[message_view(m) for m in messages],
        )

    async def _cases(self, forwarding: Forwarding) -> list[Case]:
        """The forwarded case, or the group's cases (the forwarding grants access to exactly these)."""
        if forwarding.case_id is not None:
            clause = Case.id == forwarding.case_id
        else:
            clause = Case.group_id == forwarding.group_id
        query = select(Case).where(clause).order_by(col(Case.received_at), col(Case.id))
        return list((await self.session.exec(query)).all())

    # --- answer --------------------------------------------------------------------------

    async def answer(
        self, forwarding_id: int, data: ForwardAnswer, now: datetime | None = None
    ) -> tuple[ForwardingView, list[int]]:
        """The receiving unit answers; returns the view and the new reply deliveries."""
        now = now or utcnow()
        forwarding = await self.get(forwarding_id, receiving=True)
        if forwarding.state != ForwardState.OPEN:
            raise Conflict(f"forwarding {forwarding_id} was already answered")
        text = data.text.strip()
        if not text:
            raise Invalid("text must not be blank", field="text")
        deliveries: list[int] = []
        if data.reply_to_citizens:
            # The forwarding grants this one answer on exactly its cases, whatever the
            # answering unit's own scope: the ordinary reply path (message + delivery row).
            granted = CaseService(self.session, self._grant(forwarding))
            for case in await self._cases(forwarding):
                if case.status == CaseStatus.CLOSED or case.id is None:
                    continue
                _, delivery_id = await granted.reply(
                    case.id, ReplyCreate(text=text, answer=True), commit=False
                )
                deliveries.append(delivery_id)
        forwarding.state = ForwardState.ANSWERED.value
        forwarding.answer_text = text
        forwarding.answered_by = self.principal.user_id
        forwarding.answered_at = now
        self.session.add(forwarding)
        await record(
            self.session,
            self.principal.user_id,
            "forward.answer",
            "forwarding",
            forwarding_id,
            {
                "case_id": forwarding.case_id,
                "group_id": forwarding.group_id,
                "deliveries": deliveries,
            },
        )
        await self._tell_forwarder(forwarding)
        await self.session.commit()
        return await self._view(forwarding, now), deliveries

    def _grant(self, forwarding: Forwarding) -> Principal:
        return msgspec.structs.replace(
            self.principal,
            role=Role.PROVINCE_STAFF,
            province_code=forwarding.province_code,
            commune_codes=frozenset(),
        )

    async def _tell_forwarder(self, forwarding: Forwarding) -> None:
        from backend.push.service import case_url, enqueue_user_push
        from channels.webpush.notice import PushNotice

        url = (
            case_url(forwarding.case_id)
            if forwarding.case_id
            else f"/groups.html?id={forwarding.group_id}"
        )
        await enqueue_user_push(
            self.session,
            [forwarding.forwarded_by],
            PushNotice(
                title="Đơn vị đã trả lời / The unit answered",
                body=(forwarding.answer_text or "")[:140],
                url=url,
                tag=f"forwarding-{forwarding.id}",
            ),
        )


def _view_of(forwarding: Forwarding, now: datetime, departments: dict[int, str]) -> ForwardingView:
    assert forwarding.id is not None
    return ForwardingView(
        id=forwarding.id,
        case_id=forwarding.case_id,
        group_id=forwarding.group_id,
        commune_code=forwarding.commune_code,
        province_code=forwarding.province_code,
        target_kind=forwarding.target_kind,
        target_commune_code=forwarding.target_commune_code,
        target_department_id=forwarding.target_department_id,
        target_province_code=forwarding.target_province_code,
        target_name=target_name(forwarding, departments),
        note=forwarding.note,
        escalation=forwarding.escalation,
        due_at=forwarding.due_at,
        deadline=deadline_of(forwarding, now),
        state=forwarding.state,
        forwarded_by=forwarding.forwarded_by,
        created_at=forwarding.created_at,
        answer_text=forwarding.answer_text,
        answered_by=forwarding.answered_by,
        answered_at=forwarding.answered_at,
    )


def check_box(value: str) -> Box:
    if value not in ("incoming", "outgoing", "all"):
        raise Invalid("box must be incoming, outgoing or all", field="box")
    return value  # type: ignore[return-value]
