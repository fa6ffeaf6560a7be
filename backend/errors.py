"""The application's error hierarchy and its one mapping to problem-details JSON (RFC 9457)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5  # how long a client should wait after a 503 (RFC 9110 §10.2.3)


class AppError(Exception):
    """Root of expected application errors; `status` is the HTTP status they map to."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Malformed(AppError):
    status = 400
    title = "Malformed request"


class TooLarge(AppError):
    status = 413
    title = "Payload too large"


class MethodNotAllowed(AppError):
    status = 405
    title = "Method not allowed"


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
    response = problem(exc.status, exc.title, exc.detail, **exc.extra)
    if exc.status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def http_error_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException) and exc.extra:
        extra["errors"] = exc.extra
    title = "Invalid input" if isinstance(exc, ValidationException) else exc.__class__.__name__
    response = problem(exc.status_code, title, str(exc.detail), **extra)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def is_database_outage(exc: BaseException) -> bool:
    """A lost or refused database connection (restart, failover), not a bug in a query."""
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(
            current,
            ConnectionError  # refused, reset: the server is down or restarting
            | PoolTimeout
            | DisconnectionError
            | OperationalError
            | asyncpg.PostgresConnectionError
            | asyncpg.InterfaceError  # "connection is closed" mid-statement
            | asyncpg.CannotConnectNowError  # "the database system is starting up"
            | asyncpg.AdminShutdownError  # "terminating connection due to administrator command"
            | asyncpg.CrashShutdownError,
        ):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def is_id_out_of_range(exc: BaseException) -> bool:
    """An id beyond the database's 64-bit integers (SQLite OverflowError, PostgreSQL DataError)."""
    from sqlalchemy.exc import DataError

    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, DataError) and "out of int64 range" in str(exc)


def internal_error_handler(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_id_out_of_range(exc):  # no row can have it: the same answer as any unknown id
        return problem(404, NotFound.title, "no such record (the id is out of range)")
    if is_database_outage(exc):
        response = problem(503, Unavailable.title, "the database is unavailable; retry shortly")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return Response(
        {"type": "about:blank", "title": "Internal error", "status": 500},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=MediaType.JSON,
    )


class ProblemDetails(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details as this API answers them (some problems add fields)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None  # which fields failed validation


# The answers of the one mapping an API operation can give besides its success.
DOCUMENTED_ERRORS = {
    400: "Malformed request",
    401: "Not authenticated, or the session expired",
    403: "Authenticated but not allowed (role, CSRF token)",
    404: "Not found, or outside the caller's scope",
    409: "Conflict with the current state",
    413: "Request body too large",
    422: "Invalid input",
    429: "Too many requests",
    503: "Temporarily unavailable; retry after Retry-After seconds",
}


def document_errors(app: Litestar) -> None:
    """Every operation's OpenAPI entry documents the problem-details answers it can give."""
    errors = {
        status: ResponseSpec(
            data_container=ProblemDetails,
            description=description,
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status, description in DOCUMENTED_ERRORS.items()
    }
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            documented = {**errors, **(handler.responses or {})}
            if handler.status_code == 204:  # Litestar would document a JSON `null` body
                documented[204] = ResponseSpec(data_container=None, description="No content")
            handler.responses = documented


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    AppError: app_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
