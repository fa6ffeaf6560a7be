"""Open311 GeoReport v2: every answer checked against the spec's JSON schemas (tests/backend/
open311_schemas) or parsed as XML; every error path answers the spec's error array."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from backend.app import create_app
from backend.db.engine import create_engine
from backend.db.models import Role
from classifiers.labels import TOPICS
from tests.backend.factories import BA_DINH, HOAN_KIEM, bearer, create_user, submit
from tests.conftest import make_settings

SCHEMAS = Path(__file__).parent / "open311_schemas"
BASE = "/open311/v2"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def check(name: str, body: Any) -> Any:
    """Validate a JSON answer against one of the GeoReport v2 schemas."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(body)
    return body


def xml(response: Any) -> ET.Element:
    assert response.headers["content-type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own server's answer


async def issue_key(client: AsyncTestClient[Any], name: str = "city-app") -> str:
    settings = client.app.state.settings
    await create_user(settings, "admin311", Role.ADMIN)
    headers = await bearer(client, "admin311")
    response = await client.post("/api/v1/admin/api-keys", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


def request_form(key: str, **fields: str) -> str:
    body = {
        "api_key": key,
        "jurisdiction_id": HOAN_KIEM,
        "service_code": "construction_infrastructure",
        "lat": "21.0285",
        "long": "105.8542",
        "description": "Cống ngõ 12 Hàng Bạc tắc, nước tràn vào nhà. Tôi tên là Trần Văn Bình, "
        "sđt 0912345678, nhà tôi ở số 8 ngõ 12.",
        "first_name": "Bình",
        "last_name": "Trần",
        "email": "binh@example.com",
        "attribute[kind]": "feedback",
        **fields,
    }
    return urlencode({k: v for k, v in body.items() if v is not None})


async def post(client: AsyncTestClient[Any], body: str, fmt: str = "json", **headers: str) -> Any:
    return await client.post(f"{BASE}/requests.{fmt}", content=body, headers={**FORM, **headers})


async def count_cases(client: AsyncTestClient[Any]) -> int:
    engine = create_engine(client.app.state.settings.database)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM cases"))).scalar_one())
    finally:
        await engine.dispose()


async def test_discovery_services_and_definitions(client: AsyncTestClient[Any]) -> None:
    discovery = await client.get(f"{BASE}/discovery.json")
    assert discovery.status_code == 200
    check("discovery", discovery.json())
    assert discovery.json()["endpoints"][0]["url"].endswith("/open311/v2")
    root = xml(await client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    formats = [f.text for f in root.findall("endpoints/endpoint/formats/format")]
    assert formats == ["text/xml", "application/json"]

    services = await client.get(f"{BASE}/services.json", params={"jurisdiction_id": HOAN_KIEM})
    check("services", services.json())
    assert [s["service_code"] for s in services.json()] == list(TOPICS)
    assert {s["group"] for s in services.json()} >= {"Khác", "Văn hóa – xã hội"}
    root = xml(await client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == 13
    first = root.find("service")
    assert first is not None
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("service_name") == "Đất đai" and first.findtext("metadata") == "true"

    definition = await client.get(f"{BASE}/services/environment.json")
    check("service_definition", definition.json())
    kind = definition.json()["attributes"][0]
    assert kind["code"] == "kind" and {v["key"] for v in kind["values"]} >= {"complaint"}
    root = xml(await client.get(f"{BASE}/services/environment.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "environment"
    keys = [v.findtext("key") for v in root.findall("attributes/attribute/values/value")]
    assert "denunciation" in keys


async def test_submit_and_read_back_an_ordinary_case(client: AsyncTestClient[Any]) -> None:
    key = await issue_key(client)
    created = await post(client, request_form(key, **{"attribute[hamlet]": "Tổ 5"}))
    assert created.status_code == 201, created.text
    check("request_created", created.json())
    request_id, token = created.json()[0]["service_request_id"], created.json()[0]["token"]

    # The request is an ordinary case on the "open311" channel, in the staff inbox.
    await create_user(client.app.state.settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    staff = await bearer(client, "hk")
    cases = (await client.get("/api/v1/cases", params={"channel": "open311"}, headers=staff)).json()
    assert cases["total"] == 1 and str(cases["items"][0]["id"]) == request_id
    assert cases["items"][0]["commune_code"] == HOAN_KIEM

    one = await client.get(f"{BASE}/requests/{request_id}.json")
    item = check("requests", one.json())[0]
    assert item["status"] == "open" and item["service_code"] == "construction_infrastructure"
    assert item["lat"] == 21.0285 and item["agency_responsible"].startswith("UBND ")
    assert item["requested_datetime"].endswith("Z")
    # Personal data never leaves through the keyless read API.
    exposed = one.text
    for secret in ("Trần Văn Bình", "0912345678", "binh@example.com", "số 8 ngõ 12"):
        assert secret not in exposed
    assert "Hàng Bạc" in item["description"]

    root = xml(await client.get(f"{BASE}/requests/{request_id}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == request_id
    assert root.findtext("request/status") == "open"
    assert root.find("request/expected_datetime") is not None

    tokens = await client.get(f"{BASE}/tokens/{token}.json")
    assert check("tokens", tokens.json()) == [{"service_request_id": request_id, "token": token}]
    root = xml(await client.get(f"{BASE}/tokens/{token}.xml"))
    assert root.findtext("request/service_request_id") == request_id

    # Staff answer the case: the request is closed and carries the (redacted) status notes.
    reply = await client.post(
        f"/api/v1/cases/{request_id}/replies",
        json={"text": "Phường đã nạo vét cống, cảm ơn anh Trần Văn Bình.", "answer": True},
        headers=staff,
    )
    assert reply.status_code == 201, reply.text
    item = check("requests", (await client.get(f"{BASE}/requests/{request_id}.json")).json())[0]
    assert item["status"] == "closed" and "nạo vét" in item["status_notes"]
    assert "Trần Văn Bình" not in item["status_notes"]
    # The reply is "delivered" like a web reply: the client reads it back from GET requests.
    await client.app.state.resources.settle()
    detail = (await client.get(f"/api/v1/cases/{request_id}", headers=staff)).json()
    assert [d["state"] for d in detail["deliveries"]] == ["sent"]


async def test_post_is_idempotent(client: AsyncTestClient[Any]) -> None:
    key = await issue_key(client)
    body = request_form(key)
    first = await post(client, body)
    again = await post(client, body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    keyed = [await post(client, request_form(key), "xml", **{"Idempotency-Key": "k-1"})]
    keyed.append(await post(client, request_form(key), "json", **{"Idempotency-Key": "k-1"}))
    root = xml(keyed[0])
    assert root.findtext("request/service_request_id") == keyed[1].json()[0]["service_request_id"]
    assert root.findtext("request/service_request_id") != first.json()[0]["service_request_id"]
    assert await count_cases(client) == 2
    listed = check("requests", (await client.get(f"{BASE}/requests.json")).json())
    assert len(listed) == 2


async def test_query_filters_and_paging(client: AsyncTestClient[Any]) -> None:
    key = await issue_key(client)
    ids = []
    for service_code, commune in (
        ("environment", HOAN_KIEM),
        ("traffic", HOAN_KIEM),
        ("environment", BA_DINH),
    ):
        response = await post(
            client,
            request_form(
                key,
                service_code=service_code,
                jurisdiction_id=commune,
                description=f"{service_code} ở {commune}",
                lat=None,
                long=None,
                address_string="Ngõ 5 Hàng Bạc",
            ),
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()[0]["service_request_id"])
    await submit(client)  # a citizen's web case: never an Open311 request

    async def query(**params: str) -> list[str]:
        response = await client.get(f"{BASE}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in check("requests", response.json())]

    assert await query() == ids[::-1]
    assert await query(service_code="environment") == [ids[2], ids[0]]
    assert await query(service_code="environment,traffic", jurisdiction_id=HOAN_KIEM) == [
        ids[1],
        ids[0],
    ]
    assert await query(service_request_id=f"{ids[0]},{ids[2]}", service_code="traffic") == [
        ids[2],
        ids[0],
    ]
    assert await query(status="open") == ids[::-1]
    assert await query(status="closed") == []
    assert await query(status="open,closed", page_size="2") == [ids[2], ids[1]]
    assert await query(page="2", page_size="2") == [ids[0]]
    assert await query(start_date="2020-01-01T00:00:00Z", end_date="2020-02-01T00:00:00Z") == []
    assert await query(start_date="2020-01-01T00:00:00Z") == []  # 90 days from then
    assert await query(end_date="2099-01-01T00:00:00+07:00") == []  # the 90 days before
    root = xml(await client.get(f"{BASE}/requests.xml", params={"service_code": "traffic"}))
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [ids[1]]
    assert root.findtext("request/address") == "Ngõ 5 Hàng Bạc"
    assert root.findtext("request/lat") == ""  # an empty element for a null


async def _error(response: Any, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    if response.headers["content-type"].startswith("text/xml"):
        root = xml(response)
        assert root.tag == "errors"
        codes = [e.findtext("code") for e in root.findall("error")]
        assert codes and all(code == str(status) for code in codes)
        text_ = " ".join(e.findtext("description") or "" for e in root.findall("error"))
    else:
        body = check("errors", response.json())
        assert all(e["code"] == status for e in body)
        text_ = " ".join(e["description"] for e in body)
    assert fragment in text_, text_


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_post_errors_change_nothing(client: AsyncTestClient[Any], fmt: str) -> None:
    key = await issue_key(client)
    cases = [
        (request_form(key, api_key=None), 403, "api_key is required"),
        (request_form("td311_wrong"), 403, "api_key is invalid"),
        (request_form(key, jurisdiction_id=None), 400, "jurisdiction_id"),
        (request_form(key, jurisdiction_id="99999"), 404, "99999"),
        (request_form(key, service_code=None), 400, "service_code is required"),
        (request_form(key, service_code="potholes"), 404, "potholes"),
        (request_form(key, lat=None, long=None), 400, "a location is required"),
        (request_form(key, lat="north"), 400, "lat must be"),
        (request_form(key, long="200"), 400, "long must be"),
        (request_form(key, long=""), 400, "lat and long go together"),
        (request_form(key, description="x" * 4001), 400, "at most 4000"),
        (request_form(key, description="<b>cống</b> tắc"), 400, "without HTML"),
        (request_form(key, media_url="ftp://x/y.jpg"), 400, "media_url"),
        (request_form(key, **{"attribute[kind]": "rumour"}), 400, "attribute[kind]"),
        (request_form(key, **{"attribute[color]": "red"}), 400, "not in the service"),
        (request_form(key, email="not-an-email"), 400, "invalid field"),
    ]
    for body, status, fragment in cases:
        await _error(await post(client, body, fmt), status, fragment)
    # Several problems are all reported, each as its own error.
    response = await post(client, request_form(key, lat="x", description="<p>"), "json")
    assert len(check("errors", response.json())) == 2
    wrong_type = await client.post(
        f"{BASE}/requests.{fmt}",
        content=json.dumps({"api_key": key}),
        headers={"Content-Type": "application/json"},
    )
    await _error(wrong_type, 400, "x-www-form-urlencoded")
    await _error(await post(client, request_form(key), "csv"), 400, ".json or .xml")
    await _error(await post(client, request_form(key), "services"), 400, ".json or .xml")
    await _error(
        await client.post(f"{BASE}/services.{fmt}", content=request_form(key), headers=FORM),
        404,
        "POST",
    )
    assert await count_cases(client) == 0


async def test_revoked_key_and_admin_only_keys(client: AsyncTestClient[Any]) -> None:
    key = await issue_key(client)
    admin = await bearer(client, "admin311")
    listed = (await client.get("/api/v1/admin/api-keys", headers=admin)).json()
    assert listed[0]["prefix"] == key[:12] and "key" not in listed[0]
    engine = create_engine(client.app.state.settings.database)
    try:
        async with engine.connect() as conn:
            stored = (await conn.execute(text("SELECT key_hash FROM api_keys"))).scalar_one()
    finally:
        await engine.dispose()
    assert stored == hashlib.sha256(key.encode()).hexdigest() and key not in stored
    await create_user(client.app.state.settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    staff = await bearer(client, "hk")
    denied = await client.post("/api/v1/admin/api-keys", json={"name": "x"}, headers=staff)
    assert denied.status_code == 403
    revoked = await client.post(f"/api/v1/admin/api-keys/{listed[0]['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    await _error(await post(client, request_form(key)), 403, "api_key is invalid")
    assert await count_cases(client) == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_read_errors(client: AsyncTestClient[Any], fmt: str) -> None:
    web_case = await submit(client)
    del web_case
    get = client.get
    await _error(await get(f"{BASE}/services"), 400, ".json or .xml")
    await _error(await get(f"{BASE}/reports.{fmt}"), 404, "no resource")
    await _error(await get(f"{BASE}/services.{fmt}?jurisdiction_id=12"), 404, "12")
    await _error(await get(f"{BASE}/services/potholes.{fmt}"), 404, "potholes")
    await _error(await get(f"{BASE}/requests/1.{fmt}"), 404, "not found")  # a web case
    await _error(await get(f"{BASE}/requests/abc.{fmt}"), 404, "not found")
    await _error(await get(f"{BASE}/tokens/NOPE.{fmt}"), 404, "NOPE")
    bad_queries = [
        ({"status": "pending"}, 400, "status must be"),
        ({"start_date": "yesterday"}, 400, "W3C"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2025-01-01T00:00:00Z"}, 400, "before"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, 400, "90"),
        ({"page": "0"}, 400, "page must be"),
        ({"page_size": "1001"}, 400, "page_size"),
        ({"page": "one"}, 400, "whole numbers"),
        ({"service_code": "potholes"}, 404, "potholes"),
        ({"service_request_id": "1;DROP"}, 400, "service_request_id"),
        ({"jurisdiction_id": "00000"}, 404, "00000"),
    ]
    for params, status, fragment in bad_queries:
        await _error(await get(f"{BASE}/requests.{fmt}", params=params), status, fragment)
    # The staff API's OpenAPI schema still generates (Open311 routes are left out of it).
    schema = await get("/schema/openapi.json")
    assert schema.status_code == 200
    assert not any(p.startswith("/open311") for p in schema.json()["paths"])


async def test_key_from_the_command_line_and_rate_limit(database_url: str) -> None:
    from click.testing import CliRunner

    from backend.cli import main

    settings = make_settings(database_url, TIENGDAN_RATE_LIMIT_PER_MINUTE="3")
    runner = CliRunner()
    made = await asyncio.to_thread(
        runner.invoke,
        main,
        ["create-api-key", "--name", "cli-client"],
        env={"DATABASE_URL": database_url, "TIENGDAN_ENV": "test"},
    )
    assert made.exit_code == 0, made.output
    key = made.output.split()[-1]
    assert key.startswith("td311_")
    async with AsyncTestClient(create_app(settings)) as client:
        created = await post(client, request_form(key))
        assert created.status_code == 201, created.text
        codes = [(await client.get(f"{BASE}/services.json")).status_code for _ in range(3)]
        assert codes[-1] == 429  # the same per-client limit as the other public endpoints
        await _error(await client.get(f"{BASE}/services.xml"), 429, "")
