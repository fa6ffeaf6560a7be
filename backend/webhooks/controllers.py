"""Provider webhooks under /webhooks/{channel}: verify, parse, store durably, answer 200.

Answers (protocol digest §1.1, §2.1, §5.1): 200 for accepted, duplicate and ignored events;
403 for a bad signature (nothing stored); 400 for a body that cannot be understood; 413 over
256 KB; 404 for a channel this deployment does not have; 405 for other methods.

These are the busiest endpoints (a Zalo OA can send thousands of events a second) and their
contract is fixed by the providers, so they are plain ASGI handlers: no parameter parsing or
response conversion on the way, only the bytes. Errors still go through the app's one
exception mapping (problem-details JSON).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar import asgi
from litestar.types import (
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from backend.errors import AppError, Forbidden, NotFound
from backend.webhooks.intake import ChannelIntake
from channels.base import PayloadInvalid, PayloadTooLarge, SignatureInvalid
from channels.messenger import MessengerChannel, messenger_verify_challenge

MAX_BODY = 256 * 1024


class BadPayload(AppError):
    status = 400
    title = "Malformed webhook"


class BodyTooLarge(AppError):
    status = 413
    title = "Payload too large"


class MethodNotAllowed(AppError):
    status = 405
    title = "Method not allowed"


def intake_of(scope: Scope) -> ChannelIntake:
    return scope["app"].state.channel_runtime.intake  # type: ignore[no-any-return]


def _method(scope: Scope) -> str:
    return str(scope.get("method", ""))


def headers_of(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


async def read_body(scope: Scope, receive: Receive, limit: int = MAX_BODY) -> bytes:
    """The whole body, refused (413) past `limit` whether or not Content-Length says so."""
    declared = headers_of(scope).get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"body of {declared} bytes is over the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect
            raise BadPayload("the client went away before sending the whole body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body over the {limit}-byte limit")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def respond(send: Send, body: bytes, media_type: str = "application/json") -> None:
    headers = [(b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode())]
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 200,
        "headers": headers,
    }
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(start)
    await send(end)


async def accept(name: str, scope: Scope, receive: Receive, send: Send) -> None:
    """The whole request path: raw bytes in, durable events out, a small JSON receipt back."""
    method = _method(scope)
    if method != "POST":
        raise MethodNotAllowed(f"{method} is not accepted here")
    intake = intake_of(scope)
    channel = intake.channel(name)
    if channel is None:
        raise NotFound(f"channel {name} is not configured")
    body = await read_body(scope, receive)
    try:
        receipt = await intake.accept(channel, headers_of(scope), body)
    except SignatureInvalid as exc:
        raise Forbidden(f"{name} webhook: {exc}") from exc
    except PayloadTooLarge as exc:
        raise BodyTooLarge(str(exc)) from exc
    except PayloadInvalid as exc:
        raise BadPayload(str(exc)) from exc
    await respond(send, msgspec.json.encode(receipt))


@asgi("/webhooks/zalo", copy_scope=False)
async def zalo_webhook(scope: Scope, receive: Receive, send: Send) -> None:
    """Zalo OA events, signed with X-ZEvent-Signature (POST)."""
    await accept("zalo", scope, receive, send)


@asgi("/webhooks/messenger", copy_scope=False)
async def messenger_webhook(scope: Scope, receive: Receive, send: Send) -> None:
    """Messenger Page events (POST, X-Hub-Signature-256) and Meta's GET handshake."""
    if _method(scope) != "GET":
        await accept("messenger", scope, receive, send)
        return
    channel = intake_of(scope).channel("messenger")
    if not isinstance(channel, MessengerChannel):
        raise NotFound("channel messenger is not configured")
    params: dict[str, Any] = dict(parse_qsl(scope["query_string"].decode("latin-1")))
    try:
        challenge = messenger_verify_challenge(params, channel.config.verify_token)
    except SignatureInvalid as exc:
        raise Forbidden(f"messenger handshake: {exc}") from exc
    await respond(send, challenge.encode(), "text/plain; charset=utf-8")


WEBHOOK_HANDLERS = [zalo_webhook, messenger_webhook]
