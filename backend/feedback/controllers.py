"""Public web intake: submit feedback, read its status, follow up, say "not resolved"."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from backend.deps import AppSettings, DbSession, Intake
from backend.feedback.schemas import (
    FeedbackCreate,
    FeedbackReceipt,
    FollowUpCreate,
    PublicCaseView,
    ReopenRequest,
)
from backend.feedback.service import CitizenCaseService

Token = Annotated[str | None, HeaderParameter(name="X-Status-Token", required=False)]
TokenQuery = Annotated[str | None, QueryParameter(name="token", required=False)]


class FeedbackController(Controller):
    path = "/api/v1/feedback"
    tags = ["citizen"]
    opt = {"public": True}

    @post("/", request_max_body_size=64 * 1024)
    async def submit(
        self,
        data: JSONBody[FeedbackCreate],
        intake: Intake,
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", required=False)
        ],
    ) -> Response[FeedbackReceipt]:
        """Send feedback (no login). 201 once stored; the same idempotency key returns the same case (200)."""
        receipt, created = await intake.submit(data, idempotency_key)
        return Response(receipt, status_code=201 if created else 200)

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


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
