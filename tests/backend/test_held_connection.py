"""The connection a single-writer store holds: kept between batches, replaced after an error."""

from __future__ import annotations

import pytest

from backend.db.engine import create_engine
from backend.db.held import HeldConnection
from tests.conftest import PG_URL, make_settings

pytestmark = pytest.mark.skipif(not PG_URL.startswith("postgres"), reason="needs DATABASE_URL")


async def test_keeps_one_connection_and_replaces_it_after_an_error() -> None:
    engine = create_engine(make_settings(PG_URL).database)
    held = HeldConnection(engine)
    try:
        first = (await held.fetch("SELECT pg_backend_pid() AS pid"))[0]["pid"]
        again = (await held.fetch("SELECT pg_backend_pid() AS pid"))[0]["pid"]
        assert again == first  # no check-out per batch

        with pytest.raises(Exception, match="division by zero"):
            await held.fetch("SELECT 1 / 0")
        rows = await held.fetch("SELECT $1::int + 1 AS n", 41)
        assert rows[0]["n"] == 42  # the next batch runs on a healthy connection
        assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    finally:
        await held.close()
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        await engine.dispose()
