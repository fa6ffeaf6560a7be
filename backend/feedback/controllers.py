"""Public web intake: submit feedback, read its status, follow up, say "not resolved"."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import File

from backend.deps import AppSettings, DbSession
from backend.feedback.photos import photo_file
from backend.feedback.schemas import (
    FollowUpCreate,
    PhotoReceipt,
    PublicCaseView,
    ReopenRequest,
)
from backend.feedback.service import CitizenCaseService
from backend.media import MediaStore
from backend.satisfaction.schemas import RatingCreate, RatingView

Token = Annotated[str | None, HeaderParameter(name="X-Status-Token", required=False)]
# Photos are resized on the phone; the service checks the configured (smaller) limit.
PHOTO_BODY_CEILING = 8 * 1024 * 1024
TokenQuery = Annotated[str | None, QueryParameter(name="token", required=False)]


class FeedbackController(Controller):
    path = "/api/v1/feedback"
    tags = ["citizen"]
    opt = {"public": True}

    @get("/{tracking_code:str}")
    async def status(
        self,
        tracking_code: FromPath[str],
        token: Token,
        token_query: TokenQuery,
        db_session: DbSession,
        settings: AppSettings,
    ) -> PublicCaseView:
        """The case's status and public replies; needs the status token."""
        service = CitizenCaseService(db_session, settings.auth.secret_key)
        return await service.view(tracking_code, token or token_query)

    @post("/{tracking_code:str}/messages", status_code=201, request_max_body_size=64 * 1024)
    async def follow_up(
        self,
        tracking_code: FromPath[str],
        data: JSONBody[FollowUpCreate],
        token: Token,
        db_session: DbSession,
        settings: AppSettings,
    ) -> PublicCaseView:
        """Add a message to the case."""
        return await CitizenCaseService(db_session, settings.auth.secret_key).follow_up(
            tracking_code, token, data
        )

    @post("/{tracking_code:str}/reopen", status_code=200, request_max_body_size=64 * 1024)
    async def reopen(
        self,
        tracking_code: FromPath[str],
        data: JSONBody[ReopenRequest],
        token: Token,
        db_session: DbSession,
        settings: AppSettings,
    ) -> PublicCaseView:
        """Say the answer did not resolve the problem: reopens the case."""
        return await CitizenCaseService(db_session, settings.auth.secret_key).reopen(
            tracking_code, token, data.reason
        )

    @post("/{tracking_code:str}/rating", status_code=200, request_max_body_size=16 * 1024)
    async def rate(
        self,
        tracking_code: FromPath[str],
        data: JSONBody[RatingCreate],
        token: Token,
        db_session: DbSession,
        settings: AppSettings,
    ) -> RatingView:
        """Rate the answer 1-5 and say if it resolved the problem; "no" reopens case and group."""
        return await CitizenCaseService(db_session, settings.auth.secret_key).rate(
            tracking_code, token, data
        )

    @post(
        "/{tracking_code:str}/photos",
        request_max_body_size=PHOTO_BODY_CEILING,
        responses={201: ResponseSpec(PhotoReceipt, description="Stored (200: already there)")},
    )
    async def add_photo(
        self,
        request: Request[Any, Any, Any],
        tracking_code: FromPath[str],
        token: Token,
        db_session: DbSession,
        settings: AppSettings,
    ) -> Response[PhotoReceipt]:
        """Attach a photo (image/jpeg, image/png or image/webp body); the same photo is kept once."""
        service = CitizenCaseService(db_session, settings.auth.secret_key)
        photo, added = await service.add_photo(
            tracking_code,
            token,
            request.body,
            request.headers.get("content-type", ""),
            MediaStore(settings.media.dir),
            settings.media,
        )
        receipt = PhotoReceipt(
            sha256=photo.sha256,
            width=photo.width,
            height=photo.height,
            size=photo.size,
            url=f"/api/v1/feedback/{tracking_code}/photos/{photo.sha256}",
        )
        return Response(receipt, status_code=201 if added else 200)

    @get("/{tracking_code:str}/photos/{sha256:str}", media_type="image/jpeg")
    async def photo(
        self,
        tracking_code: FromPath[str],
        sha256: FromPath[str],
        token: Token,
        token_query: TokenQuery,
        db_session: DbSession,
        settings: AppSettings,
    ) -> File:
        """A photo attached to the case (needs the status token)."""
        service = CitizenCaseService(db_session, settings.auth.secret_key)
        found = await service.photo(tracking_code, token or token_query, sha256)
        return photo_file(MediaStore(settings.media.dir), found)


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
