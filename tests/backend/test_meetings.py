"""Voter meetings: entry, idempotent resends, scope, minutes import, and the synthesis count."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import Workbook

from backend.db.models import Role
from backend.synthesis.periods import VIETNAM
from tests.backend.conftest import rows
from tests.backend.factories import BA_DINH, HOAN_KIEM, bearer, create_user, submit

TODAY = date.today() - timedelta(days=1)  # yesterday in any time zone the suite runs in
OPINIONS = [
    {
        "speaker": "Ông Nguyễn Văn An",
        "text": "Cống thoát nước ngõ 12 Hàng Bạc bị tắc, mưa là nước tràn vào nhà dân.",
    },
    {"text": "Quán karaoke phố Hàng Bè hát đến 2 giờ sáng, đề nghị phường xử lý."},
]


def meeting_body(key: str = "meeting-key-0001", **extra: Any) -> dict[str, Any]:
    return {
        "client_key": key,
        "held_on": TODAY.isoformat(),
        "place": "Nhà văn hoá tổ dân phố 5",
        "commune_code": HOAN_KIEM,
        "organizer": "Ban Thường trực UBMTTQ phường Hoàn Kiếm",
        "attendance": 85,
        "delegates": ["Đại biểu Trần Thị Bình", "Đại biểu Lê Văn Cường"],
        "opinions": OPINIONS,
        **extra,
    }


async def users(client: AsyncTestClient[Any]) -> dict[str, dict[str, str]]:
    settings = client.app.state.settings
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "bd", Role.COMMUNE_STAFF, communes=(BA_DINH,))
    await create_user(settings, "tnv", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    await create_user(settings, "hn", Role.PROVINCE_STAFF, province="01")
    return {name: await bearer(client, name) for name in ("hk", "bd", "tnv", "hn")}


async def counts(client: AsyncTestClient[Any]) -> tuple[int, int, int, int]:
    found = await rows(
        client,
        "SELECT (SELECT count(*) FROM meetings), (SELECT count(*) FROM meeting_opinions),"
        " (SELECT count(*) FROM cases WHERE channel = 'meeting'),"
        " (SELECT count(*) FROM messages WHERE channel = 'meeting' AND direction = 'in')",
    )
    return tuple(found[0])  # type: ignore[return-value]


async def test_meeting_opens_a_case_per_opinion_once(client: AsyncTestClient[Any]) -> None:
    staff = await users(client)
    first = await client.post("/api/v1/meetings", json=meeting_body(), headers=staff["tnv"])
    assert first.status_code == 201, first.text
    detail = first.json()
    assert detail["meeting"]["attendance"] == 85 and detail["meeting"]["opinions"] == 2
    assert [o["speaker"] for o in detail["opinions"]] == ["Ông Nguyễn Văn An", None]
    assert all(o["tracking_code"] and o["status"] == "new" for o in detail["opinions"])
    # The PWA outbox resends after a lost answer: the same meeting, no second case.
    again = await client.post("/api/v1/meetings", json=meeting_body(), headers=staff["tnv"])
    assert again.status_code == 200 and again.json() == detail
    assert await counts(client) == (1, 2, 2, 2)
    case_id = detail["opinions"][0]["case_id"]
    case = (await client.get(f"/api/v1/cases/{case_id}", headers=staff["hk"])).json()
    assert case["case"]["channel"] == "meeting" and case["case"]["commune_code"] == HOAN_KIEM
    assert case["messages"][0]["text"] == OPINIONS[0]["text"]
    # The answer to an opinion is shown on its status page (the organiser reads it out).
    reply = await client.post(
        f"/api/v1/cases/{case_id}/replies",
        json={"text": "Phường sẽ nạo vét cống."},
        headers=staff["hk"],
    )
    assert reply.status_code == 201
    await client.app.state.resources.settle()
    delivered = (await client.get(f"/api/v1/cases/{case_id}", headers=staff["hk"])).json()
    assert [d["state"] for d in delivered["deliveries"]] == ["sent"]
    audit = await rows(
        client, "SELECT action, object_id FROM audit_events WHERE object_type = 'meeting'"
    )
    assert [tuple(a) for a in audit] == [("meeting.create", str(detail["meeting"]["id"]))]

    more = {"client_key": "batch-key-0002", "opinions": [{"text": "Đèn đường ngõ 5 hỏng."}]}
    url = f"/api/v1/meetings/{detail['meeting']['id']}/opinions"
    added = await client.post(url, json=more, headers=staff["hk"])
    assert added.status_code == 201 and added.json()["opinions"][-1]["position"] == 3
    assert (await client.post(url, json=more, headers=staff["hk"])).status_code == 200
    assert await counts(client) == (1, 3, 3, 3)


async def test_concurrent_resends_store_one_meeting(client: AsyncTestClient[Any]) -> None:
    staff = await users(client)
    sent = await asyncio.gather(
        *[
            client.post("/api/v1/meetings", json=meeting_body("same-key-0042"), headers=staff["hk"])
            for _ in range(4)
        ]
    )
    assert sorted(r.status_code for r in sent) == [200, 200, 200, 201]
    assert len({r.json()["meeting"]["id"] for r in sent}) == 1
    assert await counts(client) == (1, 2, 2, 2)


async def test_meeting_scope(client: AsyncTestClient[Any]) -> None:
    staff = await users(client)
    out_of_scope = await client.post("/api/v1/meetings", json=meeting_body(), headers=staff["bd"])
    assert out_of_scope.status_code == 403
    assert await counts(client) == (0, 0, 0, 0)
    created = await client.post("/api/v1/meetings", json=meeting_body(), headers=staff["hk"])
    meeting_id = created.json()["meeting"]["id"]
    assert (
        await client.get(f"/api/v1/meetings/{meeting_id}", headers=staff["bd"])
    ).status_code == 404
    assert (await client.get("/api/v1/meetings", headers=staff["bd"])).json()["total"] == 0
    assert (await client.get("/api/v1/meetings", headers=staff["hn"])).json()["total"] == 1
    more = {"client_key": "batch-key-0003", "opinions": [{"text": "Ý kiến thêm"}]}
    sneaky = await client.post(
        f"/api/v1/meetings/{meeting_id}/opinions", json=more, headers=staff["bd"]
    )
    assert sneaky.status_code == 404
    # Reusing another scope's key does not reveal or touch that meeting.
    reused = await client.post("/api/v1/meetings", json=meeting_body(), headers=staff["bd"])
    assert reused.status_code == 403
    assert (await client.get("/api/v1/meetings")).status_code == 401
    assert await counts(client) == (1, 2, 2, 2)


async def test_meeting_bad_input_changes_nothing(client: AsyncTestClient[Any]) -> None:
    staff = await users(client)
    future = (date.today() + timedelta(days=3)).isoformat()
    bad_bodies = [
        meeting_body(held_on=future),
        meeting_body(commune_code="99999"),
        meeting_body(opinions=[{"text": "   "}]),
        meeting_body(attendance=-1),
        meeting_body(client_key="short"),
        meeting_body(opinions=[{"text": "x", "mood": "angry"}]),
    ]
    for body in bad_bodies:
        response = await client.post("/api/v1/meetings", json=body, headers=staff["hk"])
        assert response.status_code in (400, 422), (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await counts(client) == (0, 0, 0, 0)


CSV_HEADER = "Ngày,Địa điểm,Mã xã,Chủ trì,Số cử tri,Đại biểu,Người phát biểu,Ý kiến\n"


def csv_minutes(*lines: str) -> bytes:
    return (CSV_HEADER + "".join(line + "\n" for line in lines)).encode()


GOOD_ROWS = (
    f"{TODAY:%d/%m/%Y},Nhà văn hoá TDP 5,{HOAN_KIEM},MTTQ phường,60,Đại biểu A; Đại biểu B,"
    "Bà Hoa,Đường ngõ 8 xuống cấp nhiều ổ gà",
    f"{TODAY:%d/%m/%Y},Nhà văn hoá TDP 5,{HOAN_KIEM},MTTQ phường,60,,,Chợ cóc lấn chiếm vỉa hè",
    f"{TODAY.isoformat()},Hội trường phường,{HOAN_KIEM},UBND phường,40,,Ông Tâm,"
    "Đề nghị lắp thêm đèn đường",
)


async def upload(
    client: AsyncTestClient[Any], headers: dict[str, str], name: str, content: bytes
) -> Any:
    return await client.post(
        "/api/v1/meetings/import", files={"file": (name, content)}, headers=headers
    )


async def test_import_csv_is_idempotent(client: AsyncTestClient[Any]) -> None:
    staff = await users(client)
    content = csv_minutes(*GOOD_ROWS)
    first = await upload(client, staff["hk"], "bien-ban.csv", content)
    assert first.status_code == 201, first.text
    result = first.json()
    assert result["rows"] == 3 and result["created_opinions"] == 3
    assert [m["opinions"] for m in result["meetings"]] == [2, 1]
    assert result["meetings"][0]["delegates"] == ["Đại biểu A", "Đại biểu B"]
    assert result["meetings"][0]["source"] == "import"
    again = await upload(client, staff["hk"], "bien-ban.csv", content)
    assert again.status_code == 200 and again.json()["created_opinions"] == 0
    assert await counts(client) == (2, 3, 3, 3)
    # A corrected file with one more row adds only that row.
    extra = f"{TODAY:%d/%m/%Y},Nhà văn hoá TDP 5,{HOAN_KIEM},MTTQ phường,60,,,Thiếu thùng rác"
    grown = await upload(client, staff["hk"], "bien-ban.csv", csv_minutes(*GOOD_ROWS, extra))
    assert grown.status_code == 201 and grown.json()["created_opinions"] == 1
    assert await counts(client) == (2, 4, 4, 4)


async def test_import_rejects_the_whole_file_with_row_errors(client: AsyncTestClient[Any]) -> None:
    staff = await users(client)
    bad = csv_minutes(
        GOOD_ROWS[0],
        f"32/13/2025,Nhà văn hoá,{HOAN_KIEM},MTTQ,60,,,Ý kiến",
        f"{TODAY.isoformat()},Nhà văn hoá,{BA_DINH},MTTQ,abc,,,Ý kiến",
        f"{TODAY.isoformat()},,{HOAN_KIEM},MTTQ,1,,,",
    )
    response = await upload(client, staff["hk"], "bien-ban.csv", bad)
    assert response.status_code == 422
    errors = {(e["row"], e["column"]) for e in response.json()["errors"]}
    assert errors == {
        (3, "date"),
        (4, "attendance"),
        (4, "commune_code"),
        (5, "place"),
        (5, "opinion"),
    }
    assert await counts(client) == (0, 0, 0, 0)
    no_header = await upload(client, staff["hk"], "x.csv", b"a,b,c\n1,2,3\n")
    assert no_header.status_code == 422 and "opinion" in no_header.json()["detail"]
    wrong_type = await upload(client, staff["hk"], "minutes.pdf", b"%PDF-1.4")
    assert wrong_type.status_code == 422
    broken = await upload(client, staff["hk"], "minutes.xlsx", b"not a zip")
    assert broken.status_code == 422
    assert await counts(client) == (0, 0, 0, 0)


async def test_import_xlsx_with_date_cells(client: AsyncTestClient[Any]) -> None:
    staff = await users(client)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "place", "commune_code", "organizer", "speaker", "opinion"])
    sheet.append([TODAY, "Nhà văn hoá", HOAN_KIEM, "MTTQ", "Ông Ba", "Nước sinh hoạt đục"])
    sheet.append([TODAY, "Nhà văn hoá", HOAN_KIEM, "MTTQ", None, "Trường học thiếu bảo vệ"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = await upload(client, staff["tnv"], "minutes.xlsx", buffer.getvalue())
    assert response.status_code == 201, response.text
    assert response.json()["created_opinions"] == 2
    assert (await upload(client, staff["tnv"], "m.xlsx", buffer.getvalue())).status_code == 200
    assert await counts(client) == (1, 2, 2, 2)


async def test_meeting_opinions_count_in_the_synthesis(
    classifying_client: AsyncTestClient[Any],
) -> None:
    client = classifying_client
    staff = await users(client)
    await submit(client, HOAN_KIEM, text="Cống ngõ 12 Hàng Bạc tắc, nước tràn vào nhà.")
    body = meeting_body(held_on=datetime.now(VIETNAM).date().isoformat())
    created = await client.post("/api/v1/meetings", json=body, headers=staff["hk"])
    assert created.status_code == 201
    await client.app.state.resources.settle()
    detail = (
        await client.get(f"/api/v1/meetings/{created.json()['meeting']['id']}", headers=staff["hk"])
    ).json()
    topics = [o["topic"] for o in detail["opinions"]]
    assert topics == ["construction_infrastructure", "security_order"]
    trends = (
        await client.get("/api/v1/stats/trends", params={"period": "week"}, headers=staff["hk"])
    ).json()
    current = {s["topic"]: s["current"] for s in trends["series"]}
    # One web case and one meeting opinion about the drain; one meeting opinion on karaoke.
    assert current == {"construction_infrastructure": 2, "security_order": 1}
    groups = (await client.get("/api/v1/groups", headers=staff["hk"])).json()["items"]
    drain = next(g for g in groups if g["topic"] == "construction_infrastructure")
    group = (await client.get(f"/api/v1/groups/{drain['id']}", headers=staff["hk"])).json()
    assert group["channels"] == {"web": 1, "meeting": 1}
