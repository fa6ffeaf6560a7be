"""Dashboard statistics: trends by topic × commune × period, spikes, response metrics and the
green/yellow/red coverage of communes. Every query is limited to the caller's scope."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime
from typing import Any, Literal

import msgspec
from sqlalchemy import Integer, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.accounts.principal import Principal
from backend.communes.reference import communes, provinces
from backend.db.models import Case, CaseStatus, IssueGroup, Role
from backend.db.models.synthesis import NATIONAL
from backend.db.types import utcnow
from backend.errors import Invalid
from backend.settings import SynthesisSettings
from backend.synthesis.periods import (
    VIETNAM,
    Period,
    bucket,
    hours_between,
    period_start,
    shift,
    utc_bounds,
)
from backend.synthesis.rollup import counted_before, daily_counts
from backend.synthesis.schemas import (
    CommuneStatus,
    CommuneTopicCount,
    ProvinceStatus,
    ProvinceTopicCount,
    ResponseMetrics,
    Spike,
    TopicSeries,
    Trends,
)

CASES = Case.__table__  # type: ignore[attr-defined]
GROUPS = IssueGroup.__table__  # type: ignore[attr-defined]
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED)
Area = Literal["commune", "province"]
AREA_COLUMNS = {"commune": CASES.c.commune_code, "province": CASES.c.province_code}


def known_province(province_code: str | None) -> str | None:
    """The `province_code` filter of the statistics, checked against the reference list."""
    if province_code is not None and province_code not in provinces():
        raise Invalid(f"unknown province code {province_code}", field="province_code")
    return province_code


def case_scope(principal: Principal, province_code: str | None) -> Any:
    """The caller's cases, narrowed to one province when asked (never widened): a national
    admin's drill-down; staff asking for another province get nothing."""
    scope = principal.scope(CASES.c.commune_code, CASES.c.province_code)
    if province_code is None:
        return scope
    return and_(scope, CASES.c.province_code == province_code)


def change_pct(current: int, previous: int) -> float | None:
    return None if previous == 0 else round(100.0 * (current - previous) / previous, 1)


