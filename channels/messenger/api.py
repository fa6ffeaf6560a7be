"""The Send API call (§2.4)."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from channels.base import Clock, DeliveryResult, DeliveryStatus
from channels.messenger.codes import result_for_error
from channels.messenger.config import MessengerConfig
from channels.messenger.signature import appsecret_proof
from channels.wire import retry_after_seconds, transport_failure


async def post_message(
    client: httpx.AsyncClient, config: MessengerConfig, body: dict[str, Any], clock: Clock
) -> DeliveryResult:
    """POST /{page_id}/messages with the Page token; map the answer to a result."""
    token = config.page_access_token
    try:
        response = await client.post(
            f"{config.graph_base_url}/{config.api_version}/{config.page_id}/messages",
            # The token rides in a header rather than the query string so that request logs
            # (httpx logs URLs at INFO) never hold it; the proof is useless without it.
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            params={"appsecret_proof": appsecret_proof(token, config.app_secret)},
            content=msgspec.json.encode(body),
            timeout=config.timeout_seconds,
        )
    except httpx.HTTPError as exc:
        return transport_failure(exc)
    answer = _json_object(response)
    error = answer.get("error")
    if isinstance(error, dict):
        code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
        if code is not None and response.status_code < 500:
            message = str(error.get("message", ""))
            return result_for_error(
                code, subcode, message, error.get("is_transient") is True, config
            )
    if response.status_code == 429 or response.status_code >= 500:
        return DeliveryResult(
            status=DeliveryStatus.RETRYABLE,
            detail=f"graph answered HTTP {response.status_code}",
            retry_after=retry_after_seconds(response, clock()),
        )
    message_id = answer.get("message_id")
    if response.status_code == 200 and isinstance(message_id, str) and message_id:
        return DeliveryResult(
            status=DeliveryStatus.OK,
            detail=f"sent on Messenger ({body['messaging_type']})",
            provider_message_id=message_id,
        )
    return DeliveryResult(
        status=DeliveryStatus.RETRYABLE,
        detail=f"graph answered HTTP {response.status_code} without a message_id",
    )


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
