"""Helpers of the plain ASGI handlers that serve the intake hot paths.

The web feedback form and the provider webhooks take thousands of requests a second at peak;
as plain ASGI handlers they skip Litestar's parameter parsing, dependency injection and
response conversion (bench/intake.py, bench/webhooks.py). Errors are raised as AppError and
still go through the app's one exception mapping (problem-details JSON).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin, RedocRenderPlugin
from litestar.types import HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from backend.errors import (
    DOCUMENTED_ERRORS,
    PROBLEM_JSON,
    Malformed,
    MethodNotAllowed,
    ProblemDetails,
    TooLarge,
)


def headers_of(scope: Scope) -> dict[str, str]:
    """The request headers, names lowercase (as ASGI gives them)."""
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


def method_of(scope: Scope) -> str:
    return str(scope.get("method", ""))


def require_method(scope: Scope, method: str) -> None:
    if method_of(scope) != method:
        raise MethodNotAllowed(f"{method_of(scope)} is not accepted here")


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The whole body, refused (413) past `limit` whether or not Content-Length says so."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise TooLarge(f"body of {value.decode()} bytes is over the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect
            raise Malformed("the client went away before sending the whole body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body over the {limit}-byte limit")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def respond(
    send: Send, body: bytes, status: int = 200, media_type: str = "application/json"
) -> None:
    """A complete response with `body`."""
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", media_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(start)
    await send(end)


class RawOperation(msgspec.Struct, frozen=True, kw_only=True):
    """What the OpenAPI document says about one operation of a plain ASGI handler."""

    path: str
    method: str
    summary: str
    tags: tuple[str, ...]
    body: type[msgspec.Struct]
    # Status → (description, response body type); the app's problem answers are added.
    responses: dict[int, tuple[str, type[msgspec.Struct]]]
    # Header name → description (optional string headers).
    headers: dict[str, str] = {}


def add_raw_operations(document: dict[str, Any], operations: Sequence[RawOperation]) -> None:
    """Add the operations (and their bodies' JSON Schemas) to an OpenAPI document, in place.

    Litestar documents only its HTTP route handlers; these are described by msgspec's JSON
    Schema, and their errors by the problem-details answers every other operation documents.
    Adding them again changes nothing.
    """
    types = [ProblemDetails, *(t for op in operations for t in _types(op))]
    _, schemas = msgspec.json.schema_components(types, ref_template=f"{_REF}{{name}}")
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in schemas.items():
        components.setdefault(name, schema)
    paths = document.setdefault("paths", {})
    for op in operations:
        paths.setdefault(op.path, {}).setdefault(op.method.lower(), _operation(op))


_REF = "#/components/schemas/"


def _types(op: RawOperation) -> list[type[msgspec.Struct]]:
    return [op.body, *(body for _, body in op.responses.values())]


def _content(media_type: str, body: type) -> dict[str, Any]:
    return {media_type: {"schema": {"$ref": _REF + body.__name__}}}


def _operation(op: RawOperation) -> dict[str, Any]:
    responses = {
        str(status): {"description": description, "content": _content(PROBLEM_JSON, ProblemDetails)}
        for status, description in DOCUMENTED_ERRORS.items()
    }
    for status, (description, body) in op.responses.items():
        responses[str(status)] = {
            "description": description,
            "content": _content("application/json", body),
        }
    operation: dict[str, Any] = {
        "tags": list(op.tags),
        "summary": op.summary,
        "operationId": op.method.lower() + op.path.title().replace("/", ""),
        "requestBody": {"required": True, "content": _content("application/json", op.body)},
        "responses": responses,
    }
    if op.headers:
        operation["parameters"] = [
            {
                "name": name,
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": description,
            }
            for name, description in op.headers.items()
        ]
    return operation


class _DocumentsRawOperations(OpenAPIRenderPlugin):
    """A render plugin that adds the plain ASGI handlers' operations before it renders."""

    operations: Sequence[RawOperation] = ()

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        add_raw_operations(openapi_schema, self.operations)  # the app's cached document
        return super().render(request, openapi_schema)  # type: ignore[safe-super]


class _Redoc(_DocumentsRawOperations, RedocRenderPlugin):
    pass


class _Json(_DocumentsRawOperations, JsonRenderPlugin):
    pass


def documentation_plugins(operations: Sequence[RawOperation]) -> list[OpenAPIRenderPlugin]:
    """/schema (ReDoc) and /schema/openapi.json, with the plain ASGI handlers' operations."""
    plugins: list[_DocumentsRawOperations] = [_Redoc(path=["/", "/redoc"]), _Json()]
    for plugin in plugins:
        plugin.operations = operations
    return list(plugins)
