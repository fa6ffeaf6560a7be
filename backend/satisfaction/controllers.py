"""Satisfaction and reopen rates by topic, commune or province (staff, scoped)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from backend.db.engine import aggregate_connection
from backend.db.types import utcnow
from backend.deps import CurrentPrincipal, Resources
from backend.errors import Invalid
from backend.satisfaction.schemas import SatisfactionBy, SatisfactionStats
from backend.satisfaction.service import SatisfactionStatsService
from backend.synthesis.controllers import ProvinceParam


class SatisfactionController(Controller):
    path = "/api/v1/stats"
    tags = ["synthesis"]

    @get("/satisfaction")
    async def satisfaction(
        self,
        principal: CurrentPrincipal,
        resources: Resources,
        by: Annotated[SatisfactionBy, QueryParameter()] = "topic",
        start: Annotated[datetime | None, QueryParameter(name="from")] = None,
        end: Annotated[datetime | None, QueryParameter(name="to")] = None,
        province_code: ProvinceParam = None,
    ) -> SatisfactionStats:
        """Of the answers given in [from, to) (default: the last 30 days): ratings, resolved
        share and reopen rate, overall and per topic, commune or province."""
        end = end or utcnow()
        start = start or end - timedelta(days=30)
        if start.tzinfo is None or end.tzinfo is None:
            raise Invalid("from and to need a time zone")
        if start >= end:
            raise Invalid("from must be before to")
        async with aggregate_connection(resources.engine) as conn:
            service = SatisfactionStatsService(conn, principal, province_code)
            return await service.stats(start, end, by)
