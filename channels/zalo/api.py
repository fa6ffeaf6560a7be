"""Calls to the Zalo OA Open API v3.0 (§1.5): the consultation message and the user profile."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from channels.base import Clock, DeliveryResult, DeliveryStatus
from channels.wire import retry_after_seconds, transport_failure
from channels.zalo.codes import TOKEN_REJECTED, AccessTokenRejected, result_for_error
from channels.zalo.config import ZaloConfig
from channels.zalo.events import ANONYMOUS_PREFIX

CS_MESSAGE_PATH = "/v3.0/oa/message/cs"
USER_DETAIL_PATH = "/v3.0/oa/user/detail"


class ZaloProfile(msgspec.Struct, frozen=True, kw_only=True):
    """What staff see about a Zalo user besides their messages."""

    display_name: str
    avatar_url: str | None = None


def recipient_for(user: str) -> dict[str, str]:
    """The `recipient` object for a sender_id from events.py (plain uid or anonymous chat)."""
    if user.startswith(ANONYMOUS_PREFIX):
        anonymous_id, _, conversation_id = user.removeprefix(ANONYMOUS_PREFIX).partition(":")
        if not anonymous_id or not conversation_id:
            raise ValueError(f"malformed anonymous recipient {user!r}")
        return {"anonymous_id": anonymous_id, "conversation_id": conversation_id}
    if not user.strip():
        raise ValueError("empty recipient")
    return {"user_id": user}


async def post_consultation(
    client: httpx.AsyncClient, config: ZaloConfig, token: str, body: dict[str, Any], clock: Clock
) -> DeliveryResult:
    """Send one consultation message; raise AccessTokenRejected for -216/-220/-124."""
    try:
        response = await client.post(
            f"{config.api_base_url}{CS_MESSAGE_PATH}",
            # §1.5: a bare `access_token` header, never `Authorization: Bearer`.
            headers={"access_token": token, "Content-Type": "application/json"},
            content=msgspec.json.encode(body),
            timeout=config.timeout_seconds,
        )
    except httpx.HTTPError as exc:
        return transport_failure(exc)
    if response.status_code == 429 or response.status_code >= 500:
        return DeliveryResult(
            status=DeliveryStatus.RETRYABLE,
            detail=f"zalo answered HTTP {response.status_code}",
            retry_after=retry_after_seconds(response, clock()),
        )
    answer = _answer(response)
    if answer is None:
        return DeliveryResult(
            status=DeliveryStatus.RETRYABLE,
            detail=f"zalo answered HTTP {response.status_code} without an error code",
        )
    code, message, data = answer
    if code == 0:
        message_id = data.get("message_id")
        return DeliveryResult(
            status=DeliveryStatus.OK,
            detail="sent as a Zalo consultation message",
            provider_message_id=None if message_id is None else str(message_id),
        )
    if code in TOKEN_REJECTED:
        raise AccessTokenRejected(token)
    return result_for_error(code, message, config)


async def get_profile(
    client: httpx.AsyncClient, config: ZaloConfig, token: str, user_id: str
) -> ZaloProfile | None:
    """The user's display name and avatar, None if unknown; raise AccessTokenRejected."""
    try:
        response = await client.get(
            f"{config.api_base_url}{USER_DETAIL_PATH}",
            # §1.5: the query carries JSON in a `data` parameter.
            params={"data": msgspec.json.encode({"user_id": user_id}).decode()},
            headers={"access_token": token},
            timeout=config.timeout_seconds,
        )
    except httpx.HTTPError:
        return None
    answer = _answer(response)
    if answer is None:
        return None
    code, _, data = answer
    if code in TOKEN_REJECTED:
        raise AccessTokenRejected(token)
    name = data.get("display_name")
    if code != 0 or not isinstance(name, str):
        return None
    avatars = data.get("avatars")
    avatar = avatars.get("240") if isinstance(avatars, dict) else None
    return ZaloProfile(display_name=name, avatar_url=avatar if isinstance(avatar, str) else None)


def _answer(response: httpx.Response) -> tuple[int, str, dict[str, Any]] | None:
    """(error, message, data) from a body; errors usually come with HTTP 200 (§1.5)."""
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return None
    if not isinstance(body, dict):
        return None
    code = body.get("error")
    if not isinstance(code, int) or isinstance(code, bool):
        return None
    data = body.get("data")
    return code, str(body.get("message", "")), data if isinstance(data, dict) else {}
