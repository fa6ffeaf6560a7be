"""The application's error hierarchy and its one mapping to problem-details JSON (RFC 9457)."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

PROBLEM_JSON = "application/problem+json"


class AppError(Exception):
    """Root of expected application errors; `status` is the HTTP status they map to."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Invalid(AppError):
    status = 422
    title = "Invalid input"


class Unauthorized(AppError):
    status = 401
    title = "Not authenticated"


class Forbidden(AppError):
    status = 403
    title = "Forbidden"


class NotFound(AppError):
    status = 404
    title = "Not found"


class Conflict(AppError):
    status = 409
    title = "Conflict"


class Unavailable(AppError):
    status = 503
    title = "Temporarily unavailable"


def problem(status: int, title: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    """A problem-details response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def app_error_handler(_: Request[Any, Any, Any], exc: AppError) -> Response[dict[str, Any]]:
    return problem(exc.status, exc.title, exc.detail, **exc.extra)


def http_error_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException) and exc.extra:
        extra["errors"] = exc.extra
    title = "Invalid input" if isinstance(exc, ValidationException) else exc.__class__.__name__
    response = problem(exc.status_code, title, str(exc.detail), **extra)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def internal_error_handler(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, OperationalError | DBAPIError) and getattr(
        exc, "connection_invalidated", True
    ):
        return problem(503, "Temporarily unavailable", "the database is unavailable; retry")
    return Response(
        {"type": "about:blank", "title": "Internal error", "status": 500},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=MediaType.JSON,
    )


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    AppError: app_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
