"""The synthesis report, as JSON or a file to forward."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.params import FromQuery, QueryParameter

from backend.db.engine import aggregate_connection
from backend.db.types import utcnow
from backend.deps import CurrentPrincipal, Resources
from backend.errors import Invalid
from backend.reports.exports import to_csv, to_docx, to_xlsx
from backend.reports.service import SynthesisReport, build_report

MEDIA = {
    "csv": ("text/csv", to_csv),  # Litestar adds "; charset=utf-8" to text/* itself
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", to_docx),
}


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ["synthesis"]

    @get("/synthesis", media_type="application/json")
    async def synthesis(
        self,
        principal: CurrentPrincipal,
        resources: Resources,
        received_from: FromQuery[datetime | None] = None,
        received_to: FromQuery[datetime | None] = None,
        format: Annotated[Literal["json", "csv", "xlsx", "docx"], QueryParameter()] = "json",
    ) -> Response[SynthesisReport] | Response[bytes]:
        """Opinions and recommendations of the period, grouped by topic (JSON, CSV, XLSX or DOCX)."""
        end = received_to or utcnow()
        start = received_from or end - timedelta(days=30)
        if start >= end:
            raise Invalid("from must be before to")
        async with aggregate_connection(resources.engine) as conn:
            report = await build_report(conn, principal, start, end)
        if format == "json":
            return Response(report)
        media_type, render = MEDIA[format]
        name = f"tong-hop-y-kien-{start:%Y%m%d}-{end:%Y%m%d}.{format}"
        return Response(
            render(report),
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
