"""Suggested replies for a case, and the canned responses admins manage."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.deps import CurrentPrincipal, DbSession
from backend.suggestions.canned import CannedService, view
from backend.suggestions.schemas import CannedCreate, CannedUpdate, CannedView, Suggestions
from backend.suggestions.service import SuggestionService


class SuggestionController(Controller):
    path = "/api/v1/cases/{case_id:int}/suggestions"
    tags = ["cases"]

    @get("/")
    async def suggestions(
        self, case_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> Suggestions:
        """Guide articles, past answers to similar cases and canned texts for this case."""
        return await SuggestionService(db_session, principal).for_case(case_id)


class CannedController(Controller):
    path = "/api/v1/canned-responses"
    tags = ["cases"]

    @get("/")
    async def list_canned(
        self,
        principal: CurrentPrincipal,
        db_session: DbSession,
        topic: FromQuery[str | None] = None,
    ) -> list[CannedView]:
        """Canned responses (for a topic: those of the topic and the general ones)."""
        return [view(r) for r in await CannedService(db_session, principal).list(topic)]

    @post("/", status_code=201)
    async def create_canned(
        self, data: JSONBody[CannedCreate], principal: CurrentPrincipal, db_session: DbSession
    ) -> CannedView:
        """Admins: a new canned response; variables {ten_cong_dan} {ma_theo_doi} {xa_phuong}."""
        return await CannedService(db_session, principal).create(data)

    @patch("/{canned_id:int}")
    async def update_canned(
        self,
        canned_id: FromPath[int],
        data: JSONBody[CannedUpdate],
        principal: CurrentPrincipal,
        db_session: DbSession,
    ) -> CannedView:
        """Admins: change a canned response."""
        return await CannedService(db_session, principal).update(canned_id, data)

    @delete("/{canned_id:int}", status_code=204)
    async def delete_canned(
        self, canned_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> None:
        """Admins: delete a canned response."""
        await CannedService(db_session, principal).delete(canned_id)
