"""Push service answers to delivery results (RFC 8030 §5, §7; RFC 8292 §4.2)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from channels.base import DeliveryResult, DeliveryStatus


def result_for_status(
    status: int, headers: Mapping[str, str], body: str, now: datetime
) -> DeliveryResult:
    """2xx accepted; 404/410 subscription gone; 429/5xx later; other 4xx refused for good."""
    detail = f"{status} {body.strip()[:200]}".strip()
    if 200 <= status <= 202:
        return DeliveryResult(status=DeliveryStatus.OK, provider_message_id=headers.get("Location"))
    if status in (404, 410):  # §7.3 expired / unsubscribed: delete the subscription
        return DeliveryResult(status=DeliveryStatus.GONE, detail=detail)
    if status == 429 or status >= 500:
        retry_after = retry_after_seconds(headers.get("Retry-After"), now)
        return DeliveryResult(
            status=DeliveryStatus.RETRYABLE, detail=detail, retry_after=retry_after
        )
    # 400 bad headers, 401/403 VAPID refused or key mismatch, 413 too large: our side is wrong.
    # The subscription may be fine, so it is kept; retrying the same request cannot help.
    return DeliveryResult(status=DeliveryStatus.REJECTED, detail=detail)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); None if absent or bad."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())
