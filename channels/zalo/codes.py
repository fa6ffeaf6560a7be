"""What the Open API's `error` codes mean for a delivery (§1.5 error table)."""

from __future__ import annotations

import logging

from channels.base import ChannelMisconfigured, DeliveryResult, DeliveryStatus
from channels.zalo.config import ZaloConfig

log = logging.getLogger(__name__)

TOKEN_REJECTED = frozenset({-216, -220, -124})  # refresh once, retry once


class AccessTokenRejected(Exception):
    """Zalo refused this access token; the caller refreshes once and retries once."""

    def __init__(self, token: str) -> None:
        super().__init__("zalo rejected the access token")
        self.token = token


# Zalo cannot reach this citizen; another channel they gave may (§1.5, DESIGN rule 3).
UNREACHABLE = {
    -213: "the user does not follow the OA",
    -230: "no interaction within 7 days (window closed)",
    -232: "no interaction within 7 days (window closed)",
    -227: "the user is banned or inactive for over 45 days",
}
PERMANENT = {-201: "invalid parameter", -240: "message API version shut down"}  # bugs
MISCONFIGURED = {
    -221: "the OA is not verified",
    -223: "the OA has not granted this permission",
    -224: "the OA needs a tier upgrade",
}


def result_for_error(code: int, message: str, config: ZaloConfig) -> DeliveryResult:
    """Map a non-zero, non-token `error` to a result; raise when an admin must act."""
    detail = f"zalo error {code}: {message}".strip()
    if code in UNREACHABLE:
        return DeliveryResult(
            status=DeliveryStatus.GONE,
            detail=f"{detail} ({UNREACHABLE[code]})",
            fallback_allowed=True,
        )
    if code in PERMANENT:
        return DeliveryResult(status=DeliveryStatus.GONE, detail=f"{detail} ({PERMANENT[code]})")
    if code in MISCONFIGURED:
        raise ChannelMisconfigured(f"{detail} ({MISCONFIGURED[code]})")
    if code == -32:
        return DeliveryResult(
            status=DeliveryStatus.RETRYABLE,
            detail=f"{detail} (app rate limit)",
            retry_after=config.rate_limit_retry_seconds,
        )
    if code == -211:
        log.warning("zalo OA is out of message quota; deliveries are deferred")
        return DeliveryResult(
            status=DeliveryStatus.RETRYABLE,
            detail=f"{detail} (out of quota)",
            retry_after=config.quota_retry_seconds,
        )
    # Unknown codes: retry with backoff rather than lose the reply; the backend caps attempts.
    return DeliveryResult(status=DeliveryStatus.RETRYABLE, detail=detail)
