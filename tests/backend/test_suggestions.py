"""Suggested replies: relevant guides and past answers (scoped, redacted), canned texts rendered."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from backend.db.models import Role
from tests.backend.factories import BA_DINH, HOAN_KIEM, bearer, create_user, submit

PAST = {
    "drain": (
        "Cống thoát nước ngõ 12 Hàng Bạc bị tắc, mưa xuống nước tràn vào nhà. "
        "Tôi tên là Trần Văn Bình, sđt 0912345678.",
        "Phường đã cử tổ công nhân nạo vét cống ngõ 12 Hàng Bạc, xong trong tuần.",
    ),
    "karaoke": (
        "Quán karaoke phố Hàng Bè hát đến 2 giờ sáng, không ai ngủ được.",
        "Công an phường đã lập biên bản quán karaoke và nhắc nhở giờ giấc.",
    ),
    "power": (
        "Khu phố Hàng Đào mất điện từ sáng đến chiều không có thông báo.",
        "Điện lực cho biết sự cố trạm biến áp đã khắc phục lúc 16 giờ.",
    ),
    "bhyt": (
        "Thẻ bảo hiểm y tế của mẹ tôi sắp hết hạn, gia hạn ở đâu?",
        "Bà có thể gia hạn BHYT hộ gia đình tại UBND phường hoặc trên VssID.",
    ),
}


async def _case_id(client: AsyncTestClient[Any], headers: dict[str, str], code: str) -> int:
    cases = (await client.get("/api/v1/cases", headers=headers)).json()["items"]
    return next(int(c["id"]) for c in cases if c["tracking_code"] == code)


async def _answered(
    client: AsyncTestClient[Any], headers: dict[str, str], commune: str, question: str, answer: str
) -> int:
    receipt = await submit(client, commune, text=question)
    case_id = await _case_id(client, headers, receipt["tracking_code"])
    reply = await client.post(
        f"/api/v1/cases/{case_id}/replies", json={"text": answer, "answer": True}, headers=headers
    )
    assert reply.status_code == 201, reply.text
    return case_id


async def setup(client: AsyncTestClient[Any]) -> tuple[dict[str, str], dict[str, int]]:
    settings = client.app.state.settings
    await create_user(settings, "admin", Role.ADMIN)
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    admin, hk = await bearer(client, "admin"), await bearer(client, "hk")
    ids = {name: await _answered(client, hk, HOAN_KIEM, q, a) for name, (q, a) in PAST.items()}
    # The same problem answered in another commune: outside hk's scope.
    ids["other_drain"] = await _answered(
        client,
        admin,
        BA_DINH,
        "Cống ngõ 12 Hàng Bạc tắc, nước tràn vào nhà dân.",
        "Trả lời của phường Ba Đình.",
    )
    return hk, ids


async def test_past_answers_and_guides_rank_by_relevance(client: AsyncTestClient[Any]) -> None:
    hk, ids = await setup(client)
    receipt = await submit(
        client,
        HOAN_KIEM,
        text="Cong ngo 12 Hang Bac lai tac roi, nuoc tran vao nha, nho phuong xu ly",
    )
    case_id = await _case_id(client, hk, receipt["tracking_code"])
    response = await client.get(f"/api/v1/cases/{case_id}/suggestions", headers=hk)
    assert response.status_code == 200, response.text
    body = response.json()
    past = body["past_answers"]
    assert past[0]["case_id"] == ids["drain"] and "nạo vét" in past[0]["answer"]
    assert all(p["score"] < past[0]["score"] for p in past[1:])
    assert ids["other_drain"] not in [p["case_id"] for p in past]  # out of scope
    assert ids["karaoke"] not in [p["case_id"] for p in past]  # unrelated: below threshold
    assert "0912345678" not in response.text and "Trần Văn Bình" not in response.text

    bhyt = await submit(
        client, HOAN_KIEM, text="Thẻ BHYT cả nhà hết hạn rồi, gia hạn online thế nào?"
    )
    bhyt_id = await _case_id(client, hk, bhyt["tracking_code"])
    body = (await client.get(f"/api/v1/cases/{bhyt_id}/suggestions", headers=hk)).json()
    assert body["guides"][0]["id"] == "bhyt-renewal"
    assert body["guides"][0]["url"] == "/guide.html?id=bhyt-renewal"
    assert body["past_answers"][0]["case_id"] == ids["bhyt"]

    outsider_case = ids["other_drain"]
    assert (
        await client.get(f"/api/v1/cases/{outsider_case}/suggestions", headers=hk)
    ).status_code == 404
    await create_user(client.app.state.settings, "vol", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    volunteer = await bearer(client, "vol")
    assert (
        await client.get(f"/api/v1/cases/{case_id}/suggestions", headers=volunteer)
    ).status_code == 403


async def test_canned_responses_are_rendered_and_admin_managed(
    client: AsyncTestClient[Any],
) -> None:
    settings = client.app.state.settings
    await create_user(settings, "admin", Role.ADMIN)
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    admin, hk = await bearer(client, "admin"), await bearer(client, "hk")
    body = (
        "Kính gửi {ten_cong_dan}, phản ánh mã {ma_theo_doi} đã được UBND {xa_phuong} tiếp nhận. "
        "Dear {name} ({tracking_code}, {commune})."
    )
    created = await client.post(
        "/api/v1/canned-responses", json={"title": "Tiếp nhận", "body": body}, headers=admin
    )
    assert created.status_code == 201, created.text
    topical = await client.post(
        "/api/v1/canned-responses",
        json={"title": "Giao thông", "body": "Về giao thông: {xa_phuong}", "topic": "traffic"},
        headers=admin,
    )
    assert topical.status_code == 201
    # Only admins manage them; unknown variables and topics are refused and change nothing.
    refused = await client.post(
        "/api/v1/canned-responses", json={"title": "x", "body": "y"}, headers=hk
    )
    assert refused.status_code == 403
    bad_variable = await client.post(
        "/api/v1/canned-responses", json={"title": "x", "body": "Chào {ho_ten}"}, headers=admin
    )
    assert bad_variable.status_code == 422 and "ho_ten" in bad_variable.text
    bad_topic = await client.post(
        "/api/v1/canned-responses",
        json={"title": "x", "body": "y", "topic": "weather"},
        headers=admin,
    )
    assert bad_topic.status_code == 422
    assert len((await client.get("/api/v1/canned-responses", headers=hk)).json()) == 2

    receipt = await submit(client, HOAN_KIEM, name="Nguyễn Thị Lan", text="Đèn đường ngõ 5 hỏng.")
    cases = (await client.get("/api/v1/cases", headers=hk)).json()["items"]
    case_id = next(c["id"] for c in cases if c["tracking_code"] == receipt["tracking_code"])
    canned = (await client.get(f"/api/v1/cases/{case_id}/suggestions", headers=hk)).json()["canned"]
    # An unclassified case gets the general texts, not another topic's.
    assert [c["title"] for c in canned] == ["Tiếp nhận"]
    text = canned[0]["text"]
    code = receipt["tracking_code"]
    assert text.startswith(f"Kính gửi Nguyễn Thị Lan, phản ánh mã {code} đã được UBND Phường")
    assert f"Dear Nguyễn Thị Lan ({code}, Phường" in text and "{" not in text

    anonymous = await submit(client, HOAN_KIEM, text="Rác ở chợ không ai thu.")
    cases = (await client.get("/api/v1/cases", headers=hk)).json()["items"]
    anon_id = next(c["id"] for c in cases if c["tracking_code"] == anonymous["tracking_code"])
    canned = (await client.get(f"/api/v1/cases/{anon_id}/suggestions", headers=hk)).json()["canned"]
    assert canned[0]["text"].startswith("Kính gửi ông/bà, phản ánh mã")

    canned_id = created.json()["id"]
    changed = await client.patch(
        f"/api/v1/canned-responses/{canned_id}", json={"title": "Đã nhận"}, headers=admin
    )
    assert changed.status_code == 200 and changed.json()["body"] == body
    bad_change = await client.patch(
        f"/api/v1/canned-responses/{canned_id}", json={"body": "{x}"}, headers=admin
    )
    assert bad_change.status_code == 422
    after = await client.get("/api/v1/canned-responses?topic=traffic", headers=hk)
    assert {c["title"] for c in after.json()} == {"Đã nhận", "Giao thông"}
    assert after.json()[0]["body"] == body or after.json()[1]["body"] == body
    gone = await client.delete(f"/api/v1/canned-responses/{canned_id}", headers=admin)
    assert gone.status_code == 204
    assert (
        await client.delete(f"/api/v1/canned-responses/{canned_id}", headers=admin)
    ).status_code == 404
    assert [
        c["title"] for c in (await client.get("/api/v1/canned-responses", headers=hk)).json()
    ] == ["Giao thông"]
