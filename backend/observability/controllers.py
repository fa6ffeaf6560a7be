"""GET /metrics: Prometheus exposition of this host's processes plus the queue depth."""

from __future__ import annotations

from litestar import Controller, Response, get

from backend.deps import Resources
from backend.observability.depth import queue_depths
from backend.observability.metrics import CONTENT_TYPE, queue_depth_family, render


class MetricsController(Controller):
    tags = ["system"]

    @get("/metrics", media_type=CONTENT_TYPE, include_in_schema=False)
    async def metrics(self, resources: Resources) -> Response[bytes]:
        """Prometheus text format (scrape it from the internal network only)."""
        depths = await queue_depths(resources.engine)
        body = render(resources.settings.ops.metrics_dir, [queue_depth_family(depths)])
        return Response(body, media_type=CONTENT_TYPE)
