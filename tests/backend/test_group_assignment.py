"""Grouping a batch of classified cases: joins within the batch and with stored groups, each
place's own groups, and the stored centroid, size and last case time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.models import Case, IssueGroup
from backend.groups.assign import CaseToGroup, GroupAssigner, centroid_from_column
from tests.backend.factories import BA_DINH, HOAN_KIEM, OTHER_PROVINCE_COMMUNE
from tests.backend.test_groups import DRAIN

CASES = Case.__table__  # type: ignore[attr-defined]
GROUPS = IssueGroup.__table__  # type: ignore[attr-defined]
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
NOISE = "Quán karaoke phố Hàng Bè hát đến 2 giờ sáng, không ai ngủ được."
PROVINCE = {HOAN_KIEM: "01", BA_DINH: "01", OTHER_PROVINCE_COMMUNE: "79"}


async def add(engine: AsyncEngine, cases: list[tuple[int, str, str, str]]) -> list[CaseToGroup]:
    """Cases (minutes after T0, commune, topic, text), stored and ready to group."""
    rows = [
        {
            "tracking_code": f"A{minutes:05d}",
            "channel": "web",
            "commune_code": commune,
            "province_code": PROVINCE[commune],
            "topic": topic,
            "received_at": T0 + timedelta(minutes=minutes),
            "updated_at": T0,
        }
        for minutes, commune, topic, _ in cases
    ]
    async with engine.begin() as conn:
        ids = (await conn.execute(CASES.insert().returning(CASES.c.id), rows)).scalars().all()
    return [
        CaseToGroup(
            case_id=case_id,
            topic=row["topic"],
            commune_code=row["commune_code"],
            province_code=row["province_code"],
            received_at=row["received_at"],
            text=text,
        )
        for case_id, row, (*_, text) in zip(ids, rows, cases, strict=True)
    ]


async def group(engine: AsyncEngine, cases: list[CaseToGroup]) -> dict[int, int]:
    async with engine.begin() as conn:
        return await GroupAssigner().assign(conn, cases)


async def test_a_batch_groups_like_one_case_after_another(engine: AsyncEngine) -> None:
    infra = "construction_infrastructure"
    first = await add(
        engine,
        [
            (0, HOAN_KIEM, infra, DRAIN[0]),
            (1, HOAN_KIEM, "security_order", NOISE),
            (2, HOAN_KIEM, infra, DRAIN[1]),
            (3, BA_DINH, infra, DRAIN[1]),  # the same words in another ward: its own problem
        ],
    )
    links = await group(engine, first)
    drain, noise, again, elsewhere = (links[c.case_id] for c in first)
    assert again == drain and len({drain, noise, elsewhere}) == 3

    # A later batch joins the stored group; its centroid, size and last case time follow.
    later = await add(engine, [(60, HOAN_KIEM, infra, DRAIN[2])])
    assert (await group(engine, later))[later[0].case_id] == drain
    async with engine.connect() as conn:
        stored = (await conn.execute(select(GROUPS).where(GROUPS.c.id == drain))).one()
        linked = (await conn.execute(select(CASES.c.group_id).order_by(CASES.c.id))).scalars()
        assert list(linked) == [drain, noise, drain, elsewhere, drain]
    assert stored.size == 3 and stored.last_seen == T0 + timedelta(minutes=60)
    assert stored.first_seen == T0 and stored.commune_code == HOAN_KIEM
    assert centroid_from_column(stored.centroid).count == 3
    assert await group(engine, []) == {}
