"""Web intake: accept durably, idempotently; refuse bad input without changing anything."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from backend.db.engine import create_engine
from backend.db.models import Case, Contact, Message
from backend.settings import Settings
from tests.backend.factories import HOAN_KIEM, submit


async def count_of(settings: Settings, *models: Any) -> list[int]:
    engine = create_engine(settings.database)
    async with engine.connect() as conn:
        found = [
            (await conn.execute(select(func.count()).select_from(model))).scalar_one()
            for model in models
        ]
    await engine.dispose()
    return found


async def count_rows(settings: Settings) -> tuple[int, int]:
    cases, messages = await count_of(settings, Case, Message)
    return cases, messages


async def test_submit_returns_tracking_code_and_token_after_commit(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    response = await client.post(
        "/api/v1/feedback",
        json={"text": "  Cống ngõ 12 Hàng Bạc tắc, nước tràn vào nhà. ", "commune_code": HOAN_KIEM},
    )
    assert response.status_code == 201
    body = response.json()
    assert len(body["tracking_code"]) == 11 and body["tracking_code"][5] == "-"
    assert len(body["status_token"]) == 32
    assert body["status"] == "new"
    assert body["status_url"].endswith(f"/track/{body['tracking_code']}#{body['status_token']}")
    assert await count_rows(settings) == (1, 1)
    view = await client.get(
        f"/api/v1/feedback/{body['tracking_code']}",
        headers={"X-Status-Token": body["status_token"]},
    )
    assert view.status_code == 200
    assert view.json()["messages"][0]["text"] == "Cống ngõ 12 Hàng Bạc tắc, nước tràn vào nhà."
    assert view.json()["commune_name"] == "Phường Hoàn Kiếm"


async def test_same_idempotency_key_returns_the_same_case(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    body = {
        "text": "Rác không được thu gom",
        "commune_code": HOAN_KIEM,
        "idempotency_key": "abc-12345",
    }
    first = await client.post("/api/v1/feedback", json=body)
    again = await client.post("/api/v1/feedback", json=body)
    by_header = await client.post(
        "/api/v1/feedback",
        json={"text": "Rác không được thu gom", "commune_code": HOAN_KIEM},
        headers={"Idempotency-Key": "abc-12345"},
    )
    assert first.status_code == 201
    assert again.status_code == by_header.status_code == 200
    assert again.json() == first.json() == by_header.json()
    assert await count_rows(settings) == (1, 1)


async def test_a_retry_with_contact_details_keeps_one_contact(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    body = {
        "text": "Đèn đường hỏng",
        "commune_code": HOAN_KIEM,
        "name": "Trần Thị Hoa",
        "phone": "0912345678",
        "consent": True,
        "idempotency_key": "with-contact-1",
    }
    first = await client.post("/api/v1/feedback", json=body)
    again = await client.post("/api/v1/feedback", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert await count_of(settings, Case, Message, Contact) == [1, 1, 1]


async def test_concurrent_duplicates_create_one_case(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    body = {"text": "Đường sụt lún", "commune_code": HOAN_KIEM, "idempotency_key": "same-key-777"}
    responses = await asyncio.gather(
        *(client.post("/api/v1/feedback", json=body) for _ in range(8))
    )
    codes = {r.json()["tracking_code"] for r in responses}
    assert len(codes) == 1
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert await count_rows(settings) == (1, 1)


async def test_many_concurrent_submissions_are_all_committed(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/v1/feedback", json={"text": f"ý kiến số {i}", "commune_code": HOAN_KIEM}
            )
            for i in range(60)
        )
    )
    assert all(r.status_code == 201 for r in responses)
    assert len({r.json()["tracking_code"] for r in responses}) == 60
    assert await count_rows(settings) == (60, 60)
    committer = client.app.state.resources.committer
    assert committer.items == 60


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"commune_code": HOAN_KIEM}, "text"),
        ({"text": "", "commune_code": HOAN_KIEM}, "text"),
        ({"text": "   ", "commune_code": HOAN_KIEM}, "blank"),
        ({"text": "x" * 5001, "commune_code": HOAN_KIEM}, "text"),
        ({"text": "ok", "commune_code": "99999"}, "unknown commune"),
        ({"text": "ok", "commune_code": "abc"}, "commune_code"),
        ({"text": "ok", "commune_code": HOAN_KIEM, "phone": "0912345678"}, "consent"),
        (
            {"text": "ok", "commune_code": HOAN_KIEM, "email": "not-an-email", "consent": True},
            "email",
        ),
        ({"text": "ok", "commune_code": HOAN_KIEM, "surprise": 1}, "surprise"),
    ],
)
async def test_bad_input_gets_a_clear_error_and_changes_nothing(
    client: AsyncTestClient[Any], settings: Settings, body: dict[str, Any], fragment: str
) -> None:
    response = await client.post("/api/v1/feedback", json=body)
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert fragment in response.text
    assert await count_rows(settings) == (0, 0)


async def test_malformed_json_and_oversized_body_are_refused(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    malformed = await client.post(
        "/api/v1/feedback", content=b'{"text": "ok", ', headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    huge = await client.post(
        "/api/v1/feedback",
        content=b'{"text": "' + b"a" * 70_000 + b'", "commune_code": "00070"}',
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert await count_rows(settings) == (0, 0)


async def test_contact_details_with_consent_are_kept(client: AsyncTestClient[Any]) -> None:
    body = await submit(
        client, name="Nguyễn Văn An", phone="0912 345 678", email="an@example.vn", consent=True
    )
    assert body["tracking_code"]


async def test_status_needs_the_right_token(client: AsyncTestClient[Any]) -> None:
    body = await submit(client)
    code = body["tracking_code"]
    for headers in ({}, {"X-Status-Token": "0" * 32}):
        response = await client.get(f"/api/v1/feedback/{code}", headers=headers)
        assert response.status_code == 404
    unknown = await client.get(
        "/api/v1/feedback/AAAAA-BBBBB", headers={"X-Status-Token": body["status_token"]}
    )
    assert unknown.status_code == 404
    by_query = await client.get(f"/api/v1/feedback/{code}", params={"token": body["status_token"]})
    assert by_query.status_code == 200


async def test_follow_up_is_added_once_per_key(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    body = await submit(client)
    headers = {"X-Status-Token": body["status_token"]}
    url = f"/api/v1/feedback/{body['tracking_code']}/messages"
    for _ in range(2):
        response = await client.post(
            url, json={"text": "Vẫn chưa sửa", "idempotency_key": "follow-1"}, headers=headers
        )
        assert response.status_code == 201
    assert [m["text"] for m in response.json()["messages"]] == [
        "Đèn đường ngõ 5 hỏng ba hôm nay.",
        "Vẫn chưa sửa",
    ]
    wrong = await client.post(url, json={"text": "x"}, headers={"X-Status-Token": "nope"})
    assert wrong.status_code == 404
    assert await count_rows(settings) == (1, 2)


async def test_reopen_needs_an_answered_case(client: AsyncTestClient[Any]) -> None:
    body = await submit(client)
    response = await client.post(
        f"/api/v1/feedback/{body['tracking_code']}/reopen",
        json={"reason": "chưa sửa"},
        headers={"X-Status-Token": body["status_token"]},
    )
    assert response.status_code == 422
    assert "answered" in response.json()["detail"]
