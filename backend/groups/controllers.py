"""Staff endpoints for issue groups."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.deps import CurrentPrincipal, DbSession, Resources
from backend.groups.schemas import (
    GroupAnswer,
    GroupAnswerResult,
    GroupDetail,
    GroupPage,
    GroupSummary,
    MergeRequest,
    MoveRequest,
)
from backend.groups.service import GroupService
from backend.live import publish_cases


class GroupController(Controller):
    path = "/api/v1"
    tags = ["groups"]

    @get("/groups")
    async def list_groups(
        self,
        principal: CurrentPrincipal,
        db_session: DbSession,
        topic: FromQuery[str | None] = None,
        commune_code: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        page: Annotated[int, QueryParameter(ge=1)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> GroupPage:
        """Issue groups in the caller's scope, largest first."""
        return await GroupService(db_session, principal).find(
            topic, commune_code, status, page, page_size
        )

    @get("/groups/{group_id:int}")
    async def detail(
        self, group_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> GroupDetail:
        """Distinct citizens, channels, keywords, redacted quotes and the member cases."""
        return await GroupService(db_session, principal).detail(group_id)

    @post("/groups/{group_id:int}/merge", status_code=200)
    async def merge(
        self,
        group_id: FromPath[int],
        data: JSONBody[MergeRequest],
        principal: CurrentPrincipal,
        db_session: DbSession,
    ) -> GroupSummary:
        """Merge another group of the same topic into this one."""
        return await GroupService(db_session, principal).merge(group_id, data.other_group_id)

    @post("/cases/{case_id:int}/group", status_code=200)
    async def move_case(
        self,
        case_id: FromPath[int],
        data: JSONBody[MoveRequest],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> GroupSummary:
        """Move a case to another group, or split it out (`group_id: null`)."""
        group = await GroupService(db_session, principal).move_case(case_id, data.group_id)
        await publish_cases(resources.jobs, [case_id], "updated")
        return group

    @post("/groups/{group_id:int}/answer", status_code=201)
    async def answer(
        self,
        group_id: FromPath[int],
        data: JSONBody[GroupAnswer],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> GroupAnswerResult:
        """Answer the group once: every member case gets the reply on its citizen's channel."""
        sent = await GroupService(db_session, principal).answer(group_id, data.text)
        for _, delivery_id in sent:
            await resources.queue.wake("deliver", delivery_id=delivery_id)
        await resources.queue.wake("send_pushes")  # citizens who asked to be told of answers
        await publish_cases(resources.jobs, [case_id for case_id, _ in sent], "answered")
        return GroupAnswerResult(answered_cases=[case_id for case_id, _ in sent])
