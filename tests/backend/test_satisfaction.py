"""Satisfaction: citizens rate answers, "not resolved" reopens the case and its group, and the
dashboard's rates by topic and commune match what was rated (expectations computed here)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import text

from backend.db.engine import create_engine
from backend.db.models import Role
from tests.backend.conftest import rows
from tests.backend.factories import BA_DINH, HOAN_KIEM, bearer, create_user, submit

# case number → (commune, topic, rating and resolved, or None if never answered)
CASES: dict[int, tuple[str, str, tuple[int, bool] | None]] = {
    1: (HOAN_KIEM, "environment", (5, True)),
    2: (HOAN_KIEM, "traffic", (2, False)),
    3: (BA_DINH, "environment", (3, False)),
    4: (HOAN_KIEM, "environment", None),
    5: (HOAN_KIEM, "traffic", (4, True)),
}


def expected(keys: set[int], key: str) -> dict[str, Any]:
    answered = [CASES[k][2] for k in sorted(keys) if CASES[k][2] is not None]
    ratings = [r for r, _ in answered if r is not None]
    reopened = sum(1 for _, ok in answered if not ok)

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 3) if whole else None

    return {
        "key": key,
        "answered": len(answered),
        "rated": len(ratings),
        "average_rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "satisfied_share": share(sum(1 for r in ratings if r >= 4), len(ratings)),
        "resolved_share": share(sum(1 for _, ok in answered if ok), len(answered)),
        "reopened": reopened,
        "reopen_rate": share(reopened, len(answered)),
    }


async def rate(client: AsyncTestClient[Any], receipt: dict[str, Any], body: Any) -> Any:
    return await client.post(
        f"/api/v1/feedback/{receipt['tracking_code']}/rating",
        json=body,
        headers={"X-Status-Token": receipt["status_token"]},
    )


async def test_ratings_reopen_and_rates(client: AsyncTestClient[Any]) -> None:
    settings = client.app.state.settings
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "hn", Role.PROVINCE_STAFF, province="01")
    hk, hn = await bearer(client, "hk"), await bearer(client, "hn")
    receipts = {
        n: await submit(client, commune, text=f"Ý kiến số {n}")
        for n, (commune, _, _) in CASES.items()
    }
    for n, (_, topic, _) in CASES.items():
        fixed = await client.patch(
            f"/api/v1/cases/{n}/classification", json={"topic": topic}, headers=hn
        )
        assert fixed.status_code == 200
    # Cases 1 and 3 are one issue group, answered and closed.
    group_id = (
        await client.post("/api/v1/cases/1/group", json={"group_id": None}, headers=hn)
    ).json()["id"]
    await client.post("/api/v1/cases/3/group", json={"group_id": group_id}, headers=hn)
    too_early = await rate(client, receipts[1], {"rating": 5, "resolved": True})
    assert too_early.status_code == 422
    for n, (_, _, verdict) in CASES.items():
        if verdict is not None:
            reply = await client.post(
                f"/api/v1/cases/{n}/replies", json={"text": "Đã xử lý."}, headers=hn
            )
            assert reply.status_code == 201
    # Staff closed the group after answering it.
    engine = create_engine(settings.database)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE issue_groups SET status = 'closed'"))
    await engine.dispose()

    bad = [
        {"rating": 6, "resolved": True},
        {"rating": 0, "resolved": True},
        {"rating": 3},
        {"rating": 3, "resolved": True, "stars": 3},
    ]
    for body in bad:
        response = await rate(client, receipts[1], body)
        assert response.status_code == 400, (body, response.text)
    wrong = await client.post(
        f"/api/v1/feedback/{receipts[1]['tracking_code']}/rating",
        json={"rating": 1, "resolved": False},
        headers={"X-Status-Token": "not-the-token"},
    )
    assert wrong.status_code == 404
    assert (await rows(client, "SELECT count(*) FROM case_ratings"))[0][0] == 0

    for n, (_, _, verdict) in CASES.items():
        if verdict is None:
            continue
        stars, resolved = verdict
        response = await rate(client, receipts[n], {"rating": stars, "resolved": resolved})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == ("answered" if resolved else "reopened")
    # A second "not resolved" on a reopened case changes nothing more.
    assert (await rate(client, receipts[2], {"rating": 2, "resolved": False})).status_code == 200
    statuses = dict(tuple(r) for r in await rows(client, "SELECT id, status FROM cases"))
    assert statuses == {1: "answered", 2: "reopened", 3: "reopened", 4: "new", 5: "answered"}
    assert (await rows(client, "SELECT status FROM issue_groups"))[0][0] == "open"
    audit = await rows(
        client, "SELECT object_id FROM audit_events WHERE action = 'group.reopen_by_citizen'"
    )
    assert [a[0] for a in audit] == [str(group_id)]

    by_topic = await client.get("/api/v1/stats/satisfaction", headers=hn)
    assert by_topic.status_code == 200, by_topic.text
    stats = by_topic.json()
    assert stats["overall"] == expected(set(CASES), "all")
    topics = {t for _, t, _ in CASES.values()}
    assert stats["items"] == [
        expected({n for n, c in CASES.items() if c[1] == topic}, topic) for topic in sorted(topics)
    ]
    by_province = await client.get(
        "/api/v1/stats/satisfaction", params={"by": "province"}, headers=hn
    )
    assert by_province.json()["items"] == [expected(set(CASES), "01")]
    elsewhere = await client.get(
        "/api/v1/stats/satisfaction", params={"province_code": "79"}, headers=hn
    )
    assert elsewhere.json()["items"] == [] and elsewhere.json()["overall"]["answered"] == 0
    unknown = await client.get(
        "/api/v1/stats/satisfaction", params={"province_code": "99"}, headers=hn
    )
    assert unknown.status_code == 422 and "province" in unknown.text
    # Commune staff see their commune only.
    by_commune = (
        await client.get("/api/v1/stats/satisfaction", params={"by": "commune"}, headers=hk)
    ).json()
    assert by_commune["items"] == [
        expected({n for n, c in CASES.items() if c[0] == HOAN_KIEM}, HOAN_KIEM)
    ]
    bad_range = await client.get(
        "/api/v1/stats/satisfaction",
        params={"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        headers=hn,
    )
    assert bad_range.status_code == 422
    before = await client.get(
        "/api/v1/stats/satisfaction",
        params={"from": "2020-01-01T00:00:00Z", "to": "2020-02-01T00:00:00Z"},
        headers=hn,
    )
    assert before.json()["items"] == []
    assert before.json()["overall"] == {
        "key": "all",
        "answered": 0,
        "rated": 0,
        "average_rating": None,
        "satisfied_share": None,
        "resolved_share": None,
        "reopened": 0,
        "reopen_rate": None,
    }
    assert (await client.get("/api/v1/stats/satisfaction")).status_code == 401


async def test_reopen_endpoint_counts_as_not_resolved(client: AsyncTestClient[Any]) -> None:
    settings = client.app.state.settings
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    hk = await bearer(client, "hk")
    receipt = await submit(client, HOAN_KIEM)
    await client.post("/api/v1/cases/1/replies", json={"text": "Đã sửa đèn."}, headers=hk)
    reopened = await client.post(
        f"/api/v1/feedback/{receipt['tracking_code']}/reopen",
        json={"reason": "Đèn vẫn tắt"},
        headers={"X-Status-Token": receipt["status_token"]},
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    verdicts = await rows(client, "SELECT case_id, rating, resolved, comment FROM case_ratings")
    assert [tuple(v) for v in verdicts] == [(1, None, False, "Đèn vẫn tắt")]
    stats = (await client.get("/api/v1/stats/satisfaction", headers=hk)).json()
    assert stats["overall"]["reopened"] == 1 and stats["overall"]["reopen_rate"] == 1.0
    assert stats["overall"]["rated"] == 0 and stats["overall"]["average_rating"] is None
