"""Dashboard benchmark: every /api/v1/stats query and the yearly report over 1,000,000 cases.

Run: `python bench/dashboards.py` (prints markdown tables). Needs PostgreSQL on 127.0.0.1: the
cases go into a dedicated database (BENCH_DASHBOARDS_URL, default
postgresql://postgres@127.0.0.1:5432/tiengdan_bench_dashboards), generated once with COPY and
reused by later runs (`--regenerate` to start again). The distribution is realistic rather than
uniform: 34 provinces / 3,321 communes with a heavy-tailed share per commune (cities write more),
13 topics with skewed weights, two years of intake with a slow rise, weekly rhythm and a few
campaign weeks; older cases are mostly answered, a fifth of the answers rated by the citizen,
about a third of the cases sit in issue groups, and every case has its first message (a corpus
text). The cases are stored in the order they arrived, as intake stores them.

Each query is timed through the service functions behind the endpoints, on the connection they
use (the SQL plus the Python that shapes the answer; HTTP adds the same small constant to every
call), over repeated runs with varied filters (province, commune, period), as the staff who open
the dashboards: national admin (the whole country, and drilled into one province), province
officer, commune officer.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # type: ignore[import-untyped]
from _quiet import wait_for_quiet

from backend.accounts.principal import Principal
from backend.bootstrap import migrate_and_sync
from backend.communes.reference import communes
from backend.db.engine import aggregate_connection, create_engine
from backend.db.models import Role
from backend.reports.service import build_report
from backend.satisfaction.service import SatisfactionStatsService
from backend.settings import DatabaseSettings, SynthesisSettings, load_settings
from backend.synthesis.rollup import ROLLING_DAYS, refresh
from backend.synthesis.service import SynthesisService
from classifiers.corpus import SHIPPED_CORPUS, load_corpus

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/tiengdan_bench_dashboards"
CASES = 1_000_000
CHUNK = 100_000
DAYS = 730
NOW = datetime.now(UTC).replace(microsecond=0)
REPEATS = 25
TARGET_MS = 100.0
REPORT_TARGET_S = 10.0
TOPIC_WEIGHTS = {
    "construction_infrastructure": 17,
    "environment": 14,
    "land": 12,
    "traffic": 9,
    "security_order": 8,
    "admin_procedures": 8,
    "social_welfare": 7,
    "utilities": 7,
    "health": 5,
    "education": 4,
    "economy_agriculture": 4,
    "officials_conduct": 2,
    "other": 3,
}
CHANNELS = {"web": 40, "zalo": 35, "email": 10, "messenger": 10, "meeting": 5}


# -- data ---------------------------------------------------------------------------------------
class Generator:
    """Cases, their first messages and their issue groups, chunk by chunk (reproducible)."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        reference = sorted(communes().values(), key=lambda c: c.code)
        self.communes = [c.code for c in reference]
        self.province_of = {c.code: c.province_code for c in reference}
        # Heavy tail: a few urban wards write far more than rural communes.
        weights = [self.rng.lognormvariate(0, 1.0) for _ in reference]
        self.commune_cum = list(_cumulative(weights))
        self.topics = list(TOPIC_WEIGHTS)
        self.topic_cum = list(_cumulative(TOPIC_WEIGHTS.values()))
        self.channels = list(CHANNELS)
        self.channel_cum = list(_cumulative(CHANNELS.values()))
        texts: dict[str, list[str]] = {}
        for record in load_corpus(SHIPPED_CORPUS):
            texts.setdefault(record.topic, []).append(record.text)
        self.texts = texts
        self.campaign_weeks = {self.rng.randrange(DAYS // 7) for _ in range(6)}
        self.groups: dict[tuple[str, str, int], int] = {}
        self.next_group = 1

    def received_at(self) -> datetime:
        # Intake grows over the two years; campaign weeks bring bursts; fewer on Sundays.
        while True:
            age = self.rng.random() * DAYS
            growth = 0.6 + 0.4 * (1 - age / DAYS)
            burst = 2.5 if int(age // 7) in self.campaign_weeks else 1.0
            moment = NOW - timedelta(days=age)
            weekday = 0.6 if moment.weekday() == 6 else 1.0
            if self.rng.random() < growth * burst * weekday / 2.5:
                return moment

    def chunk(self, first_id: int, count: int) -> tuple[list[tuple[Any, ...]], ...]:
        rng = self.rng
        cases, messages, new_groups, ratings = [], [], [], []
        for case_id in range(first_id, first_id + count):
            commune = self.communes[_pick(rng, self.commune_cum)]
            province = self.province_of[commune]
            topic = self.topics[_pick(rng, self.topic_cum)]
            channel = self.channels[_pick(rng, self.channel_cum)]
            received = self.received_at()
            age_days = (NOW - received).total_seconds() / 86400
            text = rng.choice(self.texts.get(topic) or self.texts["other"])
            answered = rng.random() < min(0.97, 0.35 + age_days / 40)
            first_response = (
                received + timedelta(hours=rng.lognormvariate(3.0, 1.0))
                if answered or rng.random() < 0.3
                else None
            )
            answered_at = (
                max(first_response or received, received + timedelta(days=rng.expovariate(1 / 6)))
                if answered
                else None
            )
            if answered_at is not None and answered_at > NOW:
                answered_at, answered = None, False
            status = (
                rng.choice(["answered", "closed", "closed", "reopened"])
                if answered
                else rng.choice(["new", "triaged", "in_progress"])
            )
            due = received + timedelta(days=15) if rng.random() < 0.7 else None
            group_id = None
            if rng.random() < 0.35:
                key = (commune, topic, int(age_days // 30))
                group_id = self.groups.get(key)
                if group_id is None:
                    group_id = self.groups[key] = self.next_group
                    self.next_group += 1
                    new_groups.append(
                        (
                            group_id,
                            topic,
                            commune,
                            province,
                            "open",
                            text[:80],
                            0,
                            received,
                            received,
                        )
                    )
            cases.append(
                (
                    case_id,
                    f"B{case_id:09d}",
                    f"bench:{case_id}",
                    channel,
                    commune,
                    province,
                    text[:280],
                    text.lower(),
                    topic,
                    0.8,
                    "model",
                    "feedback",
                    False,
                    False,
                    status,
                    group_id,
                    due,
                    received,
                    received,
                    received + timedelta(seconds=2),
                    first_response,
                    answered_at,
                    answered_at if status == "closed" else None,
                    answered_at or received,
                )
            )
            messages.append(
                (case_id, case_id, "in", channel, f"bench-{case_id}", text, True, received)
            )
            if answered_at is not None and rng.random() < 0.2:  # a fifth of answers get rated
                stars = rng.choice([1, 2, 3, 4, 4, 5, 5, 5])
                resolved = status != "reopened" and (stars >= 3 or rng.random() < 0.3)
                rated_at = min(NOW, answered_at + timedelta(hours=rng.expovariate(1 / 12)))
                ratings.append((case_id, stars, resolved, rated_at))
        return cases, messages, new_groups, ratings


def _cumulative(weights: Any) -> Any:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    import bisect

    return bisect.bisect_left(cumulative, rng.random() * cumulative[-1])


CASE_COLUMNS = [
    "id",
    "tracking_code",
    "source_key",
    "channel",
    "commune_code",
    "province_code",
    "summary",
    "search_text",
    "topic",
    "topic_confidence",
    "topic_source",
    "kind",
    "urgent",
    "needs_review",
    "status",
    "group_id",
    "due_at",
    "received_at",
    "last_inbound_at",
    "classified_at",
    "first_response_at",
    "answered_at",
    "closed_at",
    "updated_at",
]
MESSAGE_COLUMNS = [
    "id",
    "case_id",
    "direction",
    "channel",
    "external_id",
    "text",
    "public",
    "created_at",
]
RATING_COLUMNS = ["case_id", "rating", "resolved", "at"]
GROUP_COLUMNS = [
    "id",
    "topic",
    "commune_code",
    "province_code",
    "status",
    "title",
    "size",
    "first_seen",
    "last_seen",
]


async def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def generate(url: str, regenerate: bool) -> int:
    """Fill the database once; returns the number of cases in it."""
    await ensure_database(url)
    settings = load_settings(
        {"DATABASE_URL": url, "TIENGDAN_ENV": "test", "TIENGDAN_SECRET_KEY": "x" * 40}
    )
    conn = await asyncpg.connect(url)
    try:
        if regenerate:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        await migrate_and_sync(settings)
        have = await conn.fetchval("SELECT count(*) FROM cases")
        if have >= CASES:
            return int(have)
        await conn.execute(
            "TRUNCATE case_ratings, messages, cases, issue_groups RESTART IDENTITY CASCADE"
        )
        generator = Generator()
        started = time.perf_counter()
        for first in range(1, CASES + 1, CHUNK):
            cases, messages, groups, ratings = generator.chunk(first, min(CHUNK, CASES + 1 - first))
            await conn.copy_records_to_table("issue_groups", records=groups, columns=GROUP_COLUMNS)
            await conn.copy_records_to_table("cases", records=cases, columns=CASE_COLUMNS)
            await conn.copy_records_to_table("messages", records=messages, columns=MESSAGE_COLUMNS)
            await conn.copy_records_to_table(
                "case_ratings", records=ratings, columns=RATING_COLUMNS
            )
            print(f"  {first + len(cases) - 1:>9,} cases", file=sys.stderr)
        await conn.execute(
            "UPDATE issue_groups g SET size = s.n, first_seen = s.first, last_seen = s.last"
            " FROM (SELECT group_id, count(*) AS n, min(received_at) AS first,"
            " max(received_at) AS last FROM cases WHERE group_id IS NOT NULL GROUP BY group_id) s"
            " WHERE g.id = s.group_id"
        )
        for table in ("cases", "messages", "issue_groups", "case_ratings"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 - fixed names
            )
        # Intake writes cases as they arrive; the generator draws their times at random.
        await conn.execute("CLUSTER cases USING ix_cases_received")
        await conn.execute("VACUUM ANALYZE cases")
        await conn.execute("VACUUM ANALYZE messages")
        await conn.execute("VACUUM ANALYZE issue_groups")
        await conn.execute("VACUUM ANALYZE case_ratings")
        print(f"  generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return CASES
    finally:
        await conn.close()


# -- timing -------------------------------------------------------------------------------------
def staff(role: Role, province: str | None = None, commune: str | None = None) -> Principal:
    return Principal(
        user_id=1,
        username="bench",
        full_name="",
        role=role,
        province_code=province,
        commune_codes=frozenset([commune] if commune else []),
    )


class Scopes:
    """Random callers of each kind, weighted like real use (busy provinces open more often)."""

    def __init__(self, rng: random.Random, by_province: dict[str, int], busy: list[str]) -> None:
        self.rng = rng
        self.provinces = list(by_province)
        self.busy_communes = busy

    def caller(self, kind: str) -> tuple[Principal, str | None]:
        """The caller, and the province they narrow to (the admin's drill-down)."""
        if kind in ("admin", ALL_COMMUNES):
            return staff(Role.ADMIN), None
        if kind == "admin, one province":
            return staff(Role.ADMIN), self.rng.choice(self.provinces)
        if kind == "province":
            return staff(Role.PROVINCE_STAFF, province=self.rng.choice(self.provinces)), None
        return staff(Role.COMMUNE_STAFF, commune=self.rng.choice(self.busy_communes)), None


Query = Callable[[SynthesisService, random.Random], Awaitable[Any]]


def _days_back(rng: random.Random, days: int) -> tuple[datetime, datetime]:
    end = NOW - timedelta(days=rng.randrange(0, 60))
    return end - timedelta(days=days), end


# Who asks: the dashboard shows the national admin the country province by province (a province
# opens its communes); the country's commune-level tables are API answers it never asks for.
ALL_COMMUNES = "admin, every commune (API only)"
LOCAL = ("admin, one province", "province", "commune")
EVERYONE = ("admin", *LOCAL)
COUNTRY = ("admin",)
QUERIES: dict[str, tuple[Query, tuple[str, ...]]] = {
    "stats/trends (week × 8)": (lambda s, r: s.trends("week", 8, None), EVERYONE),
    "stats/trends (month × 12)": (lambda s, r: s.trends("month", 12, None), EVERYONE),
    "stats/trends (day × 30)": (lambda s, r: s.trends("day", 30, None), EVERYONE),
    "stats/provinces (week)": (lambda s, r: s.by_province("week"), COUNTRY),
    "stats/provinces (month)": (lambda s, r: s.by_province("month"), COUNTRY),
    "stats/communes (week)": (lambda s, r: s.by_commune("week"), (*LOCAL, ALL_COMMUNES)),
    "stats/communes (month)": (lambda s, r: s.by_commune("month"), (*LOCAL, ALL_COMMUNES)),
    "stats/spikes (week)": (lambda s, r: s.spikes("week"), EVERYONE),
    "stats/response (30 d, by topic)": (
        lambda s, r: s.response(*_days_back(r, 30), "topic"),
        EVERYONE,
    ),
    "stats/response (30 d, by province)": (
        lambda s, r: s.response(*_days_back(r, 30), "province"),
        COUNTRY,
    ),
    "stats/response (30 d, by commune)": (
        lambda s, r: s.response(*_days_back(r, 30), "commune"),
        (*LOCAL, ALL_COMMUNES),
    ),
    "stats/coverage/provinces (90 d)": (
        lambda s, r: s.province_status(*_days_back(r, 90)),
        COUNTRY,
    ),
    "stats/coverage/provinces (180 d)": (
        lambda s, r: s.province_status(*_days_back(r, 180)),
        COUNTRY,
    ),
    "stats/coverage (90 d)": (
        lambda s, r: s.commune_status(*_days_back(r, 90)),
        (*LOCAL, ALL_COMMUNES),
    ),
    "stats/coverage (180 d)": (lambda s, r: s.commune_status(*_days_back(r, 180)), LOCAL),
    "stats/satisfaction (30 d, by topic)": (
        lambda s, r: _satisfaction(s).stats(*_days_back(r, 30), "topic"),
        EVERYONE,
    ),
    "stats/satisfaction (30 d, by province)": (
        lambda s, r: _satisfaction(s).stats(*_days_back(r, 30), "province"),
        COUNTRY,
    ),
    "stats/satisfaction (30 d, by commune)": (
        lambda s, r: _satisfaction(s).stats(*_days_back(r, 30), "commune"),
        (*LOCAL, ALL_COMMUNES),
    ),
}


def _satisfaction(service: SynthesisService) -> SatisfactionStatsService:
    """The satisfaction statistics on the same connection, for the same caller."""
    return SatisfactionStatsService(service.conn, service.principal, service.province_code)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


async def time_queries(url: str) -> list[tuple[str, str, float, float, float]]:
    engine = create_engine(DatabaseSettings(url=_async(url), pool_size=4))
    rng = random.Random(3)
    rows: list[tuple[str, str, float, float, float]] = []
    try:
        async with engine.connect() as conn:
            raw = await conn.exec_driver_sql(
                "SELECT province_code, count(*) FROM cases GROUP BY 1 ORDER BY 2 DESC"
            )
            by_province = {r[0]: r[1] for r in raw.all()}
            busy = [
                r[0]
                for r in (
                    await conn.exec_driver_sql(
                        "SELECT commune_code FROM cases GROUP BY 1 ORDER BY count(*) DESC LIMIT 300"
                    )
                ).all()
            ]
        scopes = Scopes(rng, by_province, busy)
        synthesis = SynthesisSettings()
        for name, (query, kinds) in QUERIES.items():
            for kind in kinds:
                times = []
                for _ in range(REPEATS):
                    principal, province = scopes.caller(kind)
                    started = time.perf_counter()
                    async with aggregate_connection(engine) as conn:
                        service = SynthesisService(conn, principal, synthesis, province)
                        await query(service, rng)
                    times.append((time.perf_counter() - started) * 1000)
                rows.append(
                    (name, kind, statistics.median(times), percentile(times, 0.95), max(times))
                )
                print(f"  {name} as {kind}: p95 {rows[-1][3]:.1f} ms", file=sys.stderr)
        return rows
    finally:
        await engine.dispose()


async def time_reports(url: str) -> list[tuple[str, int, float]]:
    """The yearly synthesis report of the largest, the median and the smallest province."""
    engine = create_engine(DatabaseSettings(url=_async(url), pool_size=2))
    start = datetime(NOW.year - 1, 1, 1, tzinfo=UTC)
    end = datetime(NOW.year, 1, 1, tzinfo=UTC)
    results = []
    try:
        async with engine.connect() as conn:
            ranked = [
                r[0]
                for r in (
                    await conn.exec_driver_sql(
                        "SELECT province_code FROM cases GROUP BY 1 ORDER BY count(*) DESC"
                    )
                ).all()
            ]
        for label, province in (
            ("largest", ranked[0]),
            ("median", ranked[len(ranked) // 2]),
            ("smallest", ranked[-1]),
        ):
            times = []
            cases = 0
            for _ in range(3):
                started = time.perf_counter()
                async with aggregate_connection(engine) as conn:
                    report = await build_report(
                        conn, staff(Role.PROVINCE_STAFF, province=province), start, end
                    )
                times.append(time.perf_counter() - started)
                cases = report.total_cases
            results.append((f"{label} province ({province})", cases, max(times)))
            print(f"  report {label}: {max(times):.2f} s", file=sys.stderr)
        return results
    finally:
        await engine.dispose()


def _async(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def time_refreshes(url: str) -> tuple[float, float]:
    """Seconds the worker's refresh of the daily topic counts takes: all days, then the window."""
    engine = create_engine(DatabaseSettings(url=_async(url), pool_size=1))
    try:
        started = time.perf_counter()
        await refresh(engine, NOW, timedelta(0), rebuild=True)
        rebuild = time.perf_counter() - started
        started = time.perf_counter()
        await refresh(engine, NOW, timedelta(0))
        return rebuild, time.perf_counter() - started
    finally:
        await engine.dispose()


async def main_async(url: str, regenerate: bool) -> None:
    total = await generate(url, regenerate)
    load = wait_for_quiet()
    rebuild, rolling = await time_refreshes(url)
    cpu = time.process_time()
    queries = await time_queries(url)
    reports = await time_reports(url)
    cpu = time.process_time() - cpu
    print(f"\n### Dashboards over {total:,} cases (PostgreSQL, {REPEATS} runs per row)\n")
    print(f"load average at start {load:.2f}; benchmark process CPU {cpu:.1f} s")
    print(
        f"daily topic counts refreshed by the worker: every day {rebuild:.1f} s, "
        f"the last {ROLLING_DAYS} days {rolling:.1f} s\n"
    )
    for title, rows in (
        ("what the dashboards ask", [q for q in queries if q[1] != ALL_COMMUNES]),
        (
            "the whole country at commune level (API only)",
            [q for q in queries if q[1] == ALL_COMMUNES],
        ),
    ):
        print(f"{title}:\n")
        print("| query | caller | p50 ms | p95 ms | max ms | p95 ≤ 100 ms |")
        print("|---|---|---:|---:|---:|---|")
        for name, kind, p50, p95, worst in rows:
            ok = "yes" if p95 <= TARGET_MS else "**no**"
            print(f"| {name} | {kind} | {p50:.1f} | {p95:.1f} | {worst:.1f} | {ok} |")
        print()
    print("| yearly synthesis report | cases | slowest of 3 (s) | ≤ 10 s |")
    print("|---|---:|---:|---|")
    for label, cases, seconds in reports:
        ok = "yes" if seconds <= REPORT_TARGET_S else "**no**"
        print(f"| {label} | {cases:,} | {seconds:.2f} | {ok} |")


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--regenerate", action="store_true", help="drop and generate the data again"
    )
    args = parser.parse_args()
    asyncio.run(main_async(os.environ.get("BENCH_DASHBOARDS_URL", DEFAULT_URL), args.regenerate))


if __name__ == "__main__":
    main()
