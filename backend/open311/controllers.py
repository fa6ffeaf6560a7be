"""GeoReport v2 over HTTP: format suffixes, form bodies and the spec's error arrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import parse_qsl

from litestar import Controller, Request, Response, Router, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, HeaderParameter
from litestar.types import Middleware

from backend.deps import AppSettings, DbSession, Intake, Resources
from backend.errors import AppError
from backend.open311.catalogue import SERVICES, service_definition, service_item
from backend.open311.formats import (
    Open311Error,
    bad_request,
    error_response,
    format_of_path,
    not_found,
    render,
    split_format,
)
from backend.open311.keys import ApiKeyService
from backend.open311.service import Open311Service, discovery, jurisdiction, raise_for_key, service

FORM = "application/x-www-form-urlencoded"
MAX_BODY = 64 * 1024


def _query(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {k: v.strip() for k, v in request.query_params.items()}


class Open311Controller(Controller):
    path = "/"
    include_in_schema = False  # GeoReport v2 is its own published spec, not part of /schema

    @get("/{name:str}")
    async def top_level(
        self,
        name: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: DbSession,
        settings: AppSettings,
    ) -> Response[bytes]:
        """discovery, services and requests, each as .json or .xml."""
        resource, fmt = split_format(name)
        params = _query(request)
        if resource == "discovery":
            return render(fmt, discovery(settings.base_url), root="discovery")
        if resource == "services":
            jurisdiction(params.get("jurisdiction_id"), required=False)
            items = [service_item(s) for s in SERVICES.values()]
            return render(fmt, items, root="services", item="service")
        if resource == "requests":
            found = await Open311Service(db_session).find(params)
            return render(fmt, found, root="service_requests", item="request")
        raise not_found(f"no resource {resource}")

    @post("/{name:str}", status_code=201, request_max_body_size=MAX_BODY)
    async def create(
        self,
        name: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: DbSession,
        resources: Resources,
        intake: Intake,
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", required=False)
        ],
    ) -> Response[bytes]:
        """POST requests.{fmt}: form-encoded, api_key required; answers once the case is stored."""
        resource, fmt = split_format(name)
        if resource != "requests":
            raise not_found(f"no resource {resource} accepts POST")
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
            raise bad_request(f"the body must be {FORM}")
        try:
            pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)
        except UnicodeDecodeError:
            raise bad_request("the body must be UTF-8") from None
        given = next((v.strip() for k, v in pairs if k == "api_key" and v.strip()), "")
        key = raise_for_key(await ApiKeyService(db_session).check(given), bool(given))
        created = await Open311Service(db_session).create(
            pairs, key, idempotency_key, intake, resources.committer
        )
        return render(fmt, created, root="service_requests", item="request", status=201)

    @get(["/services", "/requests", "/tokens"])
    async def without_format(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """These paths need a format suffix too (their sub-paths shadow `/{name}`)."""
        split_format(request.url.path.rsplit("/", 1)[-1])
        raise not_found("no such resource")  # pragma: no cover - split_format always raises

    @get("/services/{name:str}")
    async def definition(
        self, name: FromPath[str], request: Request[Any, Any, Any]
    ) -> Response[bytes]:
        """services/{service_code}.{fmt}: the service definition."""
        code, fmt = split_format(name)
        jurisdiction(_query(request).get("jurisdiction_id"), required=False)
        return render(fmt, service_definition(service(code)), root="service_definition")

    @get("/requests/{name:str}")
    async def one_request(
        self, name: FromPath[str], request: Request[Any, Any, Any], db_session: DbSession
    ) -> Response[bytes]:
        """requests/{service_request_id}.{fmt}: one request, as a one-element list."""
        request_id, fmt = split_format(name)
        jurisdiction(_query(request).get("jurisdiction_id"), required=False)
        found = await Open311Service(db_session).get(request_id)
        return render(fmt, found, root="service_requests", item="request")

    @get("/tokens/{name:str}")
    async def token(
        self, name: FromPath[str], request: Request[Any, Any, Any], db_session: DbSession
    ) -> Response[bytes]:
        """tokens/{token}.{fmt}: the service_request_id a token stands for."""
        token, fmt = split_format(name)
        jurisdiction(_query(request).get("jurisdiction_id"), required=False)
        found = await Open311Service(db_session).token(token)
        return render(fmt, found, root="service_requests", item="request")


def _open311_error(request: Request[Any, Any, Any], exc: Open311Error) -> Response[bytes]:
    return error_response(format_of_path(request.url.path), exc)


def _app_error(request: Request[Any, Any, Any], exc: AppError) -> Response[bytes]:
    status = exc.status if exc.status in (403, 404) else 400
    return _open311_error(request, Open311Error(status, (status, exc.detail)))


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code if exc.status_code < 500 else 400
    response = _open311_error(request, Open311Error(status, (status, str(exc.detail))))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def open311_router(middleware: Sequence[Middleware]) -> Router:
    """Everything under /open311/v2, answering errors in the spec's format."""
    return Router(
        path="/open311/v2",
        route_handlers=[Open311Controller],
        middleware=list(middleware),
        exception_handlers={
            Open311Error: _open311_error,
            AppError: _app_error,
            HTTPException: _http_error,
        },
        include_in_schema=False,
    )
