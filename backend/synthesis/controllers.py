"""Dashboard statistics (staff, scoped)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Annotated, Literal

from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter

from backend.accounts.principal import Principal
from backend.db.engine import aggregate_connection
from backend.db.types import utcnow
from backend.deps import AppSettings, CurrentPrincipal, Resources
from backend.errors import Invalid
from backend.resources import AppResources
from backend.settings import Settings
from backend.synthesis.schemas import (
    CommuneStatus,
    CommuneTopicCount,
    ProvinceStatus,
    ProvinceTopicCount,
    ResponseMetrics,
    Spike,
    Trends,
)
from backend.synthesis.service import SynthesisService

PeriodParam = Annotated[Literal["day", "week", "month"], QueryParameter()]
# One province of the caller's scope (an admin's drill-down); absent: the whole scope.
ProvinceParam = Annotated[str | None, QueryParameter(min_length=1, max_length=10)]


@asynccontextmanager
async def _service(
    resources: AppResources,
    principal: Principal,
    settings: Settings,
    province_code: str | None,
) -> AsyncIterator[SynthesisService]:
    async with aggregate_connection(resources.engine) as conn:
        yield SynthesisService(conn, principal, settings.synthesis, province_code)


def _range(
    start: datetime | None, end: datetime | None, days: int = 30
) -> tuple[datetime, datetime]:
    end = end or utcnow()
    start = start or end - timedelta(days=days)
    if start >= end:
        raise Invalid("from must be before to")
    return start, end


class SynthesisController(Controller):
    path = "/api/v1/stats"
    tags = ["synthesis"]

    @get("/trends")
    async def trends(
        self,
        principal: CurrentPrincipal,
        resources: Resources,
        settings: AppSettings,
        period: PeriodParam = "week",
        periods: Annotated[int, QueryParameter(ge=2, le=60)] = 8,
        commune_code: FromQuery[str | None] = None,
        province_code: ProvinceParam = None,
    ) -> Trends:
        """Cases per topic per period (Vietnam time), with the change against the previous period."""
        async with _service(resources, principal, settings, province_code) as stats:
            return await stats.trends(period, periods, commune_code)

    @get("/communes")
    async def by_commune(
        self,
        principal: CurrentPrincipal,
        resources: Resources,
        settings: AppSettings,
        period: PeriodParam = "week",
        province_code: ProvinceParam = None,
    ) -> list[CommuneTopicCount]:
        """The topic × commune table of the current period, with the change against the previous one."""
        async with _service(resources, principal, settings, province_code) as stats:
            return await stats.by_commune(period)

    @get("/provinces")
    async def by_province(
        self,
        principal: CurrentPrincipal,
        resources: Resources,
        settings: AppSettings,
        period: PeriodParam = "week",
        province_code: ProvinceParam = None,
    ) -> list[ProvinceTopicCount]:
        """The topic × province table of the current period, with the change against the previous
        one: the whole country at a glance (commune detail: `/stats/communes` of one province)."""
        async with _service(resources, principal, settings, province_code) as stats:
            return await stats.by_province(period)

    @get("/spikes")
    async def spikes(
        self,
        principal: CurrentPrincipal,
        resources: Resources,
        settings: AppSettings,
        period: PeriodParam = "week",
        province_code: ProvinceParam = None,
    ) -> list[Spike]:
        """Topics and issue groups rising well above their recent baseline."""
        async with _service(resources, principal, settings, province_code) as stats:
            return await stats.spikes(period)

    @get("/response")
    async def response(
        self,
        principal: CurrentPrincipal,
        resources: Resources,
        settings: AppSettings,
        by: Annotated[Literal["all", "topic", "commune", "province"], QueryParameter()] = "all",
        received_from: FromQuery[datetime | None] = None,
        received_to: FromQuery[datetime | None] = None,
        province_code: ProvinceParam = None,
    ) -> list[ResponseMetrics]:
        """First-response time, answered within due date and reopened share."""
        start, end = _range(received_from, received_to)
        async with _service(resources, principal, settings, province_code) as stats:
            return await stats.response(start, end, by)

    @get("/coverage")
    async def coverage(
        self,
        principal: CurrentPrincipal,
        resources: Resources,
        settings: AppSettings,
        received_from: FromQuery[datetime | None] = None,
        received_to: FromQuery[datetime | None] = None,
        province_code: ProvinceParam = None,
    ) -> list[CommuneStatus]:
        """Each commune in scope coloured green/yellow/red by its share of overdue open cases."""
        start, end = _range(received_from, received_to, days=90)
        async with _service(resources, principal, settings, province_code) as stats:
            return await stats.commune_status(start, end)

    @get("/coverage/provinces")
    async def province_coverage(
        self,
        principal: CurrentPrincipal,
        resources: Resources,
        settings: AppSettings,
        received_from: FromQuery[datetime | None] = None,
        received_to: FromQuery[datetime | None] = None,
        province_code: ProvinceParam = None,
    ) -> list[ProvinceStatus]:
        """Each province in scope coloured like the communes: the country's view of overdue work."""
        start, end = _range(received_from, received_to, days=90)
        async with _service(resources, principal, settings, province_code) as stats:
            return await stats.province_status(start, end)
