"""Daily topic counts: the dashboards answer the same with them as from the cases, read them
for the days they cover, and the worker's refresh keeps them current."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.accounts.principal import Principal
from backend.db.models import Case, DailyTopicCount, IssueGroup, Role
from backend.settings import SynthesisSettings
from backend.synthesis.periods import VIETNAM
from backend.synthesis.rollup import refresh
from backend.synthesis.service import SynthesisService
from tests.backend.factories import BA_DINH, HOAN_KIEM, OTHER_PROVINCE_COMMUNE

CASES = Case.__table__  # type: ignore[attr-defined]
COUNTS = DailyTopicCount.__table__  # type: ignore[attr-defined]
NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)  # Wednesday 10:00 in Vietnam
TOPICS = ["environment", "traffic", "land", None]  # None: not classified yet
PLACES = [(HOAN_KIEM, "01"), (BA_DINH, "01"), (OTHER_PROVINCE_COMMUNE, "79")]
ADMIN = Principal(user_id=1, username="admin", full_name="Admin", role=Role.ADMIN)
HANOI = Principal(
    user_id=2, username="hn", full_name="Hà Nội", role=Role.PROVINCE_STAFF, province_code="01"
)
WARD = Principal(
    user_id=3,
    username="hk",
    full_name="Hoàn Kiếm",
    role=Role.COMMUNE_STAFF,
    commune_codes=frozenset({HOAN_KIEM}),
)
NO_WAIT = timedelta(0)
# UTC hours of the cases of a day: 16:30 and 17:30 fall on either side of local midnight.
HOURS = [timedelta(hours=h) for h in (3, 16.5, 17.5, 10, 23)]


async def add_cases(engine: AsyncEngine, days: int) -> None:
    """Cases on each of `days` days before NOW, some just before and after local midnight (17:00
    UTC in Vietnam), in three places, topics in turn, some not classified yet."""
    rows = []
    for day in range(days):
        for i in range(day % 5 + 1):
            commune, province = PLACES[(day + i) % 3]
            midnight_utc = (NOW - timedelta(days=day)).replace(hour=0)
            received = midnight_utc + HOURS[i]
            number = len(rows)
            rows.append(
                {
                    "tracking_code": f"T{number:08d}",
                    "source_key": f"test:{number}",
                    "channel": "web",
                    "commune_code": commune,
                    "province_code": province,
                    "topic": TOPICS[number % 4],
                    "received_at": received,
                    "updated_at": received,
                }
            )
    async with engine.begin() as conn:
        await conn.execute(CASES.insert(), rows)


async def dashboards(engine: AsyncEngine, principal: Principal) -> list[Any]:
    async with engine.connect() as conn:
        service = SynthesisService(conn, principal, SynthesisSettings(spike_min_cases=1))
        return [
            await service.trends("month", 4, None, now=NOW),
            await service.trends("week", 8, None, now=NOW),
            await service.trends("day", 30, None, now=NOW),
            await service.spikes("week", now=NOW),
            await service.by_province("month", now=NOW),
            await service.by_province("day", now=NOW),
        ]


async def total(engine: AsyncEngine, principal: Principal) -> int:
    trends = (await dashboards(engine, principal))[0]
    return sum(sum(series.counts) for series in trends.series)


async def test_the_counts_answer_what_the_cases_answer(engine: AsyncEngine) -> None:
    await add_cases(engine, days=120)
    from_cases = {p.username: await dashboards(engine, p) for p in (ADMIN, HANOI, WARD)}
    assert sum(sum(s.counts) for s in from_cases["admin"][0].series) > 100

    written = await refresh(engine, NOW, NO_WAIT)
    assert written["rows"] > 0 and written["rebuilt"] == 1
    for principal in (ADMIN, HANOI, WARD):
        assert await dashboards(engine, principal) == from_cases[principal.username]

    # The national and province views now read the counts for all but the last two days: with
    # the older cases gone, they still count them; the ward's view (from the cases) does not.
    async with engine.begin() as conn:
        await conn.execute(delete(CASES).where(CASES.c.received_at < NOW - timedelta(days=3)))
    assert await dashboards(engine, ADMIN) == from_cases["admin"]
    assert await dashboards(engine, HANOI) == from_cases["hn"]
    assert await dashboards(engine, WARD) != from_cases["hk"]


async def test_refresh_keeps_the_counts_current(engine: AsyncEngine) -> None:
    await add_cases(engine, days=90)
    await refresh(engine, NOW, NO_WAIT)
    before = await total(engine, ADMIN)

    # Today's new case counts at once: today and yesterday are read from the cases.
    async with engine.begin() as conn:
        row = {"channel": "web", "commune_code": HOAN_KIEM, "province_code": "01"}
        await conn.execute(
            CASES.insert(),
            [
                {
                    **row,
                    "tracking_code": "NEW1",
                    "topic": "traffic",
                    "received_at": NOW,
                    "updated_at": NOW,
                }
            ],
        )
    assert await total(engine, ADMIN) == before + 1

    # A correction 10 days back: not before the next refresh, which the interval holds back.
    ten_days = await _oldest_classified_since(engine, NOW - timedelta(days=10))
    await _clear_topic(engine, ten_days)
    interval = timedelta(minutes=10)
    assert (await refresh(engine, NOW + timedelta(minutes=1), interval))["rows"] == 0
    assert await total(engine, ADMIN) == before + 1
    await refresh(engine, NOW + timedelta(minutes=11), interval)
    assert await total(engine, ADMIN) == before

    # 80 days back is outside the recounted window until the daily recount of every day.
    old_counts = await _counted_a_month_back(engine)
    eighty_days = await _oldest_classified_since(engine, NOW - timedelta(days=80))
    await _clear_topic(engine, eighty_days)
    assert (await refresh(engine, NOW + timedelta(minutes=22), interval))["rebuilt"] == 0
    assert await _counted_a_month_back(engine) == old_counts
    assert (await refresh(engine, NOW + timedelta(hours=25), interval))["rebuilt"] == 1
    assert await _counted_a_month_back(engine) == old_counts - 1


async def _oldest_classified_since(engine: AsyncEngine, since: datetime) -> int:
    async with engine.connect() as conn:
        query = (
            select(CASES.c.id)
            .where(CASES.c.received_at >= since, CASES.c.topic.is_not(None))
            .order_by(CASES.c.received_at)
            .limit(1)
        )
        return int((await conn.execute(query)).scalar_one())


async def _clear_topic(engine: AsyncEngine, case_id: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(CASES).where(CASES.c.id == case_id).values(topic=None))


async def _counted_a_month_back(engine: AsyncEngine) -> int:
    """The national counts of the days more than 30 days before NOW (the table itself)."""
    month_back = (NOW - timedelta(days=30)).astimezone(VIETNAM).date()
    async with engine.connect() as conn:
        query = select(func.sum(COUNTS.c.cases)).where(
            COUNTS.c.province_code == "", COUNTS.c.day < month_back
        )
        return int((await conn.execute(query)).scalar_one())


async def test_rising_groups_are_found_with_their_titles(engine: AsyncEngine) -> None:
    groups = IssueGroup.__table__  # type: ignore[attr-defined]
    async with engine.begin() as conn:
        await conn.execute(
            groups.insert(),
            [
                {
                    "id": 1,
                    "topic": "traffic",
                    "title": "Ngõ 12 ngập",
                    "first_seen": NOW,
                    "last_seen": NOW,
                },
                {
                    "id": 2,
                    "topic": "traffic",
                    "title": "Đèn hỏng",
                    "first_seen": NOW,
                    "last_seen": NOW,
                },
            ],
        )
        place = {"channel": "web", "commune_code": HOAN_KIEM, "province_code": "01"}
        rising = [(1, NOW - timedelta(hours=h)) for h in range(6)]  # six this week
        steady = [(2, NOW - timedelta(days=7 * w + 1)) for w in range(5) for _ in range(6)]
        await conn.execute(
            CASES.insert(),
            [
                {**place, "tracking_code": f"G{n}", "group_id": group, "topic": "traffic"}
                | {"received_at": at, "updated_at": at}
                for n, (group, at) in enumerate(rising + steady)
            ],
        )
    async with engine.connect() as conn:
        settings = SynthesisSettings(spike_min_cases=5)
        spikes = await SynthesisService(conn, ADMIN, settings).spikes("week", now=NOW)
    groups_found = [(s.key, s.title, s.current) for s in spikes if s.kind == "group"]
    assert groups_found == [("1", "Ngõ 12 ngập", 6)]


async def test_the_commune_table_adds_up_to_the_province_table(engine: AsyncEngine) -> None:
    """Two ways of counting the last two periods (one pass with filters per commune; local-day
    buckets per province) agree, across local midnight."""
    await add_cases(engine, days=70)
    province_of = dict(PLACES)
    async with engine.connect() as conn:
        service = SynthesisService(conn, ADMIN, SynthesisSettings())
        for period in ("day", "week", "month"):
            summed: dict[tuple[str, str], list[int]] = {}
            for row in await service.by_commune(period, now=NOW):
                cell = summed.setdefault((province_of[row.commune_code], row.topic), [0, 0])
                cell[0] += row.current
                cell[1] += row.previous
            provinces = await service.by_province(period, now=NOW)
            assert summed == {
                (p.province_code, p.topic): [p.current, p.previous] for p in provinces
            }
            assert sum(c for c, _ in summed.values()) and sum(p for _, p in summed.values())
