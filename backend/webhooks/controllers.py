"""Provider webhooks under /webhooks/{channel}: verify, parse, store durably, answer 200.

Answers (protocol digest §1.1, §2.1, §5.1): 200 for accepted, duplicate and ignored events;
403 for a bad signature (nothing stored); 400 for a body that cannot be understood; 413 over
256 KB; 404 for a channel this deployment does not have.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from backend.errors import AppError, Forbidden, NotFound
from backend.webhooks.intake import ChannelIntake, IntakeReceipt
from channels.base import PayloadInvalid, PayloadTooLarge, SignatureInvalid
from channels.messenger import MessengerChannel, messenger_verify_challenge

MAX_BODY = 256 * 1024


class BadPayload(AppError):
    status = 400
    title = "Malformed webhook"


class BodyTooLarge(AppError):
    status = 413
    title = "Payload too large"


def intake_of(request: Request[Any, Any, Any]) -> ChannelIntake:
    """The process's intake (read from app state: on the hottest path, no DI resolution)."""
    return request.app.state.channel_runtime.intake  # type: ignore[no-any-return]


async def accept(name: str, request: Request[Any, Any, Any]) -> IntakeReceipt:
    """The whole request path: raw bytes in, durable events out."""
    intake = intake_of(request)
    channel = intake.channel(name)
    if channel is None:
        raise NotFound(f"channel {name} is not configured")
    body = await request.body()
    try:
        return await intake.accept(channel, request.headers, body)
    except SignatureInvalid as exc:
        raise Forbidden(f"{name} webhook: {exc}") from exc
    except PayloadTooLarge as exc:
        raise BodyTooLarge(str(exc)) from exc
    except PayloadInvalid as exc:
        raise BadPayload(str(exc)) from exc


class WebhookController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]
    request_max_body_size = MAX_BODY

    @post("/zalo", status_code=200)
    async def zalo(self, request: Request[Any, Any, Any]) -> IntakeReceipt:
        """Zalo OA events, signed with X-ZEvent-Signature."""
        return await accept("zalo", request)

    @post("/messenger", status_code=200)
    async def messenger(self, request: Request[Any, Any, Any]) -> IntakeReceipt:
        """Messenger Page events, signed with X-Hub-Signature-256."""
        return await accept("messenger", request)

    @get("/messenger")
    async def messenger_handshake(self, request: Request[Any, Any, Any]) -> Response[str]:
        """Meta's subscription check: echo hub.challenge when hub.verify_token is ours."""
        channel = intake_of(request).channel("messenger")
        if not isinstance(channel, MessengerChannel):
            raise NotFound("channel messenger is not configured")
        params = {key: value for key, value in request.query_params.items()}
        try:
            challenge = messenger_verify_challenge(params, channel.config.verify_token)
        except SignatureInvalid as exc:
            raise Forbidden(f"messenger handshake: {exc}") from exc
        return Response(challenge, media_type="text/plain")
