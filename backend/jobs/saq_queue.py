"""The production queue: SAQ on Redis. It only carries wake-ups; the database carries the work.

SAQ is the asyncio job queue Litestar's ecosystem uses (litestar-saq wraps it); we drive it
directly because our worker entry point is `tiengdan worker`, not Litestar's CLI.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from saq import CronJob, Queue, Worker

from backend.jobs.context import JobContext, JobFunction

log = logging.getLogger(__name__)
QUEUE_NAME = "tiengdan"


class SaqQueue:
    """Enqueues wake-ups on Redis; a failure is logged, never raised (the sweeper covers it)."""

    def __init__(self, redis_url: str) -> None:
        self.queue = Queue.from_url(redis_url, name=QUEUE_NAME)

    async def connect(self) -> None:
        await self.queue.connect()

    async def disconnect(self) -> None:
        await self.queue.disconnect()

    async def wake(self, job: str, **kwargs: Any) -> None:
        try:
            await self.queue.enqueue(job, timeout=300, **kwargs)
        except Exception as exc:  # Redis down: the work is committed and the sweeper re-finds it
            log.warning("could not enqueue %s: %s", job, exc)


def _wrap(name: str, function: JobFunction) -> Callable[..., Awaitable[Any]]:
    async def run(saq_ctx: dict[str, Any], **kwargs: Any) -> Any:
        return await function(saq_ctx["tiengdan"], **kwargs)

    run.__name__ = run.__qualname__ = name  # SAQ finds functions by name
    return run


def build_worker(
    queue: SaqQueue,
    ctx: JobContext,
    functions: Mapping[str, JobFunction],
    *,
    concurrency: int,
    sweep_cron: str = "* * * * * */15",
    retrain_cron: str = "0 19 * * *",  # 02:00 in Vietnam: corrections of the day feed the model
) -> Worker[Any]:
    """A SAQ worker running our job functions, with the sweeper as a cron job."""

    async def startup(saq_ctx: dict[str, Any]) -> None:
        saq_ctx["tiengdan"] = ctx

    wrapped = {name: _wrap(name, fn) for name, fn in functions.items()}
    cron = []
    if "sweep" in wrapped:
        cron.append(CronJob(wrapped["sweep"], cron=sweep_cron, timeout=120))
    if "retrain_model" in wrapped:
        cron.append(CronJob(wrapped["retrain_model"], cron=retrain_cron, timeout=1800))
    return Worker(
        queue.queue,
        functions=list(wrapped.values()),
        cron_jobs=cron,
        concurrency=concurrency,
        startup=startup,
    )
