"""Aggregates plan each statement for its own window, without changing the pooled connection."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.engine import aggregate_connection


async def test_custom_plans_for_aggregates_only(engine: AsyncEngine) -> None:
    async with aggregate_connection(engine) as conn:
        assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
        if engine.dialect.name != "postgresql":
            return  # SQLite has no plan cache to steer
        mode = (await conn.execute(text("SHOW plan_cache_mode"))).scalar_one()
        assert mode == "force_custom_plan"
    async with engine.connect() as conn:  # the same pooled connection, back to the default
        assert (await conn.execute(text("SHOW plan_cache_mode"))).scalar_one() == "auto"
