"""Voter meetings: enter (online or from the PWA outbox), list, read, import minutes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter

from backend.db.types import utcnow
from backend.deps import CurrentPrincipal, DbSession, Resources
from backend.meetings.minutes import parse_minutes, read_table
from backend.meetings.schemas import (
    ImportResult,
    MeetingCreate,
    MeetingDetail,
    MeetingPage,
    OpinionsAdd,
)
from backend.meetings.service import MeetingService, local_today

MAX_MINUTES_BYTES = 5 * 1024 * 1024


@dataclass
class MinutesUpload:
    """The multipart form: one field `file`, a .csv or .xlsx of minutes."""

    file: UploadFile


async def _wake_classifier(resources: Resources, case_ids: list[int]) -> None:
    if case_ids:  # best effort: the sweeper finds unclassified cases anyway
        await resources.queue.wake("classify_cases", case_ids=case_ids)


class MeetingController(Controller):
    path = "/api/v1/meetings"
    tags = ["meetings"]

    @post("/", request_max_body_size=2 * 1024 * 1024)
    async def create(
        self,
        data: JSONBody[MeetingCreate],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> Response[MeetingDetail]:
        """Record a meeting and its opinions (201); the same client_key again returns it (200)."""
        service = MeetingService(db_session, principal)
        recorded = await service.create(data)
        await _wake_classifier(resources, recorded.new_case_ids)
        detail = await service.detail(recorded.meeting_id)
        return Response(detail, status_code=201 if recorded.created else 200)

    @get("/")
    async def list_meetings(
        self,
        principal: CurrentPrincipal,
        db_session: DbSession,
        commune_code: FromQuery[str | None] = None,
        page: Annotated[int, QueryParameter(ge=1)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> MeetingPage:
        """Meetings in the caller's scope, latest first."""
        return await MeetingService(db_session, principal).find(commune_code, page, page_size)

    @get("/{meeting_id:int}")
    async def detail(
        self, meeting_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> MeetingDetail:
        """A meeting with its opinions and the case each became."""
        return await MeetingService(db_session, principal).detail(meeting_id)

    @post("/{meeting_id:int}/opinions", request_max_body_size=2 * 1024 * 1024)
    async def add_opinions(
        self,
        meeting_id: FromPath[int],
        data: JSONBody[OpinionsAdd],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> Response[MeetingDetail]:
        """Add opinions (201); the same client_key again adds nothing (200)."""
        service = MeetingService(db_session, principal)
        recorded = await service.add_opinions(meeting_id, data)
        await _wake_classifier(resources, recorded.new_case_ids)
        detail = await service.detail(meeting_id)
        return Response(detail, status_code=201 if recorded.created else 200)

    @post("/import", request_max_body_size=MAX_MINUTES_BYTES + 64 * 1024)
    async def import_minutes(
        self,
        data: Annotated[MinutesUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        principal: CurrentPrincipal,
        db_session: DbSession,
        resources: Resources,
    ) -> Response[ImportResult]:
        """Import a CSV/XLSX of minutes (columns: see backend/meetings/minutes.py); all or nothing."""
        service = MeetingService(db_session, principal)
        content = await data.file.read()
        meetings = parse_minutes(
            read_table(data.file.filename or "", content),
            service.check_commune,
            local_today(utcnow()),
        )
        meeting_ids, created, new_cases = await service.import_minutes(meetings)
        await _wake_classifier(resources, new_cases)
        result = ImportResult(
            meetings=await service.summaries(meeting_ids),
            rows=sum(len(m.opinions) for m in meetings),
            created_opinions=created,
        )
        return Response(result, status_code=201 if created else 200)
