"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Response, get
from sqlalchemy import text

from backend.deps import Resources


class Health(msgspec.Struct):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class SystemController(Controller):
    tags = ["system"]

    @get("/health")
    async def health(self) -> Health:
        """Liveness: the process answers."""
        return Health(status="ok")

    @get("/ready")
    async def ready(self, resources: Resources) -> Response[Health]:
        """Readiness: the database answers, and Redis too when configured."""
        checks: dict[str, str] = {}
        try:
            async with resources.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {exc.__class__.__name__}"
        if resources.settings.redis_url is not None:
            checks["redis"] = await _redis_check(resources.settings.redis_url)
        ok = all(v == "ok" for v in checks.values())
        return Response(
            Health(status="ok" if ok else "unavailable", checks=checks),
            status_code=200 if ok else 503,
        )


async def _redis_check(url: str) -> str:
    from redis.asyncio import Redis

    client: Any = Redis.from_url(url, socket_timeout=2)
    try:
        await client.ping()
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    finally:
        await client.aclose()
