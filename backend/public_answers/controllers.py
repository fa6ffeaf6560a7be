"""Publishing answered groups (staff) and the public Q&A list of a commune (no login)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.deps import CurrentPrincipal, DbSession
from backend.public_answers.schemas import PublicAnswerPage, PublicationDraft, PublishRequest
from backend.public_answers.service import PublicAnswerReader, PublicationService


class PublicationController(Controller):
    path = "/api/v1/groups/{group_id:int}/publication"
    tags = ["groups"]

    @get("/")
    async def draft(
        self, group_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> PublicationDraft:
        """The redacted question and answer to review (the stored ones once published)."""
        return await PublicationService(db_session, principal).draft(group_id)

    @post("/publish", status_code=200)
    async def publish(
        self,
        group_id: FromPath[int],
        data: JSONBody[PublishRequest],
        principal: CurrentPrincipal,
        db_session: DbSession,
    ) -> PublicationDraft:
        """Publish the reviewed texts (redacted again) on the commune's public page."""
        return await PublicationService(db_session, principal).publish(group_id, data)

    @post("/unpublish", status_code=200)
    async def unpublish(
        self, group_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> PublicationDraft:
        """Take the answer off the public page."""
        return await PublicationService(db_session, principal).unpublish(group_id)


class PublicAnswerController(Controller):
    path = "/api/v1/public/answers"
    tags = ["citizen"]
    opt = {"public": True}

    @get("/")
    async def list_answers(
        self,
        db_session: DbSession,
        commune: Annotated[str, QueryParameter(pattern=r"^\d{5}$")],
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        page: Annotated[int, QueryParameter(ge=1)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> PublicAnswerPage:
        """Published questions and answers of one commune, newest first (no login)."""
        return await PublicAnswerReader(db_session).page(commune, q, page, page_size)
