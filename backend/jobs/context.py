"""What every background job receives: the database, the queue and the outbound channels."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.settings import Settings
from channels.base import Channel


class WorkQueue(Protocol):
    """Wakes workers up; the database holds the work itself (DESIGN.md §4 rule 1)."""

    async def wake(self, job: str, **kwargs: Any) -> None: ...


class CaseClassifier(Protocol):
    """Classifies and groups cases that have no topic yet (filled by the classifiers package)."""

    async def classify(self, ctx: JobContext, case_ids: list[int]) -> int: ...


@dataclass
class JobContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    queue: WorkQueue
    channels: Mapping[str, Channel]
    classifier: CaseClassifier
    extra: dict[str, Any] = field(default_factory=dict)


JobFunction = Callable[..., Awaitable[Any]]
