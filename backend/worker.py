"""Every feature's jobs in one table, and the worker entry point (`tiengdan worker`)."""

from __future__ import annotations

import asyncio
import logging
import signal

from backend.classification.jobs import classify_cases, retrain_model
from backend.deliveries.jobs import deliver
from backend.jobs.context import JobFunction
from backend.jobs.sweep import sweep
from backend.observability.metrics import instrument_jobs
from backend.push.jobs import send_pushes
from backend.settings import Settings
from backend.synthesis.rollup import refresh_daily_counts
from backend.webhooks.jobs import process_inbound
from backend.webhooks.media import fetch_media
from backend.webhooks.runtime import ChannelRuntime

log = logging.getLogger(__name__)

# Wrapped once here so both queues (in-process and SAQ) count each job's outcome and time.
JOBS: dict[str, JobFunction] = instrument_jobs(
    {
        "classify_cases": classify_cases,
        "deliver": deliver,
        "fetch_media": fetch_media,
        "process_inbound": process_inbound,
        "refresh_daily_counts": refresh_daily_counts,
        "retrain_model": retrain_model,
        "send_pushes": send_pushes,
        "sweep": sweep,
    }
)


async def run_worker(settings: Settings) -> None:
    """Run SAQ workers against Redis until SIGTERM/SIGINT."""
    from backend.jobs.saq_queue import SaqQueue, build_worker
    from backend.resources import build_job_context

    if settings.redis_url is None:
        raise SystemExit("tiengdan worker needs REDIS_URL; the embedded shape runs jobs in-process")
    queue = SaqQueue(settings.redis_url)
    await queue.connect()
    ctx = build_job_context(settings, queue)
    from backend.live.hub import RedisPublisher

    live = RedisPublisher(settings.redis_url)  # case events reach the API processes' pages
    ctx.extra["live"] = live
    # Production: the worker polls the IMAP mailbox (one poller, not one per API process).
    channel_runtime = ChannelRuntime(ctx, receive_mail=False, poll_mail=True)
    await channel_runtime.start()
    every = max(1, round(settings.worker.sweep_seconds or 15))
    worker = build_worker(
        queue,
        ctx,
        JOBS,
        concurrency=settings.worker.concurrency,
        sweep_cron=f"* * * * * */{every}",
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    task = asyncio.create_task(worker.start())
    await stop.wait()
    await worker.stop()
    task.cancel()
    await channel_runtime.stop()
    await queue.disconnect()
    await live.close()
    await ctx.engine.dispose()
