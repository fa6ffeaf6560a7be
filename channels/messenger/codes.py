"""What Graph API error codes mean for a delivery (§2.4 error table)."""

from __future__ import annotations

from channels.base import ChannelMisconfigured, CredentialsRejected, DeliveryResult, DeliveryStatus
from channels.messenger.config import MessengerConfig

RATE_LIMITS = frozenset({4, 17, 32, 613})
TEMPORARY = frozenset({1, 2})
OUTSIDE_WINDOW_SUBCODE = 2018278
NO_MATCHING_USER_SUBCODE = 2018001


def result_for_error(
    code: int,
    subcode: int | None,
    message: str,
    transient: bool,
    config: MessengerConfig,
) -> DeliveryResult:
    """Map a Graph `error` object to a result; raise when an admin must act."""
    detail = f"graph error {code}" + (f"/{subcode}" if subcode else "") + f": {message}"
    if code == 190:
        raise CredentialsRejected(f"{detail}; the Page access token must be replaced")
    if code == 10 or subcode == OUTSIDE_WINDOW_SUBCODE:
        return _unreachable(f"{detail} (outside the messaging window)")
    if code == 551:
        return _unreachable(f"{detail} (this person isn't available)")
    if code == 100 and subcode == NO_MATCHING_USER_SUBCODE:
        return _unreachable(f"{detail} (no matching user)")
    if code in RATE_LIMITS:
        return DeliveryResult(
            status=DeliveryStatus.RETRYABLE,
            detail=f"{detail} (rate limited)",
            retry_after=config.rate_limit_retry_seconds,
        )
    if code in TEMPORARY or transient:
        return DeliveryResult(status=DeliveryStatus.RETRYABLE, detail=detail)
    if code == 200:  # [I] permissions error: pages_messaging not granted or not reviewed
        raise ChannelMisconfigured(f"{detail}; the app lacks a Messenger permission")
    if code == 100 and "appsecret_proof" in message:  # the configured app secret is wrong
        raise ChannelMisconfigured(f"{detail}; check the app secret")
    if code == 100:  # invalid parameter: our bug, retrying cannot help
        return DeliveryResult(status=DeliveryStatus.GONE, detail=detail)
    return DeliveryResult(status=DeliveryStatus.RETRYABLE, detail=detail)


def _unreachable(detail: str) -> DeliveryResult:
    return DeliveryResult(status=DeliveryStatus.GONE, detail=detail, fallback_allowed=True)
