"""Daily topic counts: what the dashboards read for the days that no longer change.

A year of monthly trends for the whole country would otherwise read every case of the year.
The worker refreshes the counts (the sweep wakes `refresh_daily_counts`, which works at most
every TIENGDAN_ROLLUP_MINUTES): the last ROLLING_DAYS days are recounted on every refresh and
all days once a day, so a staff correction of an older case's topic shows within a day. Today
and yesterday (cases still arriving and being classified) are never in the counts: the
dashboards count those days from the cases themselves.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from backend.db.inserts import insert_or_ignore
from backend.db.models import Case, DailyTopicCount, RollupState
from backend.db.models.synthesis import NATIONAL
from backend.db.types import utcnow
from backend.jobs.context import JobContext
from backend.synthesis.periods import VIETNAM, Period, day_bucket, local_day, utc_bounds

CASES = Case.__table__  # type: ignore[attr-defined]
COUNTS = DailyTopicCount.__table__  # type: ignore[attr-defined]
STATE = RollupState.__table__  # type: ignore[attr-defined]
NAME = "daily_topic_counts"
LIVE_DAYS = 2  # today and yesterday are counted from the cases
ROLLING_DAYS = 35  # recounted on every refresh
REBUILD_EVERY = timedelta(hours=24)  # every day recounted


async def refresh_daily_counts(ctx: JobContext) -> dict[str, int]:
    """The job: refresh the counts if the last refresh is older than the configured interval."""
    interval = timedelta(minutes=ctx.settings.synthesis.rollup_minutes)
    return await refresh(ctx.engine, utcnow(), interval)


async def refresh(
    engine: AsyncEngine, now: datetime, interval: timedelta, *, rebuild: bool = False
) -> dict[str, int]:
    """Recount the rolling window (every day once a day, or when `rebuild`); returns the rows
    written.

    One transaction holding the state row: concurrent workers wait and then find it fresh,
    and dashboards read the previous counts until it commits.
    """
    complete_before = now.astimezone(VIETNAM).date() - timedelta(days=LIVE_DAYS - 1)
    async with engine.begin() as conn:
        await conn.execute(insert_or_ignore(conn, STATE), {"name": NAME})
        state = (
            await conn.execute(select(STATE).where(STATE.c.name == NAME).with_for_update())
        ).one()
        fresh = state.refreshed_at is not None and now - state.refreshed_at < interval
        if fresh and state.complete_before == complete_before and not rebuild:
            return {"rows": 0}
        rebuild = rebuild or state.rebuilt_at is None or now - state.rebuilt_at >= REBUILD_EVERY
        first = None if rebuild else complete_before - timedelta(days=ROLLING_DAYS)
        rows = await _recount(conn, first, complete_before)
        done = {"complete_before": complete_before, "refreshed_at": now}
        await conn.execute(
            update(STATE)
            .where(STATE.c.name == NAME)
            .values(**done, **({"rebuilt_at": now} if rebuild else {}))
        )
    return {"rows": rows, "rebuilt": int(rebuild)}


async def _recount(conn: AsyncConnection, first: date | None, before: date) -> int:
    """Replace the counts of the days from `first` (None: all) up to `before` (exclusive)."""
    dialect = conn.dialect.name
    await conn.execute(delete(COUNTS).where(*([COUNTS.c.day >= first] if first else [])))
    day = local_day(CASES.c.received_at, dialect)
    window = [CASES.c.received_at < utc_bounds(before, before)[0], CASES.c.topic.is_not(None)]
    if first is not None:
        window.append(CASES.c.received_at >= utc_bounds(first, first)[0])
    columns = ["province_code", "day", "topic", "cases"]
    per_province = select(CASES.c.province_code, day, CASES.c.topic, func.count()).where(*window)
    written = await conn.execute(
        insert(COUNTS).from_select(
            columns, per_province.group_by(CASES.c.province_code, day, CASES.c.topic)
        )
    )
    national = (
        select(literal(NATIONAL), COUNTS.c.day, COUNTS.c.topic, func.sum(COUNTS.c.cases))
        .where(COUNTS.c.province_code != NATIONAL, *([COUNTS.c.day >= first] if first else []))
        .group_by(COUNTS.c.day, COUNTS.c.topic)
    )
    totals = await conn.execute(insert(COUNTS).from_select(columns, national))
    return int(written.rowcount + totals.rowcount)


async def counted_before(conn: AsyncConnection) -> date | None:
    """Every day before this one is in the counts (None until the first refresh)."""
    found = await conn.execute(select(STATE.c.complete_before).where(STATE.c.name == NAME))
    before: date | None = found.scalar_one_or_none()
    return before


async def daily_counts(
    conn: AsyncConnection,
    province_code: str,
    period: Period,
    first: date,
    before: date,
    *,
    by_province: bool = False,
) -> list[Any]:
    """(bucket, topic, n) rows from the counts of a province (or NATIONAL), days [first, before);
    `by_province`: (bucket, topic, province_code, n), the country's rows province by province."""
    key = day_bucket(COUNTS.c.day, period, conn.dialect.name).label("bucket")
    columns = [key, COUNTS.c.topic] + ([COUNTS.c.province_code] if by_province else [])
    scope = (
        COUNTS.c.province_code != NATIONAL
        if by_province and province_code == NATIONAL
        else COUNTS.c.province_code == province_code
    )
    query = (
        select(*columns, func.sum(COUNTS.c.cases).label("n"))
        .where(scope, COUNTS.c.day >= first, COUNTS.c.day < before)
        .group_by(*columns)
    )
    return list((await conn.execute(query)).all())
