"""The embedded queue: jobs run as tasks inside the API process, plus a periodic sweeper."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from backend.jobs.context import JobContext, JobFunction

log = logging.getLogger(__name__)


class InProcessQueue:
    """An asyncio queue with a few worker tasks; losing it loses nothing (the sweeper re-finds)."""

    def __init__(self, concurrency: int = 4, sweep_seconds: float = 15.0) -> None:
        self._queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self._concurrency = concurrency
        self._sweep_seconds = sweep_seconds
        self._tasks: list[asyncio.Task[None]] = []
        self._functions: Mapping[str, JobFunction] = {}
        self._ctx: JobContext | None = None
        self.idle = asyncio.Event()
        self.idle.set()
        self._running = 0

    async def wake(self, job: str, **kwargs: Any) -> None:
        self.idle.clear()
        await self._queue.put((job, kwargs))

    def start(self, ctx: JobContext, functions: Mapping[str, JobFunction]) -> None:
        self._ctx, self._functions = ctx, functions
        self._tasks = [
            asyncio.create_task(self._work(), name=f"job-{i}") for i in range(self._concurrency)
        ]
        if self._sweep_seconds > 0 and "sweep" in functions:
            self._tasks.append(asyncio.create_task(self._sweep_forever(), name="sweeper"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def drain(self) -> None:
        """Wait until every woken job (and the jobs they woke) has finished; used by tests."""
        while not (self._queue.empty() and self._running == 0):
            await asyncio.sleep(0.005)

    async def _work(self) -> None:
        while True:
            job, kwargs = await self._queue.get()
            self._running += 1
            try:
                await self._run(job, kwargs)
            finally:
                self._running -= 1
                if self._queue.empty() and self._running == 0:
                    self.idle.set()

    async def _run(self, job: str, kwargs: dict[str, Any]) -> None:
        function = self._functions.get(job)
        if function is None or self._ctx is None:
            log.error("no job named %s", job)
            return
        try:
            await function(self._ctx, **kwargs)
        except Exception:  # the work stays pending in the database; the sweeper retries it
            log.exception("job %s failed", job)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_seconds)
            await self.wake("sweep")
