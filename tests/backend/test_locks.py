"""The embedded shape's named locks: every holder of one name in the process shares the lock."""

from __future__ import annotations

import asyncio

from backend.deliveries.locks import LockFactory, local_lock


async def test_local_locks_of_one_name_exclude_each_other() -> None:
    first, second, other = local_lock("zalo:oa"), local_lock("zalo:oa"), local_lock("other")
    entered: list[str] = []

    async def enter(lock_name: str, hold: LockFactory) -> None:
        async with hold():
            entered.append(lock_name)

    async with first():
        waiting = asyncio.create_task(enter("same name", second))
        free = asyncio.create_task(enter("other name", other))
        for _ in range(10):
            await asyncio.sleep(0)
        assert entered == ["other name"]  # a different name is not held up
    await asyncio.gather(waiting, free)
    assert entered == ["other name", "same name"]
