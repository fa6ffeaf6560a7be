"""Intake under faults: an API process killed, Redis stopped, PostgreSQL restarted."""

from __future__ import annotations

import asyncio

from tests.faults.citizens import Citizens
from tests.faults.conftest import Shape, eventually, sql


async def assert_stored_exactly_once(shape: Shape, citizens: Citizens) -> None:
    """Every accepted key is one case with the tracking code it was answered, one message."""
    assert citizens.unexpected == []
    rows = await sql(
        shape.postgres,
        "SELECT c.source_key, c.tracking_code, count(m.id) AS messages FROM cases c"
        " LEFT JOIN messages m ON m.case_id = c.id GROUP BY c.id",
    )
    stored = {row.source_key: (row.tracking_code, row.messages) for row in rows}
    assert len(stored) == len(rows)
    expected = {f"web:{key}": (code, 1) for key, code in citizens.accepted.items()}
    assert stored == expected


async def all_classified(shape: Shape) -> bool:
    [row] = await sql(shape.postgres, "SELECT count(*) AS n FROM cases WHERE classified_at IS NULL")
    return int(row.n) == 0


async def test_an_api_process_killed_mid_intake_loses_and_doubles_nothing(shape: Shape) -> None:
    api = await shape.api()
    shape.worker()
    citizens = Citizens(api.url, "kill-api")
    citizens.start()
    await eventually(
        lambda: citizens.accepted_at_least(40), "intake before the kill", citizens.__repr__
    )
    api.kill9()
    await asyncio.sleep(0.5)  # citizens meet refused connections and keep retrying
    await api.restart()
    before = len(citizens.accepted)
    await eventually(
        lambda: citizens.accepted_at_least(before + 40),
        "intake after the restart",
        citizens.__repr__,
    )
    await citizens.finish()

    assert citizens.transport_errors > 0  # the kill really happened under load
    await assert_stored_exactly_once(shape, citizens)
    await eventually(lambda: all_classified(shape), "every accepted case classified")


async def test_intake_answers_while_redis_is_down_and_work_drains_after(shape: Shape) -> None:
    # The production rate limiter keeps its counters in Redis: keep it on (generous limit).
    api = await shape.api(TIENGDAN_RATE_LIMIT_PER_MINUTE="1000000")
    shape.worker()
    citizens = Citizens(api.url, "no-redis")
    citizens.start()
    await eventually(
        lambda: citizens.accepted_at_least(20), "intake before the outage", citizens.__repr__
    )
    shape.redis.stop()
    during = len(citizens.accepted)
    await eventually(
        lambda: citizens.accepted_at_least(during + 60), "intake without Redis", citizens.__repr__
    )
    shape.redis.start()
    after = len(citizens.accepted)
    await eventually(
        lambda: citizens.accepted_at_least(after + 20),
        "intake after Redis is back",
        citizens.__repr__,
    )
    await citizens.finish()

    assert set(citizens.statuses) <= {200, 201}  # never a 5xx while Redis was away
    assert citizens.transport_errors == 0
    await assert_stored_exactly_once(shape, citizens)
    await eventually(lambda: all_classified(shape), "the backlog classified after Redis returned")


async def test_postgres_restart_answers_retryable_503_and_half_writes_nothing(shape: Shape) -> None:
    api = await shape.api()
    shape.worker()
    citizens = Citizens(api.url, "pg-restart")
    citizens.start()
    await eventually(
        lambda: citizens.accepted_at_least(20), "intake before the restart", citizens.__repr__
    )
    shape.postgres.stop("fast")
    refusals = citizens.statuses[503]
    await eventually(
        lambda: _more_refusals(citizens, refusals + 5), "503s while it is down", citizens.__repr__
    )
    shape.postgres.start()
    after = len(citizens.accepted)
    await eventually(
        lambda: citizens.accepted_at_least(after + 20),
        "intake after the restart",
        citizens.__repr__,
    )
    await citizens.finish()

    assert citizens.statuses[503] > refusals
    assert citizens.refusals_without_retry_after == 0
    assert set(citizens.statuses) <= {200, 201, 503}  # never a 500
    await assert_stored_exactly_once(shape, citizens)
    [orphans] = await sql(
        shape.postgres,
        "SELECT count(*) AS n FROM cases c WHERE NOT EXISTS"
        " (SELECT 1 FROM messages m WHERE m.case_id = c.id)",
    )
    assert orphans.n == 0
    await eventually(lambda: all_classified(shape), "every accepted case classified")


async def _more_refusals(citizens: Citizens, n: int) -> bool:
    return citizens.statuses[503] >= n
