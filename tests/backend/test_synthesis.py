"""Dashboard statistics and the synthesis report: right numbers, right scope, readable exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from docx import Document
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from backend.db.models import Role
from backend.db.types import utcnow
from tests.backend.factories import (
    BA_DINH,
    HOAN_KIEM,
    OTHER_PROVINCE_COMMUNE,
    bearer,
    create_user,
    submit,
)

HK_TEXTS = [
    "Cống thoát nước đầu ngõ 12 Hàng Bạc bị tắc, mưa xuống là nước tràn vào nhà dân.",
    "Cống ở ngõ 12 Hàng Bạc lại tắc rồi, nước tràn vào nhà. Tôi tên là Trần Văn Bình, sđt 0912345678.",
    "Đề nghị phường nạo vét cống ngõ 12 Hàng Bạc, nước thải tràn lên đường.",
    "Mặt đường ngõ 12 Hàng Bạc sụt lún, cống vỡ, nước tràn khắp ngõ.",
    "Cống thoát nước ngõ 12 Hàng Bạc tắc nghẽn nhiều ngày, bốc mùi và tràn nước.",
]
BD_TEXT = "Quán karaoke phố Đội Cấn hát đến 2 giờ sáng, không ai ngủ được. Bí mật Ba Đình."


async def setup(client: AsyncTestClient[Any]) -> dict[str, dict[str, str]]:
    settings = client.app.state.settings
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "hn", Role.PROVINCE_STAFF, province="01")
    for text in HK_TEXTS:
        await submit(client, HOAN_KIEM, text=text)
    await submit(client, BA_DINH, text=BD_TEXT)
    await client.app.state.resources.settle()
    return {"hk": await bearer(client, "hk"), "hn": await bearer(client, "hn")}


async def test_trends_spikes_and_scope(classifying_client: AsyncTestClient[Any]) -> None:
    client = classifying_client
    staff = await setup(client)
    hk = (
        await client.get(
            "/api/v1/stats/trends", params={"period": "week", "periods": 4}, headers=staff["hk"]
        )
    ).json()
    assert len(hk["buckets"]) == 4
    assert sum(s["current"] for s in hk["series"]) == 5
    assert all(s["counts"][:3] == [0, 0, 0] for s in hk["series"])
    province = (await client.get("/api/v1/stats/trends", headers=staff["hn"])).json()
    assert sum(s["current"] for s in province["series"]) == 6
    table = (await client.get("/api/v1/stats/communes", headers=staff["hk"])).json()
    assert {row["commune_code"] for row in table} == {HOAN_KIEM}
    for case_id in range(1, 6):  # staff confirm the topic where the model hesitated
        await client.patch(
            f"/api/v1/cases/{case_id}/classification",
            json={"topic": "construction_infrastructure"},
            headers=staff["hk"],
        )
    spikes = (await client.get("/api/v1/stats/spikes", headers=staff["hk"])).json()
    assert {
        "kind": "topic",
        "key": "construction_infrastructure",
        "current": 5,
        "baseline": 0.0,
    }.items() <= spikes[0].items()
    bad = await client.get("/api/v1/stats/trends", params={"period": "year"}, headers=staff["hk"])
    assert bad.status_code == 400
    assert (await client.get("/api/v1/stats/trends")).status_code == 401


async def test_response_metrics_and_coverage(classifying_client: AsyncTestClient[Any]) -> None:
    client = classifying_client
    staff = await setup(client)
    await client.post(
        "/api/v1/cases/1/replies", json={"text": "Đã tiếp nhận."}, headers=staff["hk"]
    )
    overdue = (utcnow() - timedelta(days=1)).isoformat()
    await client.patch(
        "/api/v1/cases/2/assignee",
        json={"assignee_id": None, "due_at": overdue},
        headers=staff["hk"],
    )
    metrics = (await client.get("/api/v1/stats/response", headers=staff["hk"])).json()
    assert metrics[0]["key"] == "all" and metrics[0]["cases"] == 5 and metrics[0]["answered"] == 1
    assert metrics[0]["median_first_response_hours"] is not None
    by_topic = (
        await client.get("/api/v1/stats/response", params={"by": "topic"}, headers=staff["hk"])
    ).json()
    assert sum(m["cases"] for m in by_topic) == 5
    coverage = (await client.get("/api/v1/stats/coverage", headers=staff["hn"])).json()
    colours = {c["commune_code"]: c["status"] for c in coverage}
    assert colours == {HOAN_KIEM: "yellow", BA_DINH: "green"}  # 1 of 5 overdue = 20 % > 10 %


async def test_report_exports_are_readable_redacted_and_scoped(
    classifying_client: AsyncTestClient[Any],
) -> None:
    client = classifying_client
    staff = await setup(client)
    report = (await client.get("/api/v1/reports/synthesis", headers=staff["hk"])).json()
    assert report["total_cases"] == 5
    assert sum(t["cases"] for t in report["topics"]) == 5
    assert {g["status"] for t in report["topics"] for g in t["groups"]} == {"Chưa trả lời"}
    text_of_everything = str(report)
    assert "0912345678" not in text_of_everything and "Trần Văn Bình" not in text_of_everything
    assert "Bí mật Ba Đình" not in text_of_everything

    csv_file = await client.get(
        "/api/v1/reports/synthesis", params={"format": "csv"}, headers=staff["hk"]
    )
    assert csv_file.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert rows[0] == ["Báo cáo tổng hợp ý kiến, kiến nghị của cử tri và nhân dân"]
    assert rows[2][:3] == ["Lĩnh vực", "Nhóm vấn đề", "Số ý kiến"]
    assert sum(int(r[2]) for r in rows[3:]) == 5

    xlsx = await client.get(
        "/api/v1/reports/synthesis", params={"format": "xlsx"}, headers=staff["hk"]
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert (
        sheet["A3"].value == "Lĩnh vực"
        and sum(r[2] for r in sheet.iter_rows(min_row=4, values_only=True)) == 5
    )

    docx = await client.get(
        "/api/v1/reports/synthesis", params={"format": "docx"}, headers=staff["hk"]
    )
    paragraphs = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert paragraphs[0] == "Báo cáo tổng hợp ý kiến, kiến nghị của cử tri và nhân dân"
    assert any("Tổng số ý kiến, kiến nghị: 5." in p for p in paragraphs)
    assert not any("0912345678" in p for p in paragraphs)

    province = (await client.get("/api/v1/reports/synthesis", headers=staff["hn"])).json()
    assert province["total_cases"] == 6
    bad = await client.get(
        "/api/v1/reports/synthesis", params={"format": "pdf"}, headers=staff["hk"]
    )
    assert bad.status_code == 400


async def test_a_province_filter_narrows_the_scope_and_never_widens_it(
    classifying_client: AsyncTestClient[Any],
) -> None:
    client = classifying_client
    staff = await setup(client)
    await create_user(client.app.state.settings, "admin", Role.ADMIN)
    admin = await bearer(client, "admin")
    hanoi, saigon = {"province_code": "01"}, {"province_code": "79"}

    async def get(name: str, params: dict[str, str], headers: dict[str, str]) -> Any:
        response = await client.get(f"/api/v1/stats/{name}", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    trends = await get("trends", hanoi, admin)
    assert sum(s["current"] for s in trends["series"]) == 6
    assert (await get("trends", saigon, admin))["series"] == []
    coverage = await get("coverage", hanoi, admin)
    assert {row["commune_code"] for row in coverage} == {HOAN_KIEM, BA_DINH}
    assert await get("coverage", saigon, admin) == []
    assert sum(m["cases"] for m in await get("response", {**hanoi, "by": "topic"}, admin)) == 6
    assert await get("spikes", saigon, admin) == []
    # Staff asking for another province see nothing; their own stays theirs.
    assert await get("communes", saigon, staff["hn"]) == []
    assert (await get("trends", saigon, staff["hn"]))["series"] == []
    assert await get("response", saigon, staff["hk"]) == []
    in_hanoi = await get("communes", hanoi, staff["hk"])
    assert {row["commune_code"] for row in in_hanoi} == {HOAN_KIEM}
    unknown = await client.get(
        "/api/v1/stats/spikes", params={"province_code": "99"}, headers=admin
    )
    assert unknown.status_code == 422 and "province" in unknown.text


async def test_the_country_by_province(classifying_client: AsyncTestClient[Any]) -> None:
    """The national view: topic table, response and coverage per province, each scoped."""
    client = classifying_client
    staff = await setup(client)
    await create_user(client.app.state.settings, "admin", Role.ADMIN)
    admin = await bearer(client, "admin")
    await submit(client, OTHER_PROVINCE_COMMUNE, text="Đèn đường khu phố 3 hỏng cả tháng nay.")
    await client.app.state.resources.settle()
    overdue = (utcnow() - timedelta(days=1)).isoformat()
    await client.patch(
        "/api/v1/cases/2/assignee",
        json={"assignee_id": None, "due_at": overdue},
        headers=staff["hk"],
    )

    async def get(path: str, headers: dict[str, str], **params: str) -> Any:
        response = await client.get(f"/api/v1/stats/{path}", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    def per_province(rows: list[dict[str, Any]]) -> dict[str, int]:
        found: dict[str, int] = {}
        for row in rows:
            found[row["province_code"]] = found.get(row["province_code"], 0) + row["current"]
        return found

    assert per_province(await get("provinces", admin)) == {"01": 6, "79": 1}
    assert per_province(await get("provinces", admin, province_code="79")) == {"79": 1}
    assert per_province(await get("provinces", staff["hn"])) == {"01": 6}
    assert per_province(await get("provinces", staff["hk"])) == {"01": 5}  # their ward only
    assert await get("provinces", staff["hn"], province_code="79") == []

    response = await get("response", admin, by="province")
    assert {(m["key"], m["cases"]) for m in response} == {("01", 6), ("79", 1)}
    assert [m["key"] for m in await get("response", staff["hn"], by="province")] == ["01"]

    coverage = await get("coverage/provinces", admin)
    assert [(c["province_code"], c["cases"], c["overdue"], c["status"]) for c in coverage] == [
        ("01", 6, 1, "yellow"),  # 1 of 6 overdue: 17 % > 10 %
        ("79", 1, 0, "green"),
    ]
    assert coverage[0]["province_name"] == "Thành phố Hà Nội"
    assert [c["province_code"] for c in await get("coverage/provinces", staff["hk"])] == ["01"]
    assert (await get("coverage/provinces", staff["hk"]))[0]["cases"] == 5
    assert await get("coverage/provinces", staff["hn"], province_code="79") == []
    assert (await client.get("/api/v1/stats/coverage/provinces")).status_code == 401
    backwards = {"received_from": utcnow().isoformat(), "received_to": overdue}
    for path, params, status in (
        ("coverage/provinces", backwards, 422),
        ("coverage/provinces", {"province_code": "99"}, 422),
        ("provinces", {"period": "year"}, 400),
        ("response", {"by": "district"}, 400),
    ):
        bad = await client.get(f"/api/v1/stats/{path}", params=params, headers=admin)
        assert bad.status_code == status, (path, params, bad.text)
    assert per_province(await get("provinces", admin)) == {"01": 6, "79": 1}  # nothing changed
