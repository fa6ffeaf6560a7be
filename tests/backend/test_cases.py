"""Staff work on cases, and scope isolation on every case endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.db.models import Role
from backend.settings import Settings
from tests.backend.factories import (
    BA_DINH,
    HOAN_KIEM,
    OTHER_PROVINCE_COMMUNE,
    bearer,
    create_user,
    submit,
)


@pytest.fixture
async def staff(client: AsyncTestClient[Any], settings: Settings) -> dict[str, dict[str, str]]:
    """Tokens for one account of each kind: Hoàn Kiếm, Ba Đình, Hà Nội province, admin, volunteer."""
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "hk2", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "bd", Role.COMMUNE_STAFF, communes=(BA_DINH,))
    await create_user(settings, "hn", Role.PROVINCE_STAFF, province="01")
    await create_user(settings, "admin", Role.ADMIN)
    await create_user(settings, "vol", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    return {name: await bearer(client, name) for name in ("hk", "hk2", "bd", "hn", "admin", "vol")}


async def case_ids(
    client: AsyncTestClient[Any], headers: dict[str, str], **params: Any
) -> list[int]:
    response = await client.get("/api/v1/cases", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_lists_are_scoped(
    client: AsyncTestClient[Any], staff: dict[str, dict[str, str]]
) -> None:
    await submit(client, HOAN_KIEM, text="Cống Hàng Bạc tắc")
    await submit(client, BA_DINH, text="Vỉa hè Đội Cấn bị lấn chiếm")
    await submit(client, OTHER_PROVINCE_COMMUNE, text="Đường xã hỏng")
    assert len(await case_ids(client, staff["hk"])) == 1
    assert len(await case_ids(client, staff["bd"])) == 1
    assert len(await case_ids(client, staff["hn"])) == 2
    assert len(await case_ids(client, staff["admin"])) == 3
    # Filtering on a commune outside one's scope finds nothing rather than leaking it.
    assert await case_ids(client, staff["hk"], commune_code=BA_DINH) == []
    page = await client.get("/api/v1/cases", headers=staff["hk"])
    assert page.json()["total"] == 1


async def test_volunteers_have_no_case_inbox(
    client: AsyncTestClient[Any], staff: dict[str, dict[str, str]]
) -> None:
    response = await client.get("/api/v1/cases", headers=staff["vol"])
    assert response.status_code == 403


async def test_every_case_endpoint_hides_other_communes(
    client: AsyncTestClient[Any], staff: dict[str, dict[str, str]]
) -> None:
    await submit(client, BA_DINH)
    (case_id,) = await case_ids(client, staff["bd"])
    outsider = staff["hk"]
    calls = [
        client.get(f"/api/v1/cases/{case_id}", headers=outsider),
        client.patch(
            f"/api/v1/cases/{case_id}/assignee", json={"assignee_id": None}, headers=outsider
        ),
        client.patch(
            f"/api/v1/cases/{case_id}/status", json={"status": "triaged"}, headers=outsider
        ),
        client.post(f"/api/v1/cases/{case_id}/notes", json={"text": "x"}, headers=outsider),
        client.post(f"/api/v1/cases/{case_id}/replies", json={"text": "x"}, headers=outsider),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 404, response.text
    detail = await client.get(f"/api/v1/cases/{case_id}", headers=staff["bd"])
    assert detail.json()["messages"] and not detail.json()["notes"]
    assert detail.json()["case"]["status"] == "new"


async def test_filters_and_accent_insensitive_search(
    client: AsyncTestClient[Any], staff: dict[str, dict[str, str]]
) -> None:
    await submit(client, HOAN_KIEM, text="Cống thoát nước phố Hàng Bạc bị tắc")
    await submit(client, HOAN_KIEM, text="Karaoke hát khuya")
    assert len(await case_ids(client, staff["hk"], q="hang bac")) == 1
    assert len(await case_ids(client, staff["hk"], q="HÀNG BẠC")) == 1
    assert len(await case_ids(client, staff["hk"], status="new", channel="web")) == 2
    assert await case_ids(client, staff["hk"], status="answered") == []
    assert len(await case_ids(client, staff["hk"], page_size=1, page=2)) == 1
    bad = await client.get("/api/v1/cases", headers=staff["hk"], params={"page_size": 1000})
    assert bad.status_code == 400


async def test_assign_status_notes(
    client: AsyncTestClient[Any], settings: Settings, staff: dict[str, dict[str, str]]
) -> None:
    await submit(client, HOAN_KIEM)
    (case_id,) = await case_ids(client, staff["hk"])
    me = (await client.get("/api/v1/auth/me", headers=staff["hk2"])).json()
    assigned = await client.patch(
        f"/api/v1/cases/{case_id}/assignee", json={"assignee_id": me["id"]}, headers=staff["hk"]
    )
    assert assigned.status_code == 200
    assert assigned.json()["assignee_id"] == me["id"] and assigned.json()["status"] == "triaged"
    assert await case_ids(client, staff["hk"], assignee_id=me["id"]) == [case_id]
    bd_id = (await client.get("/api/v1/auth/me", headers=staff["bd"])).json()["id"]
    out_of_scope = await client.patch(
        f"/api/v1/cases/{case_id}/assignee", json={"assignee_id": bd_id}, headers=staff["hk"]
    )
    assert out_of_scope.status_code == 422
    illegal = await client.patch(
        f"/api/v1/cases/{case_id}/status", json={"status": "reopened"}, headers=staff["hk"]
    )
    assert illegal.status_code == 422
    unknown = await client.patch(
        f"/api/v1/cases/{case_id}/status", json={"status": "lost"}, headers=staff["hk"]
    )
    assert unknown.status_code == 400
    note = await client.post(
        f"/api/v1/cases/{case_id}/notes", json={"text": "Đã gọi tổ trưởng"}, headers=staff["hk"]
    )
    assert note.status_code == 201
    detail = (await client.get(f"/api/v1/cases/{case_id}", headers=staff["hk"])).json()
    assert [n["text"] for n in detail["notes"]] == ["Đã gọi tổ trưởng"]
    assert detail["case"]["status"] == "triaged"


async def test_reply_reaches_the_citizen_and_not_resolved_reopens(
    client: AsyncTestClient[Any], staff: dict[str, dict[str, str]], drain: Any
) -> None:
    receipt = await submit(client, HOAN_KIEM)
    (case_id,) = await case_ids(client, staff["hk"])
    reply = await client.post(
        f"/api/v1/cases/{case_id}/replies",
        json={"text": "Phường đã cử người sửa đèn."},
        headers=staff["hk"],
    )
    assert reply.status_code == 201
    await drain()
    detail = (await client.get(f"/api/v1/cases/{case_id}", headers=staff["hk"])).json()
    assert detail["case"]["status"] == "answered"
    assert [d["state"] for d in detail["deliveries"]] == ["sent"]
    assert detail["messages"][-1]["delivery_state"] == "sent"
    citizen = {"X-Status-Token": receipt["status_token"]}
    view = (
        await client.get(f"/api/v1/feedback/{receipt['tracking_code']}", headers=citizen)
    ).json()
    assert view["status"] == "answered"
    assert view["messages"][-1] == {
        **view["messages"][-1],
        "direction": "out",
        "text": "Phường đã cử người sửa đèn.",
    }
    reopened = await client.post(
        f"/api/v1/feedback/{receipt['tracking_code']}/reopen",
        json={"reason": "Đèn vẫn tắt"},
        headers=citizen,
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    assert await case_ids(client, staff["hk"], status="reopened") == [case_id]


async def test_notes_are_never_shown_to_the_citizen(
    client: AsyncTestClient[Any], staff: dict[str, dict[str, str]]
) -> None:
    receipt = await submit(client, HOAN_KIEM)
    (case_id,) = await case_ids(client, staff["hk"])
    await client.post(
        f"/api/v1/cases/{case_id}/notes", json={"text": "nội bộ"}, headers=staff["hk"]
    )
    view = await client.get(
        f"/api/v1/feedback/{receipt['tracking_code']}",
        headers={"X-Status-Token": receipt["status_token"]},
    )
    assert "nội bộ" not in view.text
