"""Small helpers for the HTTP wire that several adapters share."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from channels.base import DeliveryResult, DeliveryStatus, PayloadInvalid, PayloadTooLarge


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Look a header up case-insensitively, whatever mapping the web framework hands us."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if key.lower() == wanted:
            return candidate
    return None


def check_size(body: bytes, limit: int) -> None:
    """Refuse a body over `limit` bytes before hashing or parsing it."""
    if len(body) > limit:
        raise PayloadTooLarge(f"body of {len(body)} bytes is over the {limit}-byte limit")


def ms_to_datetime(value: str | int) -> datetime:
    """Turn an epoch-milliseconds value (string or number) into an aware UTC datetime."""
    text = str(value).strip()
    if not text.isdigit():
        raise PayloadInvalid(f"timestamp {value!r} is not epoch milliseconds")
    try:
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    except (OverflowError, ValueError, OSError) as exc:
        raise PayloadInvalid(f"timestamp {value!r} is out of range") from exc


def retry_after_seconds(response: httpx.Response, now: datetime) -> float | None:
    """Read Retry-After as seconds (RFC 9110 §10.2.3: delay-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def transport_failure(exc: httpx.HTTPError) -> DeliveryResult:
    """A timeout or connection error: the message may or may not have left, so retry later."""
    return DeliveryResult(
        status=DeliveryStatus.RETRYABLE, detail=f"{type(exc).__name__}: {exc}".strip(": ")
    )
