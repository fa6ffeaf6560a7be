"""Shared wire helpers: headers, timestamps, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from channels.base import PayloadInvalid
from channels.wire import header, ms_to_datetime, retry_after_seconds


def test_headers_are_found_whatever_their_case() -> None:
    assert header({"x-zevent-signature": "mac=1"}, "X-ZEvent-Signature") == "mac=1"
    assert header({"Other": "1"}, "X-ZEvent-Signature") is None


@pytest.mark.parametrize("value", ["1772438400123", 1772438400123])
def test_epoch_milliseconds_as_text_or_number(value: str | int) -> None:
    assert ms_to_datetime(value) == datetime(2026, 3, 2, 8, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize("value", ["", "-5", "1.5", "9" * 30])
def test_bad_timestamps_are_payload_errors(value: str) -> None:
    with pytest.raises(PayloadInvalid):
        ms_to_datetime(value)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("7", 7.0), ("Mon, 02 Mar 2026 08:00:30 GMT", 30.0), ("soon", None)],
)
def test_retry_after_as_seconds_or_date(value: str, seconds: float | None) -> None:
    now = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
    response = httpx.Response(503, headers={"Retry-After": value})
    assert retry_after_seconds(response, now) == seconds
    assert retry_after_seconds(httpx.Response(503), now) is None
