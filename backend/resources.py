"""The long-lived parts of a process (engine, queue, channels, classifier), built from settings."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.classification.service import ModelCaseClassifier
from backend.db.engine import create_engine, create_session_factory
from backend.db.group_commit import GroupCommitter
from backend.deliveries.channels import configured_channels, http_client
from backend.feedback.service import IntakeService
from backend.feedback.store import CaseStore, NewCase, StoredCase
from backend.jobs.context import JobContext, WorkQueue
from backend.live.events import CaseEvent, publish_events
from backend.settings import Settings
from channels.base import Channel


def build_channels(
    settings: Settings, engine: AsyncEngine, client: httpx.AsyncClient
) -> Mapping[str, Channel]:
    """The channels this deployment has: web always; Zalo, Messenger, e-mail when configured."""
    return configured_channels(settings, engine, client)


def build_job_context(settings: Settings, queue: WorkQueue) -> JobContext:
    engine = create_engine(settings.database)
    client = http_client()  # shared by every provider API; closed with the ChannelRuntime
    return JobContext(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        queue=queue,
        channels=build_channels(settings, engine, client),
        classifier=ModelCaseClassifier(settings.models_dir),
        extra={"http_client": client},
    )


@dataclass
class AppResources:
    """What the API process holds while it runs."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    queue: WorkQueue
    store: CaseStore
    committer: GroupCommitter[NewCase, StoredCase]
    intake: IntakeService
    jobs: JobContext

    async def settle(self) -> None:
        """Wait until committed work has woken its jobs and the in-process queue ran them (tests)."""
        while self.committer.notifying:
            await asyncio.sleep(0.005)
        drain = getattr(self.queue, "drain", None)
        if drain is not None:
            await drain()


def build_committer(
    store: CaseStore, queue: WorkQueue, max_batch: int, jobs: JobContext | None = None
) -> GroupCommitter[NewCase, StoredCase]:
    """Group commit for new cases; after each commit, wake the classifier for the new ones
    and (with `jobs`) tell the live staff pages about them."""

    async def wake_classifier(results: list[StoredCase] | tuple[StoredCase, ...]) -> None:
        created = [r for r in results if r.created]
        if created:
            await queue.wake("classify_cases", case_ids=[r.case_id for r in created])
        if jobs is not None and created:
            events = [
                CaseEvent(
                    case_id=r.case_id,
                    tracking_code=r.tracking_code,
                    commune_code=r.commune_code,
                    province_code=r.province_code or None,
                    status=r.status,
                    change="created",
                )
                for r in created
            ]
            await publish_events(jobs, events)

    return GroupCommitter(store.write, max_batch=max_batch, after_commit=wake_classifier)  # type: ignore[arg-type]
