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
from litestar.types import Receive, Scope, Send

from backend.errors import Forbidden, Malformed, NotFound, TooLarge
from backend.raw_http import headers_of, method_of, read_body, require_method, respond
from backend.webhooks.intake import ChannelIntake
from channels.base import PayloadInvalid, PayloadTooLarge, SignatureInvalid
from channels.messenger import MessengerChannel, messenger_verify_challenge

MAX_BODY = 256 * 1024


def intake_of(scope: Scope) -> ChannelIntake:
    return scope["app"].state.channel_runtime.intake  # type: ignore[no-any-return]


async def accept(name: str, scope: Scope, receive: Receive, send: Send) -> None:
    """The whole request path: raw bytes in, durable events out, a small JSON receipt back."""
    require_method(scope, "POST")
    intake = intake_of(scope)
    channel = intake.channel(name)
    if channel is None:
        raise NotFound(f"channel {name} is not configured")
    body = await read_body(scope, receive, MAX_BODY)
    try:
        receipt = await intake.accept(channel, headers_of(scope), body)
    except SignatureInvalid as exc:
        raise Forbidden(f"{name} webhook: {exc}") from exc
    except PayloadTooLarge as exc:
        raise TooLarge(str(exc)) from exc
    except PayloadInvalid as exc:
        raise Malformed(str(exc)) from exc
    await respond(send, msgspec.json.encode(receipt))


@asgi("/webhooks/zalo", copy_scope=False)
async def zalo_webhook(scope: Scope, receive: Receive, send: Send) -> None:
    """Zalo OA events, signed with X-ZEvent-Signature (POST)."""
    await accept("zalo", scope, receive, send)


@asgi("/webhooks/messenger", copy_scope=False)
async def messenger_webhook(scope: Scope, receive: Receive, send: Send) -> None:
    """Messenger Page events (POST, X-Hub-Signature-256) and Meta's GET handshake."""
    if method_of(scope) != "GET":
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
    await respond(send, challenge.encode(), media_type="text/plain; charset=utf-8")


WEBHOOK_HANDLERS = [zalo_webhook, messenger_webhook]