class SynthesisService:
    def __init__(
        self,
        conn: AsyncConnection,
        principal: Principal,
        settings: SynthesisSettings,
        province_code: str | None = None,
    ) -> None:
        """`province_code` narrows the caller's scope to one province (a national admin's
        drill-down; for anyone else it can only narrow, never widen)."""
        principal.require_staff()
        self.conn = conn
        self.principal = principal
        self.settings = settings
        self.province_code = known_province(province_code)
        self.dialect = conn.dialect.name

    def _scope(self) -> Any:
        return case_scope(self.principal, self.province_code)

    def _window(
        self, period: Period, periods: int, now: datetime | None
    ) -> tuple[list[date], datetime, datetime]:
        last = period_start(now or utcnow(), period)
        starts = [shift(last, period, -i) for i in range(periods - 1, -1, -1)]
        start, end = utc_bounds(starts[0], shift(last, period, 1))
        return starts, start, end

    def _rollup_scope(self) -> str | None:
        """Which daily counts cover this caller's whole scope (None: count the cases)."""
        if self.principal.is_admin:
            return self.province_code or NATIONAL
        own = self.principal.province_code
        if self.principal.role is Role.PROVINCE_STAFF and own and self.province_code in (None, own):
            return own
        return None  # a commune officer's few communes are quick to count (or nothing is in scope)

    async def _counts(
        self,
        period: Period,
        start: datetime,
        end: datetime,
        *extra: Any,
        by_province: bool = False,
    ) -> list[Any]:
        """(bucket, topic[, province_code], n) rows; a bucket may come in two rows (add them)."""
        scope = None if extra else self._rollup_scope()
        before = await counted_before(self.conn) if scope is not None else None
        first = start.astimezone(VIETNAM).date()
        if scope is None or before is None or before <= first:
            return await self._case_counts(period, start, end, *extra, by_province=by_province)
        split = min(before, end.astimezone(VIETNAM).date())
        counted = await daily_counts(
            self.conn, scope, period, first, split, by_province=by_province
        )
        live = utc_bounds(split, split)[0]
        return counted + await self._case_counts(period, live, end, by_province=by_province)

    async def _case_counts(
        self,
        period: Period,
        start: datetime,
        end: datetime,
        *extra: Any,
        by_province: bool = False,
    ) -> list[Any]:
        key = bucket(CASES.c.received_at, period, self.dialect).label("bucket")
        columns = [key, CASES.c.topic] + ([CASES.c.province_code] if by_province else [])
        query = (
            select(*columns, func.count().label("n"))
            .where(
                self._scope(),
                CASES.c.received_at >= start,
                CASES.c.received_at < end,
                CASES.c.topic.is_not(None),
                *extra,
            )
            .group_by(*columns)
        )
        return list((await self.conn.execute(query)).all())

    async def trends(
        self, period: Period, periods: int, commune_code: str | None, now: datetime | None = None
    ) -> Trends:
        """Cases per topic per period, with the change of the last period against the one before."""
        starts, start, end = self._window(period, periods, now)
        extra = [CASES.c.commune_code == commune_code] if commune_code else []
        index = {d.isoformat(): i for i, d in enumerate(starts)}
        table: dict[str, list[int]] = defaultdict(lambda: [0] * len(starts))
        for row in await self._counts(period, start, end, *extra):
            if str(row.bucket) in index:
                table[row.topic][index[str(row.bucket)]] += row.n
        series = [
            TopicSeries(
                topic=topic,
                counts=counts,
                current=counts[-1],
                previous=counts[-2] if len(counts) > 1 else 0,
                change_pct=change_pct(counts[-1], counts[-2]) if len(counts) > 1 else None,
            )
            for topic, counts in sorted(table.items(), key=lambda item: -sum(item[1]))
        ]
        return Trends(period=period, buckets=list(index), series=series)

    async def by_commune(
        self, period: Period, now: datetime | None = None
    ) -> list[CommuneTopicCount]:
        """The topic × commune table for the current period, with the change against the previous
        one (counted from the cases: the daily counts hold provinces, not communes)."""
        starts, start, end = self._window(period, 2, now)
        middle = utc_bounds(starts[1], starts[1])[0]
        return [
            CommuneTopicCount(
                commune_code=code,
                topic=topic,
                current=current,
                previous=previous,
                change_pct=change_pct(current, previous),
            )
            for code, topic, current, previous in await self._two_periods(start, middle, end)
        ]

    async def by_province(
        self, period: Period, now: datetime | None = None
    ) -> list[ProvinceTopicCount]:
        """The topic × province table: the country at a glance (read from the daily counts)."""
        return [
            ProvinceTopicCount(
                province_code=code,
                topic=topic,
                current=current,
                previous=previous,
                change_pct=change_pct(current, previous),
            )
            for code, topic, current, previous in await self._province_periods(period, now)
        ]

    async def _province_periods(
        self, period: Period, now: datetime | None
    ) -> list[tuple[str, str, int, int]]:
        """(province, topic, current, previous) for the last two periods, busiest first."""
        starts, start, end = self._window(period, 2, now)
        current, previous = starts[1].isoformat(), starts[0].isoformat()
        cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for row in await self._counts(period, start, end, by_province=True):
            slot = 1 if str(row.bucket) == current else 0 if str(row.bucket) == previous else None
            if slot is not None:
                cells[(row.province_code, row.topic)][slot] += row.n
        return [
            (code, topic, v[1], v[0])
            for (code, topic), v in sorted(cells.items(), key=lambda item: (-item[1][1], item[0]))
        ]

    async def _two_periods(
        self, start: datetime, middle: datetime, end: datetime
    ) -> list[tuple[str, str, int, int]]:
        """(commune, topic, cases of [middle, end), cases of [start, middle)), busiest first:
        both periods counted in one pass."""
        current = func.count().filter(CASES.c.received_at >= middle)
        query = (
            select(CASES.c.commune_code, CASES.c.topic, current, func.count() - current)
            .where(
                self._scope(),
                CASES.c.received_at >= start,
                CASES.c.received_at < end,
                CASES.c.topic.is_not(None),
            )
            .group_by(CASES.c.commune_code, CASES.c.topic)
        )
        rows = [tuple(row) for row in (await self.conn.execute(query)).all()]
        return sorted(rows, key=lambda row: (-row[2], row[0], row[1]))  # type: ignore[return-value]

    async def spikes(self, period: Period, now: datetime | None = None) -> list[Spike]:
        """Topics and groups whose last period rose well above the mean of the earlier ones."""
        baseline_periods = self.settings.spike_baseline_periods
        starts, start, end = self._window(period, baseline_periods + 1, now)
        found: list[Spike] = []
        per_topic: dict[str, list[int]] = defaultdict(lambda: [0] * len(starts))
        index = {d.isoformat(): i for i, d in enumerate(starts)}
        for row in await self._counts(period, start, end):
            if str(row.bucket) in index:
                per_topic[row.topic][index[str(row.bucket)]] += row.n
        for topic, counts in per_topic.items():
            found.extend(self._spike("topic", topic, topic, counts))
        # Only groups with spike_min_cases in the last period can be rising: their history is
        # counted on the cases alone (index-only scans), and the few titles read afterwards.
        grouped = [self._scope(), CASES.c.received_at < end, CASES.c.group_id.is_not(None)]
        last_start = utc_bounds(starts[-1], starts[-1])[0]
        candidates = (
            select(CASES.c.group_id)
            .where(*grouped, CASES.c.received_at >= last_start)
            .group_by(CASES.c.group_id)
            .having(func.count() >= self.settings.spike_min_cases)
        )
        key = bucket(CASES.c.received_at, period, self.dialect).label("bucket")
        query = (
            select(key, CASES.c.group_id, func.count().label("n"))
            .where(*grouped, CASES.c.received_at >= start, CASES.c.group_id.in_(candidates))
            .group_by(key, CASES.c.group_id)
        )
        per_group: dict[int, list[int]] = defaultdict(lambda: [0] * len(starts))
        for row in (await self.conn.execute(query)).all():
            if str(row.bucket) in index:
                per_group[row.group_id][index[str(row.bucket)]] += row.n
        rising = {
            group_id: spike
            for group_id, counts in per_group.items()
            for spike in self._spike("group", str(group_id), "", counts)
        }
        if rising:
            titles = select(GROUPS.c.id, GROUPS.c.title).where(GROUPS.c.id.in_(list(rising)))
            for group_id, title in (await self.conn.execute(titles)).all():
                found.append(msgspec.structs.replace(rising[group_id], title=title))
        return sorted(found, key=lambda s: -(s.current - s.baseline))

    def _spike(
        self, kind: Literal["topic", "group"], key: str, title: str, counts: list[int]
    ) -> list[Spike]:
        baseline = statistics.fmean(counts[:-1]) if len(counts) > 1 else 0.0
        current = counts[-1]
        rising = (
            current >= self.settings.spike_min_cases
            and current >= self.settings.spike_factor * max(baseline, 1.0)
        )
        return (
            [Spike(kind=kind, key=key, title=title, current=current, baseline=round(baseline, 2))]
            if rising
            else []
        )

    async def response(self, start: datetime, end: datetime, by: str) -> list[ResponseMetrics]:
        """First-response time, answered within due date and reopened share, overall or per
        topic / commune / province.

        Counted by the database; the median too on PostgreSQL (percentile_cont), while SQLite,
        which has no such aggregate, sends the first-response hours for Python to take it.
        """
        group_column = {"topic": CASES.c.topic, **AREA_COLUMNS}.get(by)
        key = (group_column if group_column is not None else literal("all")).label("key")
        hours = hours_between(CASES.c.received_at, CASES.c.first_response_at, self.dialect)
        answered = CASES.c.answered_at.is_not(None)
        with_due = and_(answered, CASES.c.due_at.is_not(None))
        window = [self._scope(), CASES.c.received_at >= start, CASES.c.received_at < end]
        median = (
            func.percentile_cont(0.5).within_group(hours)
            if self.dialect == "postgresql"
            else literal(None)
        )
        query = (
            select(
                key,
                func.count().label("cases"),
                func.sum(answered.cast(self._int())).label("answered"),
                func.sum(with_due.cast(self._int())).label("with_due"),
                func.sum(
                    and_(with_due, CASES.c.answered_at <= CASES.c.due_at).cast(self._int())
                ).label("within_due"),
                func.sum((CASES.c.status == CaseStatus.REOPENED.value).cast(self._int())).label(
                    "reopened"
                ),
                median.label("median_hours"),
            )
            .where(*window)
            .group_by(*([group_column] if group_column is not None else []))
        )
        rows = [row for row in (await self.conn.execute(query)).all() if row.cases]
        medians = {str(row.key): row.median_hours for row in rows}
        if self.dialect != "postgresql":
            first: dict[str, list[float]] = defaultdict(list)
            hours_query = select(key, hours.label("hours")).where(*window, hours.is_not(None))
            for row in (await self.conn.execute(hours_query)).all():
                first[str(row.key)].append(float(row.hours))
            medians = {k: statistics.median(v) for k, v in first.items()}
        return sorted(
            (self._metrics(row, medians.get(str(row.key))) for row in rows), key=lambda m: m.key
        )

    @staticmethod
    def _metrics(row: Any, median_hours: float | None) -> ResponseMetrics:
        return ResponseMetrics(
            key=str(row.key),
            cases=row.cases,
            answered=row.answered or 0,
            median_first_response_hours=round(float(median_hours), 2)
            if median_hours is not None
            else None,
            answered_within_due_share=round((row.within_due or 0) / row.with_due, 3)
            if row.with_due
            else None,
            reopened_share=round((row.reopened or 0) / row.cases, 3),
        )

    async def commune_status(self, start: datetime, end: datetime) -> list[CommuneStatus]:
        """Each commune in scope with cases: green/yellow/red from the configured thresholds."""
        reference = communes()
        return [
            CommuneStatus(
                commune_code=code,
                commune_name=reference[code].name if code in reference else code,
                **figures,
            )
            for code, figures in await self._coverage(start, end, "commune")
        ]

    async def province_status(self, start: datetime, end: datetime) -> list[ProvinceStatus]:
        """Each province in scope with cases, coloured like the communes (the country's view)."""
        reference = provinces()
        return [
            ProvinceStatus(
                province_code=code,
                province_name=reference[code].name if code in reference else code,
                **figures,
            )
            for code, figures in await self._coverage(start, end, "province")
        ]

    async def _coverage(
        self, start: datetime, end: datetime, by: Area
    ) -> list[tuple[str, dict[str, Any]]]:
        """(area code, figures) for every area in scope with cases, red first, then yellow, green."""
        now = utcnow()
        open_case = CASES.c.status.in_([s.value for s in OPEN_STATUSES])
        overdue = or_(
            CASES.c.due_at < now,
            and_(CASES.c.due_at.is_(None), CASES.c.received_at < now - self.settings.overdue_after),
        )
        area = AREA_COLUMNS[by]
        query = (
            select(
                area.label("code"),
                func.count().label("cases"),
                func.sum(open_case.cast(self._int())).label("open_cases"),
                func.sum(and_(open_case, overdue).cast(self._int())).label("overdue"),
            )
            .where(self._scope(), CASES.c.received_at >= start, CASES.c.received_at < end)
            .group_by(area)
        )
        found = [
            (row.code, self._colour(row.cases, row.open_cases or 0, row.overdue or 0))
            for row in (await self.conn.execute(query)).all()
        ]
        rank = {"red": 0, "yellow": 1, "green": 2}
        return sorted(found, key=lambda item: (rank[item[1]["status"]], item[0]))

    def _colour(self, cases: int, open_cases: int, overdue: int) -> dict[str, Any]:
        overdue_share = overdue / cases
        status = (
            "red"
            if overdue_share > self.settings.red_overdue_share
            else "yellow"
            if overdue_share > self.settings.yellow_overdue_share
            else "green"
        )
        return {
            "cases": cases,
            "open_cases": open_cases,
            "overdue": overdue,
            "answered_share": round(1.0 - open_cases / cases, 3),
            "status": status,
        }

    @staticmethod
    def _int() -> Any:
        return Integer()
