"""Pushes end to end against the fake push service (it decrypts each payload, checks VAPID)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.classification.service import ModelCaseClassifier
from backend.db.models import Role
from backend.db.types import utcnow
from backend.deliveries.service import claim
from backend.jobs.sweep import sweep
from backend.push.campaigns import run_if_due
from backend.push.schedule import VIETNAM
from backend.push.service import FOLLOW_UP, add_pushes, user_subscriptions
from backend.settings import Settings
from channels.webpush import PushNotice
from classifiers.predictor import Prediction
from tests.backend.factories import BA_DINH, HOAN_KIEM, bearer, create_user, submit
from tests.backend.push.support import (
    DELIVERIES,
    SUBJECT,
    in_transaction,
    on_app_loop,
    push_rows,
    settle,
    subscribe,
    subscription_count,
)
from tests.channels.fakes.push_service import FakePushService, Scripted


def _jobs(client: AsyncTestClient[Any]) -> Any:
    return client.app.state.resources.jobs


async def _sweep(client: AsyncTestClient[Any]) -> dict[str, int]:
    found: dict[str, int] = await on_app_loop(client, lambda: sweep(_jobs(client)))
    await settle(client)
    return found


async def _case_id(client: AsyncTestClient[Any], headers: dict[str, str]) -> int:
    cases = (await client.get("/api/v1/cases", headers=headers)).json()["items"]
    return int(cases[0]["id"])


async def test_an_answer_is_pushed_to_the_citizen_who_asked(
    push_client: AsyncTestClient[Any], push_settings: Settings, push_service: FakePushService
) -> None:
    await create_user(push_settings, "ward", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    staff = await bearer(push_client, "ward")
    receipt = await submit(push_client)
    code = receipt["tracking_code"]
    phone = await subscribe(
        push_client, push_service, tracking_code=code, status_token=receipt["status_token"]
    )
    case_id = await _case_id(push_client, staff)
    reply = await push_client.post(
        f"/api/v1/cases/{case_id}/replies", json={"text": "Đã sửa đèn."}, headers=staff
    )
    assert reply.status_code == 201, reply.text
    await settle(push_client)
    [received] = push_service.received_by(phone)
    assert received.json() == {
        "title": "Góp ý của bạn đã có trả lời",
        "body": f"Mã theo dõi {code}. Chạm để xem câu trả lời. / Your feedback has an answer.",
        "url": f"/track/{code}",
        "tag": code,
    }
    assert received.headers["ttl"] == str(7 * 24 * 3600)
    assert received.headers["urgency"] == "normal"
    assert received.claims["sub"] == SUBJECT
    detail = (await push_client.get(f"/api/v1/cases/{case_id}", headers=staff)).json()
    pushes = [d for d in detail["deliveries"] if d["channel"] == "webpush"]
    assert [(d["state"], d["message_id"]) for d in pushes] == [("sent", None)]
    web = [d for d in detail["deliveries"] if d["channel"] == "web"]
    assert [d["state"] for d in web] == ["sent"]  # the reply itself is untouched by the push


async def test_assignment_is_pushed_to_the_assignee_once(
    push_client: AsyncTestClient[Any], push_settings: Settings, push_service: FakePushService
) -> None:
    await create_user(push_settings, "boss", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    worker_id = await create_user(
        push_settings, "worker", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,)
    )
    boss, worker = await bearer(push_client, "boss"), await bearer(push_client, "worker")
    their_phone = await subscribe(push_client, push_service, headers=worker)
    boss_phone = await subscribe(push_client, push_service, headers=boss)
    await submit(push_client)
    case_id = await _case_id(push_client, boss)
    for _ in range(2):  # the same assignment again is no news
        response = await push_client.patch(
            f"/api/v1/cases/{case_id}/assignee", json={"assignee_id": worker_id}, headers=boss
        )
        assert response.status_code == 200, response.text
        await settle(push_client)
    [received] = push_service.received_by(their_phone)
    assert received.json()["url"] == f"/case.html?id={case_id}"
    assert received.json()["tag"] == f"case-{case_id}"
    assert push_service.received_by(boss_phone) == []


class _UrgentPredictor:
    version = "stub"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [
            Prediction(
                topic="construction_infrastructure",
                topic_confidence=0.9,
                kind="feedback",
                kind_confidence=0.9,
                urgent=True,
                urgency_confidence=0.9,
                model_version="stub",
            )
            for _ in texts
        ]


class _StubClassifier(ModelCaseClassifier):
    def predictor(self) -> Any:
        return _UrgentPredictor()


async def test_an_urgent_case_is_pushed_to_matching_staff_in_scope(
    push_client: AsyncTestClient[Any], push_settings: Settings, push_service: FakePushService
) -> None:
    accounts = {
        "ward": ((HOAN_KIEM,), None),
        "other_ward": ((BA_DINH,), None),
        "ward_roads": ((HOAN_KIEM,), ["construction_infrastructure"]),
        "ward_health": ((HOAN_KIEM,), ["health"]),
    }
    phones = {}
    for name, (communes, topics) in accounts.items():
        await create_user(push_settings, name, Role.COMMUNE_STAFF, communes=communes)
        prefs = {"topics": topics} if topics else {}
        phones[name] = await subscribe(
            push_client, push_service, headers=await bearer(push_client, name), **prefs
        )
    await create_user(push_settings, "helper", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    volunteer = await subscribe(
        push_client, push_service, headers=await bearer(push_client, "helper")
    )
    await submit(push_client, text="Cây đổ chắn ngang đường, dây điện đứt đang tóe lửa!")
    case_id = await _case_id(push_client, await bearer(push_client, "ward"))
    jobs = _jobs(push_client)

    async def classify() -> int:
        return await _StubClassifier(Path("/nonexistent")).classify(jobs, [case_id])

    assert await on_app_loop(push_client, classify) == 1
    await settle(push_client)
    reached = {name for name, phone in phones.items() if push_service.received_by(phone)}
    assert reached == {"ward", "ward_roads"}
    assert push_service.received_by(volunteer) == []
    received = push_service.received_by(phones["ward"])[0]
    assert received.headers["urgency"] == "high"
    assert received.json()["url"] == f"/case.html?id={case_id}"
    # A second run over the same (now classified) case pushes nothing more.
    assert await on_app_loop(push_client, classify) == 0
    assert len(await push_rows(push_client)) == 2


async def test_campaign_fans_out_and_counts_come_from_the_deliveries(
    push_client: AsyncTestClient[Any], push_settings: Settings, push_service: FakePushService
) -> None:
    await create_user(push_settings, "ward", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    staff = await bearer(push_client, "ward")
    staff_phone = await subscribe(push_client, push_service, headers=staff)
    phones = []
    for index, commune in enumerate((HOAN_KIEM, HOAN_KIEM, HOAN_KIEM, BA_DINH)):
        name = f"helper{index}"
        await create_user(push_settings, name, Role.VOLUNTEER, communes=(commune,))
        phones.append(
            await subscribe(push_client, push_service, headers=await bearer(push_client, name))
        )
    push_service.script(phones[2], Scripted(410))  # this browser unsubscribed meanwhile
    before = await subscription_count(push_client)
    created = await push_client.post(
        "/api/v1/campaigns",
        json={"title": "Gia hạn BHYT", "body": "Hạn cuối 30/11.", "roles": ["volunteer"]},
        headers=staff,
    )
    campaign_id = created.json()["id"]
    preview = await push_client.post(f"/api/v1/campaigns/{campaign_id}/preview", headers=staff)
    assert preview.json()["recipients"] == 3
    sent = await push_client.post(f"/api/v1/campaigns/{campaign_id}/send", headers=staff)
    assert sent.status_code == 200, sent.text
    await settle(push_client)
    assert [len(push_service.received_by(p)) for p in phones] == [1, 1, 1, 0]
    assert push_service.received_by(staff_phone) == []
    first = push_service.received_by(phones[0])[0]
    assert first.json() == {
        "title": "Gia hạn BHYT",
        "body": "Hạn cuối 30/11.",
        "url": "/volunteer.html",
        "tag": f"campaign-{campaign_id}",
    }
    assert first.headers["urgency"] == "low" and first.headers["topic"] == f"campaign-{campaign_id}"
    view = (await push_client.get(f"/api/v1/campaigns/{campaign_id}", headers=staff)).json()
    assert view["state"] == "sent"
    assert view["counts"] == {"recipients": 3, "sent": 2, "delivered": 2, "expired": 1, "failed": 0}
    assert await subscription_count(push_client) == before - 1  # 410 removed it


async def _runs(
    client: AsyncTestClient[Any], campaign_id: int, moments: list[datetime]
) -> list[int]:
    """run_if_due at each moment in turn (the sweeper, as if time had passed)."""

    async def run(conn: AsyncConnection) -> list[int]:
        return [await run_if_due(conn, campaign_id, moment) for moment in moments]

    return await in_transaction(client, run)


def _clock(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M")


async def test_quiet_hours_hold_a_campaign_until_they_end(
    push_client: AsyncTestClient[Any], push_settings: Settings, push_service: FakePushService
) -> None:
    await create_user(push_settings, "ward", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    staff = await bearer(push_client, "ward")
    await create_user(push_settings, "helper", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    phone = await subscribe(push_client, push_service, headers=await bearer(push_client, "helper"))
    now = datetime.now(UTC)
    quiet = {
        "quiet_start": _clock(now - timedelta(hours=1)),
        "quiet_end": _clock(now + timedelta(hours=1)),
    }
    created = await push_client.post(
        "/api/v1/campaigns",
        json={"title": "Họp tổ", "body": "Tối nay 19h.", **quiet},
        headers=staff,
    )
    campaign_id = created.json()["id"]
    sent = await push_client.post(f"/api/v1/campaigns/{campaign_id}/send", headers=staff)
    assert sent.json()["state"] == "scheduled"
    await _sweep(push_client)
    assert push_service.received_by(phone) == [] and await push_rows(push_client) == []
    end_of_quiet = (now + timedelta(hours=1)).replace(second=0, microsecond=0)
    runs = [end_of_quiet - timedelta(minutes=2), end_of_quiet + timedelta(seconds=1)]
    assert await _runs(push_client, campaign_id, runs) == [0, 1]
    await _sweep(push_client)
    assert len(push_service.received_by(phone)) == 1
    view = (await push_client.get(f"/api/v1/campaigns/{campaign_id}", headers=staff)).json()
    assert view["state"] == "sent" and view["counts"]["sent"] == 1


async def test_a_repeating_campaign_runs_every_n_days_until_its_end(
    push_client: AsyncTestClient[Any], push_settings: Settings, push_service: FakePushService
) -> None:
    await create_user(push_settings, "ward", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    staff = await bearer(push_client, "ward")
    await create_user(push_settings, "helper", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    phone = await subscribe(push_client, push_service, headers=await bearer(push_client, "helper"))
    start = datetime.now(UTC) - timedelta(minutes=1)
    created = await push_client.post(
        "/api/v1/campaigns",
        json={
            "title": "Nhắc nộp hồ sơ",
            "body": "Mỗi 2 ngày.",
            "send_at": start.isoformat(),
            "repeat_days": 2,
            "repeat_until": (start + timedelta(days=5)).isoformat(),
        },
        headers=staff,
    )
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    await settle(push_client)  # the first run was due at once
    assert created.json()["state"] == "scheduled"
    assert len(push_service.received_by(phone)) == 1
    # Day 1: not yet; day 2: runs once (not twice); day 4: runs; day 9: past repeat_until.
    days = [1, 2, 2.0001, 4, 9]
    runs = [start + timedelta(days=d, seconds=1) for d in days]
    assert await _runs(push_client, campaign_id, runs) == [0, 1, 0, 1, 0]
    await _sweep(push_client)
    assert len(push_service.received_by(phone)) == 3
    view = (await push_client.get(f"/api/v1/campaigns/{campaign_id}", headers=staff)).json()
    assert view["state"] == "sent" and view["counts"]["sent"] == 3


async def test_a_due_follow_up_is_pushed_to_its_owner_once(
    push_client: AsyncTestClient[Any], push_settings: Settings, push_service: FakePushService
) -> None:
    await create_user(push_settings, "helper", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    await create_user(push_settings, "other", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    mine = await bearer(push_client, "helper")
    phone = await subscribe(push_client, push_service, headers=mine)
    other_phone = await subscribe(
        push_client, push_service, headers=await bearer(push_client, "other")
    )
    soon = await push_client.post(
        "/api/v1/follow-ups",
        json={"note": "Gọi lại bà Lan", "due_at": (utcnow() - timedelta(seconds=1)).isoformat()},
        headers=mine,
    )
    later = await push_client.post(
        "/api/v1/follow-ups",
        json={"note": "Tuần sau", "due_at": (utcnow() + timedelta(days=7)).isoformat()},
        headers=mine,
    )
    assert (await _sweep(push_client))["pushes"] == 1
    assert (await _sweep(push_client))["pushes"] == 0
    [received] = push_service.received_by(phone)
    assert received.json() == {
        "title": "Nhắc việc / Follow-up",
        "body": "Gọi lại bà Lan",
        "url": "/volunteer.html#follow-ups",
        "tag": f"follow-up-{soon.json()['id']}",
    }
    assert push_service.received_by(other_phone) == []
    items = {
        i["id"]: i["state"]
        for i in (await push_client.get("/api/v1/follow-ups", headers=mine)).json()["items"]
    }
    assert items == {soon.json()["id"]: "sent", later.json()["id"]: "pending"}


async def _follow_up_push(client: AsyncTestClient[Any], headers: dict[str, str]) -> None:
    response = await client.post(
        "/api/v1/follow-ups",
        json={"note": "Kiểm tra", "due_at": (utcnow() - timedelta(seconds=1)).isoformat()},
        headers=headers,
    )
    assert response.status_code == 201


async def test_429_is_retried_after_the_retry_after_delay(
    push_client: AsyncTestClient[Any], push_settings: Settings, push_service: FakePushService
) -> None:
    await create_user(push_settings, "helper", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    mine = await bearer(push_client, "helper")
    phone = await subscribe(push_client, push_service, headers=mine)
    push_service.script(phone, Scripted(429, {"Retry-After": "120"}))
    await _follow_up_push(push_client, mine)
    before = utcnow()
    await _sweep(push_client)
    [row] = await push_rows(push_client)
    assert row["state"] == "pending" and row["attempts"] == 1
    assert row["next_attempt_at"] >= before + timedelta(seconds=119)
    await _sweep(push_client)  # not due yet: nothing is sent
    assert len(push_service.received_by(phone)) == 1
    await in_transaction(  # the two minutes pass
        push_client,
        lambda conn: conn.execute(
            update(DELIVERIES).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        ),
    )
    await _sweep(push_client)
    assert len(push_service.received_by(phone)) == 2
    [row] = await push_rows(push_client)
    assert row["state"] == "sent" and row["attempts"] == 2
    assert await subscription_count(push_client) == 1


async def test_a_push_whose_worker_died_is_sent_exactly_once(
    push_client: AsyncTestClient[Any], push_settings: Settings, push_service: FakePushService
) -> None:
    user_id = await create_user(push_settings, "helper", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    phone = await subscribe(push_client, push_service, headers=await bearer(push_client, "helper"))
    jobs = _jobs(push_client)

    async def add(conn: AsyncConnection) -> int:
        ids = await user_subscriptions(conn, [user_id])
        return await add_pushes(conn, ids, PushNotice(title="Nhắc"), FOLLOW_UP)

    assert await in_transaction(push_client, add) == 1  # committed, nobody woken yet...
    [row] = await push_rows(push_client)
    # ...a worker claims it and dies before sending
    assert await in_transaction(push_client, lambda conn: claim(conn, row["id"], 120))
    await on_app_loop(push_client, lambda: jobs.queue.wake("send_pushes"))
    await settle(push_client)  # held by the dead worker's lease: nothing is sent
    assert push_service.received_by(phone) == []
    await in_transaction(  # the lease runs out
        push_client,
        lambda conn: conn.execute(
            update(DELIVERIES).values(claimed_until=utcnow() - timedelta(seconds=1))
        ),
    )
    assert (await _sweep(push_client))["deliveries"] == 1
    await _sweep(push_client)
    assert len(push_service.received_by(phone)) == 1
    [row] = await push_rows(push_client)
    assert row["state"] == "sent" and row["attempts"] == 2
