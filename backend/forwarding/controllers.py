"""Forwarding to competent units, their inbox and answers; province departments and members."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.deps import CurrentPrincipal, DbSession, Resources
from backend.forwarding.schemas import (
    Deadline,
    DepartmentCreate,
    DepartmentList,
    DepartmentView,
    EscalateCreate,
    ForwardAnswer,
    ForwardCreate,
    ForwardingDetail,
    ForwardingList,
    ForwardingView,
)
from backend.forwarding.service import ForwardingService, check_box
from backend.forwarding.units import DepartmentService


class ForwardingController(Controller):
    path = "/api/v1"
    tags = ["forwarding"]

    @post("/cases/{case_id:int}/forward", status_code=201)
    async def forward_case(
        self,
        case_id: FromPath[int],
        data: JSONBody[ForwardCreate],
        principal: CurrentPrincipal,
        db_session: DbSession,
    ) -> ForwardingView:
        """Hand the case to a competent unit with a due date."""
        return await ForwardingService(db_session, principal).forward_case(case_id, data)

    @post("/cases/{case_id:int}/escalate", status_code=201)
    async def escalate(
        self,
        case_id: FromPath[int],
        data: JSONBody[EscalateCreate],
        principal: CurrentPrincipal,
        db_session: DbSession,
    ) -> ForwardingView:
        """Escalate the case to the province (or one of its departments) in one action."""
        return await ForwardingService(db_session, principal).escalate(case_id, data)

    @get("/cases/{case_id:int}/forwardings")
    async def case_forwardings(
        self, case_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> ForwardingList:
        """The case's hand-overs (and its group's), with the units' answers."""
        return await ForwardingService(db_session, principal).for_case(case_id)

    @post("/groups/{group_id:int}/forward", status_code=201)
    async def forward_group(
        self,
        group_id: FromPath[int],
        data: JSONBody[ForwardCreate],
        principal: CurrentPrincipal,
        db_session: DbSession,
    ) -> ForwardingView:
        """Hand a whole issue group to a competent unit with a due date."""
        return await ForwardingService(db_session, principal).forward_group(group_id, data)

    @get("/forwardings")
    async def list_forwardings(
        self,
        principal: CurrentPrincipal,
        db_session: DbSession,
        box: Annotated[str, QueryParameter()] = "incoming",
        state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
        deadline: FromQuery[Deadline | None] = None,
    ) -> ForwardingList:
        """ "Forwarded to us" (box=incoming), "forwarded by us" (outgoing) or both (all)."""
        return await ForwardingService(db_session, principal).find(
            check_box(box), state_filter, deadline
        )

    @get("/forwardings/deadlines")
    async def deadlines(self, principal: CurrentPrincipal, db_session: DbSession) -> ForwardingList:
        """Open hand-overs (either side) that are overdue or due within a day."""
        return await ForwardingService(db_session, principal).deadlines()

    @get("/forwardings/{forwarding_id:int}")
    async def detail(
        self, forwarding_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> ForwardingDetail:
        """A hand-over with the forwarded case(s) and messages, for the unit that answers."""
        return await ForwardingService(db_session, principal).detail(forwarding_id)

    @post("/forwardings/{forwarding_id:int}/answer", status_code=200)
    async def answer(
        self,
        forwarding_id: FromPath[int],
        data: JSONBody[ForwardAnswer],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> ForwardingView:
        """The receiving unit answers: back to the forwarder, and to the citizens by default."""
        view, deliveries = await ForwardingService(db_session, principal).answer(
            forwarding_id, data
        )
        for delivery_id in deliveries:
            await resources.queue.wake("deliver", delivery_id=delivery_id)
        await resources.queue.wake("send_pushes")
        return view


class DepartmentController(Controller):
    path = "/api/v1/departments"
    tags = ["forwarding"]

    @get("/")
    async def list_departments(
        self,
        principal: CurrentPrincipal,
        db_session: DbSession,
        province_code: FromQuery[str | None] = None,
    ) -> DepartmentList:
        """Province departments that can receive forwarded cases."""
        return await DepartmentService(db_session, principal).list(province_code)

    @post("/", status_code=201)
    async def create(
        self, data: JSONBody[DepartmentCreate], principal: CurrentPrincipal, db_session: DbSession
    ) -> DepartmentView:
        """Add a department (admin, or staff of that province)."""
        return await DepartmentService(db_session, principal).create(data)

    @put("/{department_id:int}/members/{user_id:int}", status_code=204)
    async def add_member(
        self,
        department_id: FromPath[int],
        user_id: FromPath[int],
        principal: CurrentPrincipal,
        db_session: DbSession,
    ) -> None:
        """Make a staff account a member: it receives what is forwarded to the department."""
        await DepartmentService(db_session, principal).set_member(department_id, user_id, True)

    @delete("/{department_id:int}/members/{user_id:int}", status_code=204)
    async def remove_member(
        self,
        department_id: FromPath[int],
        user_id: FromPath[int],
        principal: CurrentPrincipal,
        db_session: DbSession,
    ) -> None:
        """Remove a member."""
        await DepartmentService(db_session, principal).set_member(department_id, user_id, False)
