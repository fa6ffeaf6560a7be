"""Health, readiness, OpenAPI, request limits, rate limiting and settings."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import SettingsError, load_settings
from tests.conftest import make_settings


async def test_health_ready_and_schema(client: AsyncTestClient[Any], backend_name: str) -> None:
    assert (await client.get("/health")).json() == {"status": "ok", "checks": {}}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    expected = (
        {"database": "ok", "redis": "ok"} if backend_name == "postgres" else {"database": "ok"}
    )
    assert ready.json()["checks"] == expected
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    # The plain ASGI intake handler is documented like the Litestar routes.
    submit = schema.json()["paths"]["/api/v1/feedback"]["post"]
    body = submit["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/FeedbackCreate"}
    assert {"201", "200", "400", "413", "422", "429"} <= set(submit["responses"])
    assert "commune_code" in schema.json()["components"]["schemas"]["FeedbackCreate"]["properties"]


async def test_readiness_reports_a_dead_redis(database_url: str) -> None:
    settings = make_settings(database_url, "redis://127.0.0.1:1/0")
    async with AsyncTestClient(create_app(settings)) as client:
        ready = await client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"].startswith("error")


async def test_public_endpoints_are_rate_limited_per_client(database_url: str) -> None:
    settings = make_settings(database_url, TIENGDAN_RATE_LIMIT_PER_MINUTE="3")
    async with AsyncTestClient(create_app(settings)) as client:
        codes = [(await client.get("/api/v1/provinces")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
    async with AsyncTestClient(create_app(settings)) as client:  # the intake too (plain ASGI)
        feedback = {"text": "Đèn đường hỏng", "commune_code": "00070"}
        posts = [await client.post("/api/v1/feedback", json=feedback) for _ in range(4)]
        assert [r.status_code for r in posts] == [201, 201, 201, 429]
        assert (await client.get("/health")).status_code == 200  # not a public endpoint


async def test_communes_reference_and_search(client: AsyncTestClient[Any]) -> None:
    provinces = (await client.get("/api/v1/provinces")).json()
    assert len(provinces) == 34
    everything = (await client.get("/api/v1/communes")).json()
    assert len(everything) == 3321
    found = (await client.get("/api/v1/communes", params={"q": "hoan kiem"})).json()
    assert [c["code"] for c in found] == ["00070"]
    bad = await client.get("/api/v1/communes", params={"province": "x"})
    assert bad.status_code == 400


def test_settings_refuse_placeholder_secrets_in_production() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings({"TIENGDAN_ENV": "prod"})
    with pytest.raises(SettingsError, match="integer"):
        load_settings({"TIENGDAN_PORT": "eighty"})
    with pytest.raises(SettingsError, match="TIENGDAN_ENV"):
        load_settings({"TIENGDAN_ENV": "staging"})
    prod = load_settings(
        {
            "TIENGDAN_ENV": "prod",
            "TIENGDAN_SECRET_KEY": "k" * 40,
            "DATABASE_URL": "postgres://db/x",
            "TIENGDAN_PUSH_ENABLED": "false",
        }
    )
    assert prod.database.url == "postgresql+asyncpg://db/x"
    assert prod.auth.cookie_secure is True
    assert prod.worker.in_process is True  # no Redis configured: jobs stay in-process


async def test_pwa_is_served_with_its_tracking_route(client: AsyncTestClient[Any]) -> None:
    index = await client.get("/")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    track = await client.get("/track/ABCDE-FGHIJ")
    assert track.status_code == 200 and "<html" in track.text
    assert (await client.get("/no-such-file.js")).status_code == 404
