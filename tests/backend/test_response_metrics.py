"""Response metrics are counted by the database: exact figures on a known set of cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from backend.accounts.principal import Principal
from backend.db.models import Case, Role
from backend.settings import SynthesisSettings
from backend.synthesis.service import SynthesisService
from tests.backend.factories import BA_DINH, HOAN_KIEM

CASES = Case.__table__  # type: ignore[attr-defined]
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
ADMIN = Principal(user_id=1, username="admin", full_name="Admin", role=Role.ADMIN)


def case(n: int, commune: str, topic: str, **times: float | str | None) -> dict[str, object]:
    """A case received at T0 + n hours; `times` in hours after receipt (None: not yet)."""

    def at(hours: float | str | None) -> datetime | None:
        return None if hours is None else T0 + timedelta(hours=n + float(hours))

    return {
        "tracking_code": f"R{n:04d}",
        "channel": "web",
        "commune_code": commune,
        "province_code": "01",
        "topic": topic,
        "status": str(times.get("status", "answered")),
        "received_at": at(0),
        "updated_at": at(0),
        "first_response_at": at(times.get("first")),
        "answered_at": at(times.get("answered")),
        "due_at": at(times.get("due")),
    }


async def test_response_metrics_overall_and_by_topic_and_commune(engine: AsyncEngine) -> None:
    rows = [
        case(0, HOAN_KIEM, "traffic", first=2, answered=10, due=24),
        case(1, HOAN_KIEM, "traffic", first=4, answered=30, due=24),
        case(2, BA_DINH, "traffic", first=6, answered=None, due=24, status="in_progress"),
        case(3, BA_DINH, "land", first=None, answered=None, due=None, status="reopened"),
        case(4, HOAN_KIEM, "land", first=11, answered=12, due=None),
    ]
    async with engine.begin() as conn:
        await conn.execute(CASES.insert(), rows)
    async with engine.connect() as conn:
        service = SynthesisService(conn, ADMIN, SynthesisSettings())
        window = (T0, T0 + timedelta(days=1))
        overall, by_topic, by_commune = [
            await service.response(*window, by) for by in ("all", "topic", "commune")
        ]
        nothing = await service.response(T0 - timedelta(days=9), T0 - timedelta(days=8), "all")
    assert nothing == []
    [everything] = overall
    assert (everything.key, everything.cases, everything.answered) == ("all", 5, 3)
    assert everything.median_first_response_hours == 5.0  # of 2, 4, 6, 11
    assert everything.answered_within_due_share == 0.5  # two answered with a due date, one in time
    assert everything.reopened_share == 0.2
    land, traffic = by_topic
    assert (land.key, land.cases, land.median_first_response_hours) == ("land", 2, 11.0)
    assert land.answered_within_due_share is None and land.reopened_share == 0.5
    assert (traffic.key, traffic.cases, traffic.answered) == ("traffic", 3, 2)
    assert traffic.median_first_response_hours == 4.0
    assert [m.key for m in by_commune] == [BA_DINH, HOAN_KIEM]
    assert by_commune[1].median_first_response_hours == 4.0  # of 2, 4, 11
