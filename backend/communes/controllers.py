"""The reference list for pickers (public, cacheable)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from backend.communes.reference import CommuneRef, ProvinceRef, communes, provinces
from backend.communes.service import search


class CommuneController(Controller):
    path = "/api/v1"
    tags = ["communes"]

    @get("/provinces", cache=3600)
    async def list_provinces(self) -> list[ProvinceRef]:
        """All 34 provinces and centrally-run cities."""
        return sorted(provinces().values(), key=lambda p: p.code)

    @get("/communes", cache=3600)
    async def list_communes(
        self,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        province: Annotated[str | None, QueryParameter(pattern=r"^\d{2}$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=5000)] = 5000,
    ) -> list[CommuneRef]:
        """Communes, wards and special zones; `q` matches names without diacritics too."""
        if q:
            return search(q, province, limit)
        rows = [c for c in communes().values() if province is None or c.province_code == province]
        return rows[:limit]
