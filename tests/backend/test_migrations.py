"""The schema migrates from empty to head and back on every backend."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.engine import create_engine
from backend.db.migrate import downgrade, upgrade
from backend.settings import DatabaseSettings
from tests.conftest import PG_URL


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


def _round_trip(url: str) -> None:
    upgrade(url)
    tables = asyncio.run(_tables(create_engine(DatabaseSettings(url=url))))
    assert {"cases", "messages", "deliveries", "users", "communes", "audit_events"} <= tables
    downgrade(url, "base")
    assert asyncio.run(_tables(create_engine(DatabaseSettings(url=url)))) == set()
    upgrade(url)


def test_sqlite_upgrade_downgrade(tmp_path: Path) -> None:
    _round_trip(f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}")


def test_postgres_upgrade_downgrade() -> None:
    import pytest

    if not PG_URL:
        pytest.skip("DATABASE_URL not set")
    import subprocess

    base = PG_URL.rsplit("/", 1)[0]
    subprocess.run(
        ["psql", f"{base}/postgres", "-qc", "DROP DATABASE IF EXISTS tiengdan_migrations"],
        check=True,
    )
    subprocess.run(
        ["psql", f"{base}/postgres", "-qc", "CREATE DATABASE tiengdan_migrations"], check=True
    )
    _round_trip(f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/tiengdan_migrations")
