"""Forwarding across the two tiers: hand-over, the unit's inbox and answer, escalation,
deadlines with an injected clock, reminders once a day, scope and the audit trail."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from backend.accounts.principal import Principal
from backend.db.engine import create_engine, create_session_factory
from backend.db.models import PushSubscriptionRecord, Role
from backend.forwarding.reminders import remind_deadlines
from backend.forwarding.service import ForwardingService
from backend.synthesis.periods import VIETNAM
from tests.backend.conftest import rows
from tests.backend.factories import (
    BA_DINH,
    HOAN_KIEM,
    OTHER_PROVINCE_COMMUNE,
    bearer,
    create_user,
    submit,
)


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


async def setup(client: AsyncTestClient[Any]) -> dict[str, Any]:
    settings = client.app.state.settings
    ids = {
        "hk": await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,)),
        "bd": await create_user(settings, "bd", Role.COMMUNE_STAFF, communes=(BA_DINH,)),
        "hn": await create_user(settings, "hn", Role.PROVINCE_STAFF, province="01"),
        "far": await create_user(
            settings, "far", Role.COMMUNE_STAFF, communes=(OTHER_PROVINCE_COMMUNE,)
        ),
        "admin": await create_user(settings, "admin", Role.ADMIN),
    }
    headers = {name: await bearer(client, name) for name in ids}
    return {"ids": ids, "h": headers}


async def forwarding_count(client: AsyncTestClient[Any]) -> int:
    return int((await rows(client, "SELECT count(*) FROM forwardings"))[0][0])


async def test_forward_answer_reaches_forwarder_and_citizen(client: AsyncTestClient[Any]) -> None:
    env = await setup(client)
    h = env["h"]
    receipt = await submit(client, HOAN_KIEM, text="Cây đổ chắn ngang đường liên phường.")
    forwarded = await client.post(
        "/api/v1/cases/1/forward",
        json={
            "target": {"kind": "commune", "commune_code": BA_DINH},
            "due_at": later(days=2),
            "note": "Cây thuộc địa bàn phường Ba Đình",
        },
        headers=h["hk"],
    )
    assert forwarded.status_code == 201, forwarded.text
    view = forwarded.json()
    assert view["target_name"] == "UBND Phường Ba Đình" and view["deadline"] == "on_time"
    assert view["state"] == "open" and view["forwarded_by"] == env["ids"]["hk"]

    inbox = (await client.get("/api/v1/forwardings", headers=h["bd"])).json()["items"]
    assert [f["id"] for f in inbox] == [view["id"]]
    assert (await client.get("/api/v1/forwardings", headers=h["hk"])).json()["items"] == []
    outgoing = await client.get("/api/v1/forwardings", params={"box": "outgoing"}, headers=h["hk"])
    assert [f["id"] for f in outgoing.json()["items"]] == [view["id"]]
    detail = (await client.get(f"/api/v1/forwardings/{view['id']}", headers=h["bd"])).json()
    assert detail["cases"][0]["tracking_code"] == receipt["tracking_code"]
    assert detail["messages"][0]["text"] == "Cây đổ chắn ngang đường liên phường."
    # The hand-over opens exactly this case to the unit, not the commune's other cases.
    assert (await client.get("/api/v1/cases/1", headers=h["bd"])).status_code == 404

    answer = await client.post(
        f"/api/v1/forwardings/{view['id']}/answer",
        json={"text": "Phường Ba Đình đã cử người dọn cây sáng nay."},
        headers=h["bd"],
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "answered" and answer.json()["deadline"] == "answered"
    await client.app.state.resources.settle()
    on_case = (await client.get("/api/v1/cases/1/forwardings", headers=h["hk"])).json()["items"]
    assert on_case[0]["answer_text"] == "Phường Ba Đình đã cử người dọn cây sáng nay."
    assert on_case[0]["answered_by"] == env["ids"]["bd"]
    case = (await client.get("/api/v1/cases/1", headers=h["hk"])).json()
    assert case["case"]["status"] == "answered"
    assert case["messages"][-1]["author_id"] == env["ids"]["bd"]
    assert case["deliveries"][-1]["state"] == "sent"
    citizen = (
        await client.get(
            f"/api/v1/feedback/{receipt['tracking_code']}",
            headers={"X-Status-Token": receipt["status_token"]},
        )
    ).json()
    assert citizen["messages"][-1]["text"] == "Phường Ba Đình đã cử người dọn cây sáng nay."
    again = await client.post(
        f"/api/v1/forwardings/{view['id']}/answer", json={"text": "Lần hai"}, headers=h["bd"]
    )
    assert again.status_code == 409
    audit = await rows(
        client,
        "SELECT action, object_type, user_id FROM audit_events"
        " WHERE action IN ('case.forward', 'forward.answer', 'case.reply') ORDER BY id",
    )
    assert [tuple(a) for a in audit] == [
        ("case.forward", "case", env["ids"]["hk"]),
        ("case.reply", "case", env["ids"]["bd"]),
        ("forward.answer", "forwarding", env["ids"]["bd"]),
    ]


async def test_scope_and_bad_input_change_nothing(client: AsyncTestClient[Any]) -> None:
    env = await setup(client)
    h = env["h"]
    await submit(client, HOAN_KIEM)
    body = {"target": {"kind": "commune", "commune_code": BA_DINH}, "due_at": later(days=1)}
    # Out of scope: cannot see, so cannot forward.
    assert (
        await client.post("/api/v1/cases/1/forward", json=body, headers=h["bd"])
    ).status_code == 404
    assert (
        await client.post("/api/v1/cases/1/escalate", json={}, headers=h["far"])
    ).status_code == 404
    bad = [
        {**body, "due_at": later(hours=-1)},
        {**body, "due_at": "2030-01-01T10:00:00"},
        {**body, "target": {"kind": "commune", "commune_code": "99999"}},
        {**body, "target": {"kind": "commune"}},
        {**body, "target": {"kind": "department", "department_id": 999}},
        {**body, "target": {"kind": "province", "commune_code": BA_DINH}},
        {**body, "target": {"kind": "ministry"}},
    ]
    for payload in bad:
        response = await client.post("/api/v1/cases/1/forward", json=payload, headers=h["hk"])
        assert response.status_code in (400, 422), (payload, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await forwarding_count(client) == 0
    created = await client.post("/api/v1/cases/1/forward", json=body, headers=h["hk"])
    assert created.status_code == 201
    twice = await client.post("/api/v1/cases/1/forward", json=body, headers=h["hk"])
    assert twice.status_code == 409
    assert await forwarding_count(client) == 1
    fid = created.json()["id"]
    for outsider in ("far", "hn"):  # hn: province staff, but not the receiving unit
        answer = await client.post(
            f"/api/v1/forwardings/{fid}/answer", json={"text": "x"}, headers=h[outsider]
        )
        assert answer.status_code == 404
    assert (await client.get(f"/api/v1/forwardings/{fid}", headers=h["far"])).status_code == 404
    # The forwarder sees the item but answers nothing on the unit's behalf.
    assert (await client.get(f"/api/v1/forwardings/{fid}", headers=h["hk"])).status_code == 200
    answer = await client.post(
        f"/api/v1/forwardings/{fid}/answer", json={"text": "x"}, headers=h["hk"]
    )
    assert answer.status_code == 404
    blank = await client.post(
        f"/api/v1/forwardings/{fid}/answer", json={"text": "   "}, headers=h["bd"]
    )
    assert blank.status_code == 422
    state = await rows(client, "SELECT state FROM forwardings")
    assert [r[0] for r in state] == ["open"]
    assert (
        await client.get("/api/v1/forwardings", params={"box": "x"}, headers=h["hk"])
    ).status_code == 422


async def test_escalation_and_group_to_a_department(client: AsyncTestClient[Any]) -> None:
    env = await setup(client)
    h, ids = env["h"], env["ids"]
    first = await submit(client, HOAN_KIEM, text="Nước sông Tô Lịch bốc mùi hôi thối.")
    second = await submit(client, HOAN_KIEM, text="Sông Tô Lịch hôi quá, đề nghị xử lý.")
    escalated = await client.post(
        "/api/v1/cases/1/escalate", json={"note": "Vượt thẩm quyền phường"}, headers=h["hk"]
    )
    assert escalated.status_code == 201, escalated.text
    view = escalated.json()
    assert view["escalation"] and view["target_kind"] == "province"
    assert view["target_province_code"] == "01"
    due = datetime.fromisoformat(view["due_at"]) - datetime.fromisoformat(view["created_at"])
    assert due == timedelta(days=7)
    incoming = (await client.get("/api/v1/forwardings", headers=h["hn"])).json()["items"]
    assert [f["id"] for f in incoming] == [view["id"]]
    assert (await client.get("/api/v1/forwardings", headers=h["bd"])).json()["items"] == []

    department = await client.post(
        "/api/v1/departments",
        json={"province_code": "01", "code": "so-tnmt", "name": "Sở Tài nguyên và Môi trường"},
        headers=h["hn"],
    )
    assert department.status_code == 201, department.text
    dep_id = department.json()["id"]
    foreign = await client.post(
        "/api/v1/departments",
        json={"province_code": "79", "code": "so-xd", "name": "Sở Xây dựng"},
        headers=h["hn"],
    )
    assert foreign.status_code == 403
    assert (
        await client.put(f"/api/v1/departments/{dep_id}/members/{ids['far']}", headers=h["hk"])
    ).status_code == 403
    member = await client.put(f"/api/v1/departments/{dep_id}/members/{ids['far']}", headers=h["hn"])
    assert member.status_code == 204
    # Put both cases in one group, then forward the group to the department.
    split = await client.post("/api/v1/cases/1/group", json={"group_id": None}, headers=h["hk"])
    group_id = split.json()["id"]
    await client.post("/api/v1/cases/2/group", json={"group_id": group_id}, headers=h["hk"])
    forwarded = await client.post(
        f"/api/v1/groups/{group_id}/forward",
        json={"target": {"kind": "department", "department_id": dep_id}, "due_at": later(days=3)},
        headers=h["hk"],
    )
    assert forwarded.status_code == 201, forwarded.text
    assert forwarded.json()["target_name"] == "Sở Tài nguyên và Môi trường"
    fid = forwarded.json()["id"]
    detail = (await client.get(f"/api/v1/forwardings/{fid}", headers=h["far"])).json()
    assert {c["id"] for c in detail["cases"]} == {1, 2} and detail["group"]["id"] == group_id
    answer = await client.post(
        f"/api/v1/forwardings/{fid}/answer",
        json={"text": "Sở đã lấy mẫu nước và sẽ nạo vét đoạn sông."},
        headers=h["far"],
    )
    assert answer.status_code == 200, answer.text
    await client.app.state.resources.settle()
    for receipt in (first, second):
        citizen = (
            await client.get(
                f"/api/v1/feedback/{receipt['tracking_code']}",
                headers={"X-Status-Token": receipt["status_token"]},
            )
        ).json()
        assert citizen["status"] == "answered"
        assert citizen["messages"][-1]["text"] == "Sở đã lấy mẫu nước và sẽ nạo vét đoạn sông."
    audit = await rows(
        client,
        "SELECT action FROM audit_events WHERE action LIKE '%forward%' OR action LIKE '%escalate%' ORDER BY id",
    )
    assert [a[0] for a in audit] == ["case.escalate", "group.forward", "forward.answer"]


async def test_deadlines_and_daily_reminders_with_an_injected_clock(
    client: AsyncTestClient[Any],
) -> None:
    env = await setup(client)
    h, ids = env["h"], env["ids"]
    await submit(client, HOAN_KIEM)
    # Noon (Vietnam time) two days ahead: the clock's steps below never cross a local midnight.
    due = datetime.combine(datetime.now(VIETNAM).date() + timedelta(days=2), time(12), VIETNAM)
    created = await client.post(
        "/api/v1/cases/1/forward",
        json={"target": {"kind": "commune", "commune_code": BA_DINH}, "due_at": due.isoformat()},
        headers=h["hk"],
    )
    assert created.status_code == 201
    assert (await client.get("/api/v1/forwardings/deadlines", headers=h["bd"])).json()[
        "items"
    ] == []
    for deadline, found in (("on_time", 1), ("due_soon", 0), ("overdue", 0)):
        listed = await client.get(
            "/api/v1/forwardings", params={"deadline": deadline}, headers=h["bd"]
        )
        assert len(listed.json()["items"]) == found, deadline
    bad = await client.get("/api/v1/forwardings", params={"deadline": "late"}, headers=h["bd"])
    assert bad.status_code == 400
    engine = create_engine(client.app.state.settings.database)
    try:
        sessions = create_session_factory(engine)
        async with sessions() as session:
            session.add(
                PushSubscriptionRecord(
                    endpoint="https://fcm.googleapis.com/fcm/send/bd-phone",
                    p256dh="BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
                    auth="tBHItJI5svbpez7KI4CCXg",
                    user_id=ids["bd"],
                    failure_count=0,
                )
            )
            await session.commit()
        bd = Principal(
            user_id=ids["bd"],
            username="bd",
            full_name="",
            role=Role.COMMUNE_STAFF,
            commune_codes=frozenset({BA_DINH}),
        )
        async with sessions() as session:
            service = ForwardingService(session, bd)
            soon = await service.deadlines(now=due - timedelta(hours=12))
            assert [f.deadline for f in soon.items] == ["due_soon"]
            late = await service.find("incoming", None, "overdue", now=due + timedelta(hours=1))
            assert len(late.items) == 1 and late.items[0].deadline == "overdue"
            assert (await service.find("incoming", None, "overdue", now=due)).items == []
        # The job's context on this test's loop (the app's engine lives on the app's loop).
        ctx = replace(client.app.state.resources.jobs, engine=engine, sessions=sessions)
        # Two sweeps the same day remind once; the next day (now overdue) once more.
        day_before = due - timedelta(hours=10)
        assert await remind_deadlines(ctx, now=day_before) == 1
        assert await remind_deadlines(ctx, now=day_before + timedelta(minutes=15)) == 0
        assert await remind_deadlines(ctx, now=due + timedelta(days=1)) == 1
        assert await remind_deadlines(ctx, now=due + timedelta(days=1, hours=1)) == 0
        assert await remind_deadlines(ctx, now=due - timedelta(days=3)) == 0  # not due yet
        reminders = await rows(client, "SELECT kind, recipients FROM forward_reminders ORDER BY id")
        # bd (one subscription) receives; hk, the forwarder, has none: one push each time.
        assert [tuple(r) for r in reminders] == [("due_soon", 1), ("overdue", 1)]
        pushes = await rows(
            client, "SELECT notice FROM deliveries WHERE channel = 'webpush' ORDER BY id"
        )
        notices = [p[0] if isinstance(p[0], dict) else json.loads(p[0]) for p in pushes]
        assert [(n["url"], n["tag"]) for n in notices] == [
            ("/forwarded.html", "forwarding-1"),
            ("/forwarded.html", "forwarding-1"),
        ]
        assert [n["title"] for n in notices] == [
            "Sắp đến hạn / Due soon",
            "Quá hạn xử lý / Overdue",
        ]
        answered = await client.post(
            "/api/v1/forwardings/1/answer", json={"text": "Đã xử lý"}, headers=h["bd"]
        )
        assert answered.status_code == 200
        assert await remind_deadlines(ctx, now=due + timedelta(days=2)) == 0
    finally:
        await engine.dispose()
