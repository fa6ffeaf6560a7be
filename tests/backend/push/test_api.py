"""Push, campaign and follow-up endpoints: happy paths, bad input (nothing changes), scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

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
from tests.backend.push.support import KEYS, subscription_count, subscription_json
from tests.channels.fakes.push_service import FakePushService


async def test_key_is_the_configured_public_key(push_client: AsyncTestClient[Any]) -> None:
    response = await push_client.get("/api/v1/push/key")
    assert response.status_code == 200
    assert response.json() == {"public_key": KEYS.application_server_key()}


async def test_without_vapid_configuration_push_is_503(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/v1/push/key")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    receipt = await submit(client)
    browser = FakePushService().subscribe(KEYS.application_server_key())
    body = {
        "subscription": subscription_json(browser),
        "tracking_code": receipt["tracking_code"],
        "status_token": receipt["status_token"],
    }
    refused = await client.post("/api/v1/push/subscriptions", json=body)
    assert refused.status_code == 503
    assert await subscription_count(client) == 0


async def test_citizen_subscribes_with_tracking_code_and_token(
    push_client: AsyncTestClient[Any], push_service: FakePushService
) -> None:
    receipt = await submit(push_client)
    browser = push_service.subscribe(KEYS.application_server_key())
    body = {
        "subscription": subscription_json(browser),
        "tracking_code": receipt["tracking_code"],
        "status_token": receipt["status_token"],
    }
    first = await push_client.post("/api/v1/push/subscriptions", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["endpoint"] == browser.endpoint
    again = await push_client.post("/api/v1/push/subscriptions", json=body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert await subscription_count(push_client) == 1

    gone = await push_client.request(
        "DELETE", "/api/v1/push/subscriptions", json={"endpoint": browser.endpoint}
    )
    assert gone.status_code == 204
    assert await subscription_count(push_client) == 0
    unknown = await push_client.request(
        "DELETE", "/api/v1/push/subscriptions", json={"endpoint": "https://fcm.googleapis.com/x"}
    )
    assert unknown.status_code == 204


async def test_bad_subscriptions_are_refused_and_store_nothing(
    push_client: AsyncTestClient[Any], push_service: FakePushService
) -> None:
    receipt = await submit(push_client)
    browser = subscription_json(push_service.subscribe(KEYS.application_server_key()))
    owner = {"tracking_code": receipt["tracking_code"], "status_token": receipt["status_token"]}
    cases: list[tuple[dict[str, Any], int]] = [
        ({"subscription": browser}, 401),  # anonymous without a token
        ({"subscription": browser, "tracking_code": receipt["tracking_code"]}, 422),
        ({"subscription": browser, **owner, "status_token": "wrong"}, 404),
        ({"subscription": {**browser, "endpoint": "https://evil.example/push/1"}, **owner}, 422),
        ({"subscription": {**browser, "endpoint": "http://10.0.0.1/push/1"}, **owner}, 422),
        (
            {"subscription": {**browser, "keys": {"p256dh": "AAAA", "auth": "BBBB"}}, **owner},
            422,
        ),
        ({"subscription": {"endpoint": browser["endpoint"]}, **owner}, 400),
        ({"subscription": browser, **owner, "extra": 1}, 400),
    ]
    for body, status in cases:
        response = await push_client.post("/api/v1/push/subscriptions", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await subscription_count(push_client) == 0


async def test_staff_preferences_must_be_in_scope(
    push_client: AsyncTestClient[Any], push_settings: Settings, push_service: FakePushService
) -> None:
    await create_user(push_settings, "ward", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    headers = await bearer(push_client, "ward")
    browser = subscription_json(push_service.subscribe(KEYS.application_server_key()))
    outside = await push_client.post(
        "/api/v1/push/subscriptions",
        json={"subscription": browser, "communes": [BA_DINH]},
        headers=headers,
    )
    assert outside.status_code == 422 and BA_DINH in outside.json()["detail"]
    unknown = await push_client.post(
        "/api/v1/push/subscriptions",
        json={"subscription": browser, "communes": ["99999"]},
        headers=headers,
    )
    assert unknown.status_code == 422 and "unknown communes: 99999" in unknown.json()["detail"]
    bad_topic = await push_client.post(
        "/api/v1/push/subscriptions",
        json={"subscription": browser, "topics": ["no-such-topic"]},
        headers=headers,
    )
    assert bad_topic.status_code == 422
    assert await subscription_count(push_client) == 0
    ok = await push_client.post(
        "/api/v1/push/subscriptions",
        json={"subscription": browser, "communes": [HOAN_KIEM], "topics": ["environment"]},
        headers=headers,
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["communes"] == [HOAN_KIEM] and ok.json()["topics"] == ["environment"]


def _campaign(**fields: Any) -> dict[str, Any]:
    return {"title": "Gia hạn BHYT", "body": "Hạn cuối 30/11: hỗ trợ người dân gia hạn.", **fields}


async def test_campaign_lifecycle_and_views(
    push_client: AsyncTestClient[Any], push_settings: Settings
) -> None:
    await create_user(push_settings, "ward", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    headers = await bearer(push_client, "ward")
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    draft = await push_client.post("/api/v1/campaigns", json=_campaign(), headers=headers)
    assert draft.status_code == 201, draft.text
    campaign = draft.json()
    assert campaign["state"] == "draft" and campaign["communes"] == [HOAN_KIEM]
    assert campaign["counts"] == {
        "recipients": 0,
        "sent": 0,
        "delivered": 0,
        "expired": 0,
        "failed": 0,
    }
    scheduled = await push_client.post(
        "/api/v1/campaigns", json=_campaign(send_at=later, url="/guides/bhyt.html"), headers=headers
    )
    assert scheduled.json()["state"] == "scheduled"
    listed = await push_client.get("/api/v1/campaigns", headers=headers)
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()["items"]] == [scheduled.json()["id"], campaign["id"]]
    one = await push_client.get(f"/api/v1/campaigns/{campaign['id']}", headers=headers)
    assert one.json()["title"] == "Gia hạn BHYT"
    preview = await push_client.post(
        f"/api/v1/campaigns/{scheduled.json()['id']}/preview", headers=headers
    )
    assert preview.status_code == 200
    assert preview.json() == {
        "recipients": 0,
        "notice": {
            "title": "Gia hạn BHYT",
            "body": "Hạn cuối 30/11: hỗ trợ người dân gia hạn.",
            "url": "/guides/bhyt.html",
            "tag": f"campaign-{scheduled.json()['id']}",
        },
    }
    cancelled = await push_client.post(
        f"/api/v1/campaigns/{scheduled.json()['id']}/cancel", headers=headers
    )
    assert cancelled.json()["state"] == "cancelled"
    refused = await push_client.post(
        f"/api/v1/campaigns/{scheduled.json()['id']}/send", headers=headers
    )
    assert refused.status_code == 409
    sent = await push_client.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=headers)
    assert sent.status_code == 200 and sent.json()["state"] == "sent"  # nobody subscribed yet


async def test_campaign_bad_input_and_scope_change_nothing(
    push_client: AsyncTestClient[Any], push_settings: Settings
) -> None:
    await create_user(push_settings, "ward", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(push_settings, "province", Role.PROVINCE_STAFF, province="01")
    await create_user(push_settings, "helper", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    ward = await bearer(push_client, "ward")
    province = await bearer(push_client, "province")
    naive = datetime.now().replace(microsecond=0).isoformat()
    bad: list[tuple[dict[str, str], dict[str, Any], int]] = [
        (ward, _campaign(communes=[BA_DINH]), 422),  # outside the ward's scope
        (province, _campaign(communes=[OTHER_PROVINCE_COMMUNE]), 422),  # another province
        (ward, _campaign(communes=["99999"]), 422),
        (ward, _campaign(roles=["mayor"]), 422),
        (ward, _campaign(topics=["astrology"]), 422),
        (ward, _campaign(url="https://phishing.example/"), 422),
        (ward, _campaign(url="//phishing.example/"), 422),
        (ward, _campaign(send_at=naive), 422),
        (ward, _campaign(repeat_until="2027-01-01T00:00:00Z"), 422),
        (ward, _campaign(quiet_start="21:00"), 422),
        (ward, _campaign(quiet_start="25:00", quiet_end="06:00"), 400),
        (ward, _campaign(repeat_days=0), 400),
        (ward, _campaign(title=""), 400),
        (ward, {"body": "no title"}, 400),
        (await bearer(push_client, "helper"), _campaign(), 403),
        ({}, _campaign(), 401),
    ]
    for headers, body, status in bad:
        response = await push_client.post("/api/v1/campaigns", json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await push_client.get("/api/v1/campaigns", headers=ward)).json()["items"] == []
    mine = await push_client.post("/api/v1/campaigns", json=_campaign(), headers=province)
    assert mine.status_code == 201 and mine.json()["communes"] is None
    other = await push_client.get(f"/api/v1/campaigns/{mine.json()['id']}", headers=ward)
    assert other.status_code == 404
    assert (await push_client.post("/api/v1/campaigns/999/send", headers=ward)).status_code == 404


async def test_follow_ups_are_private_to_their_owner(
    push_client: AsyncTestClient[Any], push_settings: Settings
) -> None:
    await create_user(push_settings, "helper", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    await create_user(push_settings, "other", Role.VOLUNTEER, communes=(HOAN_KIEM,))
    mine, theirs = await bearer(push_client, "helper"), await bearer(push_client, "other")
    due = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    created = await push_client.post(
        "/api/v1/follow-ups",
        json={"note": "Kiểm tra hồ sơ VNeID của bà Lan", "due_at": due, "tracking_code": "td-1"},
        headers=mine,
    )
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["state"] == "pending" and item["tracking_code"] == "TD-1"
    for body in (
        {"note": "", "due_at": due},
        {"note": "x" * 501, "due_at": due},
        {"note": "ok", "due_at": "tomorrow"},
        {"note": "ok", "due_at": datetime.now().isoformat()},
        {"note": "ok"},
    ):
        response = await push_client.post("/api/v1/follow-ups", json=body, headers=mine)
        assert response.status_code in (400, 422), (body, response.text)
    assert len((await push_client.get("/api/v1/follow-ups", headers=mine)).json()["items"]) == 1
    assert (await push_client.get("/api/v1/follow-ups", headers=theirs)).json()["items"] == []
    path = f"/api/v1/follow-ups/{item['id']}"
    assert (await push_client.post(f"{path}/done", headers=theirs)).status_code == 404
    assert (await push_client.delete(path, headers=theirs)).status_code == 404
    done = await push_client.post(f"{path}/done", headers=mine)
    assert done.json()["state"] == "done"
    assert (await push_client.delete(path, headers=mine)).status_code == 204
    assert (await push_client.get("/api/v1/follow-ups", headers=mine)).json()["items"] == []
    assert (await push_client.get("/api/v1/follow-ups")).status_code == 401
