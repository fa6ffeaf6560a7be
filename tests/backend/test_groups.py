"""Issue groups: what staff see, merge and split, one answer for the whole group. Scoped."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from backend.db.models import Role
from tests.backend.factories import BA_DINH, HOAN_KIEM, bearer, create_user, submit

DRAIN = [
    "Cống thoát nước đầu ngõ 12 Hàng Bạc bị tắc, mưa xuống là nước tràn vào nhà dân.",
    "Cống ở ngõ 12 Hàng Bạc lại tắc rồi, nước tràn vào nhà, mọi người ơi.",
    "Đề nghị phường nạo vét cống ngõ 12 Hàng Bạc, nước thải tràn lên đường. Tôi tên là Trần Văn Bình, sđt 0912345678.",
]


async def setup_groups(client: AsyncTestClient[Any]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    settings = client.app.state.settings
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "bd", Role.COMMUNE_STAFF, communes=(BA_DINH,))
    receipts = [await submit(client, HOAN_KIEM, text=text) for text in DRAIN]
    receipts.append(
        await submit(
            client,
            HOAN_KIEM,
            text="Quán karaoke phố Hàng Bè hát đến 2 giờ sáng, không ai ngủ được.",
        )
    )
    await client.app.state.resources.settle()
    return await bearer(client, "hk"), receipts


async def test_group_detail_answer_and_scope(classifying_client: AsyncTestClient[Any]) -> None:
    client = classifying_client
    hk, receipts = await setup_groups(client)
    groups = (await client.get("/api/v1/groups", headers=hk)).json()
    assert groups["total"] == 2
    biggest = groups["items"][0]
    assert biggest["size"] == 3 and biggest["topic"] == "construction_infrastructure"
    detail = (await client.get(f"/api/v1/groups/{biggest['id']}", headers=hk)).json()
    assert detail["citizens"] == 3 and detail["channels"] == {"web": 3}
    assert any("hàng bạc" in k.lower() or "cống" in k.lower() for k in detail["keywords"])
    assert detail["quotes"] and all(
        "0912345678" not in q and "Trần Văn Bình" not in q for q in detail["quotes"]
    )
    outsider = await bearer(client, "bd")
    assert (
        await client.get(f"/api/v1/groups/{biggest['id']}", headers=outsider)
    ).status_code == 404
    assert (await client.get("/api/v1/groups", headers=outsider)).json()["total"] == 0
    answer = await client.post(
        f"/api/v1/groups/{biggest['id']}/answer",
        json={"text": "Phường sẽ nạo vét cống ngõ 12 trong tuần này."},
        headers=hk,
    )
    assert answer.status_code == 201 and len(answer.json()["answered_cases"]) == 3
    await client.app.state.resources.settle()
    for receipt in receipts[:3]:
        view = (
            await client.get(
                f"/api/v1/feedback/{receipt['tracking_code']}",
                headers={"X-Status-Token": receipt["status_token"]},
            )
        ).json()
        assert view["status"] == "answered"
        assert view["messages"][-1]["text"] == "Phường sẽ nạo vét cống ngõ 12 trong tuần này."


async def test_split_move_and_merge(classifying_client: AsyncTestClient[Any]) -> None:
    client = classifying_client
    hk, _ = await setup_groups(client)
    groups = (await client.get("/api/v1/groups", headers=hk)).json()["items"]
    drain_group, karaoke_group = groups[0]["id"], groups[1]["id"]
    split = await client.post("/api/v1/cases/3/group", json={"group_id": None}, headers=hk)
    assert split.status_code == 200 and split.json()["size"] == 1
    new_group = split.json()["id"]
    sizes = {
        g["id"]: g["size"] for g in (await client.get("/api/v1/groups", headers=hk)).json()["items"]
    }
    assert sizes[drain_group] == 2 and sizes[new_group] == 1
    merged = await client.post(
        f"/api/v1/groups/{drain_group}/merge", json={"other_group_id": new_group}, headers=hk
    )
    assert merged.status_code == 200 and merged.json()["size"] == 3
    other_topic = await client.post(
        f"/api/v1/groups/{drain_group}/merge", json={"other_group_id": karaoke_group}, headers=hk
    )
    assert other_topic.status_code == 422
    itself = await client.post(
        f"/api/v1/groups/{drain_group}/merge", json={"other_group_id": drain_group}, headers=hk
    )
    assert itself.status_code == 422
    statuses = {
        g["id"]: g["status"]
        for g in (await client.get("/api/v1/groups", headers=hk)).json()["items"]
    }
    assert statuses[new_group] == "merged"
