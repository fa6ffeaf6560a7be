"""Dashboard statistics (staff, scoped)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter

from backend.db.types import utcnow
from backend.deps import AppSettings, CurrentPrincipal, Resources
from backend.errors import Invalid
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
        async with resources.engine.connect() as conn:
            return await SynthesisService(
                conn, principal, settings.synthesis, province_code
            ).trends(period, periods, commune_code)

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
        async with resources.engine.connect() as conn:
            return await SynthesisService(
                conn, principal, settings.synthesis, province_code
            ).by_commune(period)

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
        async with resources.engine.connect() as conn:
            return await SynthesisService(
                conn, principal, settings.synthesis, province_code
            ).by_province(period)

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
        async with resources.engine.connect() as conn:
            return await SynthesisService(
                conn, principal, settings.synthesis, province_code
            ).spikes(period)

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
        async with resources.engine.connect() as conn:
            return await SynthesisService(
                conn, principal, settings.synthesis, province_code
            ).response(start, end, by)

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
        async with resources.engine.connect() as conn:
            return await SynthesisService(
                conn, principal, settings.synthesis, province_code
            ).commune_status(start, end)

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
        async with resources.engine.connect() as conn:
            return await SynthesisService(
                conn, principal, settings.synthesis, province_code
            ).province_status(start, end)
