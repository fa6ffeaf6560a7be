"""gzip for the PWA and the JSON API (the commune list is the big one), never for the SSE stream."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient


async def test_large_answers_are_gzipped(client: AsyncTestClient[Any]) -> None:
    # gzip first: the response cache must not hand its compressed copy to a plain client.
    zipped = await client.get("/api/v1/communes", headers={"Accept-Encoding": "gzip"})
    plain = await client.get("/api/v1/communes", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == zipped.status_code == 200
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(plain.content) / 4
    assert zipped.json() == plain.json()  # httpx decoded it: the same 3,321 communes
    page = await client.get("/feedback.html", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"


async def test_small_answers_and_excluded_paths_stay_plain(client: AsyncTestClient[Any]) -> None:
    health = await client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in health.headers
    events = await client.get("/api/v1/events", headers={"Accept-Encoding": "gzip"})
    assert events.status_code == 401 and "content-encoding" not in events.headers
