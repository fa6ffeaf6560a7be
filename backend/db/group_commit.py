"""Group commit: concurrent requests share one transaction, each answered only after it commits.

Every request puts its item on a queue and awaits a future. One task per process takes whatever
is queued (up to `max_batch`), writes it in one transaction and resolves every future with its
own result, or fails them all with the same exception. Under low load a batch is one item, so
no latency is added; under load the batch grows by itself (no timer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

log = logging.getLogger(__name__)

BatchWriter = Callable[[Sequence[Item]], Awaitable[Sequence[Result]]]
AfterCommit = Callable[[Sequence[Result]], Awaitable[None]]


class GroupCommitter(Generic[Item, Result]):
    """Batches concurrent `submit` calls into one `write_batch` call."""

    def __init__(
        self,
        write_batch: BatchWriter[Item, Result],
        *,
        max_batch: int = 256,
        after_commit: AfterCommit[Result] | None = None,
    ) -> None:
        self._write_batch = write_batch
        self._after_commit = after_commit
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Item, asyncio.Future[Result]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._notifications: set[asyncio.Task[None]] = set()
        self.batches = 0
        self.items = 0

    async def submit(self, item: Item) -> Result:
        """Write `item` durably; returns its result once its transaction committed."""
        if self._task is None or self._task.done():
            raise RuntimeError("group committer is not running")
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        await self._queue.put((item, future))
        return await future

    @property
    def notifying(self) -> int:
        """After-commit notifications still running."""
        return len(self._notifications)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is None:
            return
        while not self._queue.empty():
            await asyncio.sleep(0.01)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self._notifications:
            await asyncio.gather(*self._notifications, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._flush(batch)

    async def _flush(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        items = [item for item, _ in batch]
        try:
            results = await self._write_batch(items)
        except Exception as exc:  # every waiter gets the failure; the loop keeps serving
            log.warning("group commit of %d items failed: %s", len(items), exc)
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        self.batches += 1
        self.items += len(items)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
        if self._after_commit is not None:
            # Off the commit loop: the next batch must not wait for a queue round trip.
            task = asyncio.create_task(self._notify(results))
            self._notifications.add(task)
            task.add_done_callback(self._notifications.discard)

    async def _notify(self, results: Sequence[Result]) -> None:
        assert self._after_commit is not None
        try:
            await self._after_commit(results)
        except Exception:  # waking workers is best effort: the sweeper re-finds the work
            log.exception("after-commit hook failed")
