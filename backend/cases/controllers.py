"""Staff endpoints for cases: HTTP only; rules live in CaseService."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import File

from backend.cases.schemas import (
    AssignRequest,
    CaseDetail,
    CaseFilters,
    CasePage,
    CaseSummary,
    ClassificationCorrection,
    MessageView,
    NoteCreate,
    NoteView,
    ReplyCreate,
    StatusChange,
)
from backend.cases.service import CaseService
from backend.deps import AppSettings, CurrentPrincipal, DbSession, Resources
from backend.feedback.photos import photo_file
from backend.live import CaseChange, publish_case_event, publish_cases
from backend.media import MediaStore
from backend.resources import AppResources


class CaseController(Controller):
    path = "/api/v1/cases"
    tags = ["cases"]

    @get("/")
    async def list_cases(
        self,
        principal: CurrentPrincipal,
        db_session: DbSession,
        status: FromQuery[str | None] = None,
        topic: FromQuery[str | None] = None,
        commune_code: FromQuery[str | None] = None,
        channel: FromQuery[str | None] = None,
        assignee_id: FromQuery[int | None] = None,
        received_from: FromQuery[datetime | None] = None,
        received_to: FromQuery[datetime | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        needs_review: FromQuery[bool | None] = None,
        urgent: FromQuery[bool | None] = None,
        page: Annotated[int, QueryParameter(ge=1)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> CasePage:
        """Cases in the caller's scope, newest first, filtered and paginated."""
        filters = CaseFilters(
            status=status,
            topic=topic,
            commune_code=commune_code,
            channel=channel,
            assignee_id=assignee_id,
            received_from=received_from,
            received_to=received_to,
            q=q,
            needs_review=needs_review,
            urgent=urgent,
            page=page,
            page_size=page_size,
        )
        return await CaseService(db_session, principal).find(filters)

    @get("/{case_id:int}")
    async def detail(
        self, case_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> CaseDetail:
        """A case with its messages, internal notes and delivery states."""
        return await CaseService(db_session, principal).detail(case_id)

    @get("/{case_id:int}/photos/{sha256:str}", media_type="image/jpeg")
    async def photo(
        self,
        case_id: FromPath[int],
        sha256: FromPath[str],
        principal: CurrentPrincipal,
        db_session: DbSession,
        settings: AppSettings,
    ) -> File:
        """A photo the citizen attached to this case."""
        found = await CaseService(db_session, principal).photo(case_id, sha256)
        return photo_file(MediaStore(settings.media.dir), found)

    @patch("/{case_id:int}/assignee")
    async def assign(
        self,
        case_id: FromPath[int],
        data: JSONBody[AssignRequest],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> CaseSummary:
        """Assign (or unassign) the case, optionally with a due date."""
        summary = await CaseService(db_session, principal).assign(
            case_id, data.assignee_id, data.due_at
        )
        await resources.queue.wake("send_pushes")  # the assignee's push
        await _announce(resources, summary, "assigned")
        return summary

    @patch("/{case_id:int}/status")
    async def change_status(
        self,
        case_id: FromPath[int],
        data: JSONBody[StatusChange],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> CaseSummary:
        """Move the case along its workflow."""
        summary = await CaseService(db_session, principal).change_status(case_id, data.status)
        await _announce(
            resources, summary, "answered" if summary.status == "answered" else "updated"
        )
        return summary

    @patch("/{case_id:int}/classification")
    async def correct(
        self,
        case_id: FromPath[int],
        data: JSONBody[ClassificationCorrection],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> CaseSummary:
        """Correct topic, kind or urgency; stored with who and when for the next training run."""
        summary = await CaseService(db_session, principal).correct(case_id, data)
        await _announce(resources, summary, "updated")
        return summary

    @post("/{case_id:int}/notes", status_code=201)
    async def add_note(
        self,
        case_id: FromPath[int],
        data: JSONBody[NoteCreate],
        principal: CurrentPrincipal,
        db_session: DbSession,
    ) -> NoteView:
        """An internal note, never shown to the citizen."""
        return await CaseService(db_session, principal).add_note(case_id, data.text)

    @post("/{case_id:int}/replies", status_code=201)
    async def reply(
        self,
        case_id: FromPath[int],
        data: JSONBody[ReplyCreate],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> MessageView:
        """Reply to the citizen on the case's channel; the delivery is sent by a job."""
        message, delivery_id = await CaseService(db_session, principal).reply(case_id, data)
        await resources.queue.wake("deliver", delivery_id=delivery_id)
        await resources.queue.wake("send_pushes")  # the citizen's push, if they asked for one
        await publish_cases(resources.jobs, [case_id], "answered" if data.answer else "updated")
        return message


async def _announce(resources: AppResources, summary: CaseSummary, change: CaseChange) -> None:
    """Tell the live staff pages in scope (after the service committed)."""
    await publish_case_event(
        resources.jobs,
        case_id=summary.id,
        tracking_code=summary.tracking_code,
        commune_code=summary.commune_code,
        province_code=summary.province_code,
        status=summary.status,
        change=change,
    )
