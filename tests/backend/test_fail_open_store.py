"""The rate limiter's Redis store fails open: an unreachable Redis reads as empty, writes nothing."""

from __future__ import annotations

import logging

import pytest

from backend.stores import redis_store


async def test_an_unreachable_redis_reads_empty_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = redis_store("redis://127.0.0.1:1/0", namespace="rl")  # nothing listens on port 1
    try:
        with caplog.at_level(logging.WARNING, logger="backend.stores"):
            await store.set("client", b"3", expires_in=60)
            assert await store.get("client") is None
            assert await store.exists("client") is False
            assert await store.expires_in("client") is None
            await store.delete("client")
            await store.delete_all()
        warnings = [r for r in caplog.records if "failing open" in r.getMessage()]
        assert len(warnings) == 1  # not one per request
    finally:
        await store.close()
