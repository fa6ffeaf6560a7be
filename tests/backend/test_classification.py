"""Every new case is classified and grouped by a job with the real trained model."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from backend.db.models import Role
from backend.resources import build_job_context
from tests.backend.factories import BA_DINH, HOAN_KIEM, bearer, create_user, submit
from tests.backend.test_jobs import RecordingQueue

DRAIN_REPORTS = [
    "Cống thoát nước đầu ngõ 12 Hàng Bạc bị tắc, mưa xuống là nước tràn vào nhà dân.",
    "Cống ở ngõ 12 Hàng Bạc lại tắc rồi, nước tràn vào nhà, mọi người ơi.",
    "Đề nghị phường nạo vét cống ngõ 12 Hàng Bạc, nước thải tràn lên đường.",
]


async def cases(client: AsyncTestClient[Any], headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/cases", headers=headers, params={"page_size": 100})
    assert response.status_code == 200
    return list(reversed(response.json()["items"]))


async def test_new_cases_are_classified_and_grouped(
    classifying_client: AsyncTestClient[Any],
) -> None:
    client = classifying_client
    settings = client.app.state.settings
    await create_user(settings, "admin", Role.ADMIN)
    headers = await bearer(client, "admin")
    for text in DRAIN_REPORTS:
        await submit(client, HOAN_KIEM, text=text)
    await submit(
        client, HOAN_KIEM, text="Quán karaoke phố Hàng Bè hát đến 2 giờ sáng, không ai ngủ được."
    )
    await submit(
        client, BA_DINH, text=DRAIN_REPORTS[0]
    )  # same words, another commune: another group
    await client.app.state.resources.settle()
    rows = await cases(client, headers)
    assert all(row["topic"] and row["kind"] and row["topic_confidence"] for row in rows)
    drains = rows[:3]
    assert len({row["group_id"] for row in drains}) == 1
    assert drains[0]["topic"] == "construction_infrastructure"
    karaoke, other_commune = rows[3], rows[4]
    assert karaoke["topic"] == "security_order"
    assert karaoke["group_id"] != drains[0]["group_id"]
    assert other_commune["group_id"] not in {drains[0]["group_id"], karaoke["group_id"]}


async def test_classification_is_not_repeated(classifying_client: AsyncTestClient[Any]) -> None:
    client = classifying_client
    await submit(client, HOAN_KIEM, text=DRAIN_REPORTS[0])
    await client.app.state.resources.settle()
    # A second run (a redelivered wake-up, the sweeper) finds nothing left to classify.
    ctx = build_job_context(client.app.state.settings, RecordingQueue())
    try:
        assert await ctx.classifier.classify(ctx, [1]) == 0
    finally:
        await ctx.engine.dispose()
