"""create_app(settings): plugins, controllers, dependency injection, error handlers, lifespan."""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Router
from litestar.config.compression import CompressionConfig
from litestar.config.response_cache import ResponseCacheConfig, default_cache_key_builder
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router
from litestar.stores.memory import MemoryStore
from litestar.stores.registry import StoreRegistry
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.auth import provide_principal
from backend.accounts.controllers import AuthController
from backend.cases.controllers import CaseController
from backend.classification.controllers import ModelController
from backend.communes.controllers import CommuneController
from backend.errors import EXCEPTION_HANDLERS, document_errors
from backend.feedback.controllers import FeedbackController
from backend.feedback.service import IntakeService
from backend.feedback.store import case_store
from backend.feedback.submit import SUBMIT_OPERATION, submit_feedback
from backend.forwarding.controllers import DepartmentController, ForwardingController
from backend.groups.controllers import GroupController
from backend.jobs.inprocess import InProcessQueue
from backend.live.controllers import LiveController
from backend.live.hub import PluginPublisher, channels_plugin
from backend.meetings.controllers import MeetingController
from backend.observability.controllers import MetricsController
from backend.observability.logs import app_logging_config
from backend.observability.middleware import RequestMiddleware
from backend.open311.admin import ApiKeyController
from backend.open311.controllers import open311_router
from backend.posters.controllers import PosterController
from backend.public_answers.controllers import PublicAnswerController, PublicationController
from backend.push.controllers import CampaignController, FollowUpController, PushController
from backend.raw_http import documentation_plugins
from backend.reports.controllers import ReportController
from backend.resources import AppResources, build_committer, build_job_context
from backend.satisfaction.controllers import SatisfactionController
from backend.settings import Settings, load_settings
from backend.stores import FailOpenStore
from backend.suggestions.controllers import CannedController, SuggestionController
from backend.synthesis.controllers import SynthesisController
from backend.system.controllers import SystemController
from backend.system.pwa import PWA_DIR, PwaPagesController
from backend.webhooks.controllers import WEBHOOK_HANDLERS
from backend.webhooks.runtime import ChannelRuntime
from backend.worker import JOBS


def _stores(settings: Settings) -> StoreRegistry:
    if settings.redis_url is None:
        return StoreRegistry({"rate_limit": MemoryStore()})
    from backend.stores import redis_store

    return StoreRegistry({"rate_limit": redis_store(settings.redis_url, namespace="rl")})


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncGenerator[None, None]:
    settings: Settings = app.state.settings
    queue: Any
    if settings.worker.in_process:
        queue = InProcessQueue(settings.worker.concurrency, settings.worker.sweep_seconds)
    else:
        from backend.jobs.saq_queue import SaqQueue

        assert settings.redis_url is not None
        queue = SaqQueue(settings.redis_url)
        await queue.connect()
    jobs = build_job_context(settings, queue)
    jobs.extra["live"] = PluginPublisher(app.state.live_plugin)
    store = case_store(jobs.engine)
    committer = build_committer(store, queue, settings.intake.max_batch, jobs)
    committer.start()
    channel_runtime = ChannelRuntime(jobs, receive_mail=True, poll_mail=settings.worker.in_process)
    await channel_runtime.start()
    app.state.channel_runtime = channel_runtime
    if isinstance(queue, InProcessQueue):
        queue.start(jobs, JOBS)
    app.state.resources = AppResources(
        settings=settings,
        engine=jobs.engine,
        sessions=jobs.sessions,
        queue=queue,
        store=store,
        committer=committer,
        intake=IntakeService(committer, settings.auth.secret_key, settings.base_url),
        jobs=jobs,
    )
    try:
        yield
    finally:
        await channel_runtime.stop()
        await committer.stop()
        await store.close()
        if isinstance(queue, InProcessQueue):
            await queue.stop()
        else:
            await queue.disconnect()
        await jobs.engine.dispose()
        rate_store = app.stores.get("rate_limit")
        if isinstance(rate_store, FailOpenStore):
            await rate_store.close()


def _cache_key(request: Request[Any, Any, Any]) -> str:
    """Cached answers are stored after compression: gzip and plain clients get separate entries."""
    gzip = "gzip" in request.headers.get("accept-encoding", "")
    return default_cache_key_builder(request) + ("|gzip" if gzip else "")


async def _db_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    async with state.resources.sessions() as session:
        yield session


def create_app(settings: Settings | None = None) -> Litestar:
    """The Litestar application for these settings (defaults: the process environment)."""
    settings = settings or load_settings(os.environ)
    # Citizen-facing endpoints (and login) are rate limited per client address.
    rate_limit = RateLimitConfig(
        rate_limit=("minute", max(1, settings.rate_limit.public_per_minute)),
        store="rate_limit",
    )
    public_middleware = [rate_limit.middleware] if settings.rate_limit.public_per_minute > 0 else []
    public = Router(
        path="/",
        route_handlers=[
            submit_feedback,
            FeedbackController,
            AuthController,
            CommuneController,
            PushController,
        ],
        middleware=public_middleware,
    )

    def provide_settings() -> Settings:
        return settings

    def provide_resources(state: State) -> AppResources:
        return state.resources  # type: ignore[no-any-return]

    def provide_intake(state: State) -> IntakeService:
        return state.resources.intake  # type: ignore[no-any-return]

    live_plugin = channels_plugin(settings.redis_url)
    app = Litestar(
        route_handlers=[
            SystemController,
            MetricsController,
            *WEBHOOK_HANDLERS,
            PwaPagesController,
            PosterController,
            public,
            open311_router(public_middleware),
            Router(path="/", route_handlers=[PublicAnswerController], middleware=public_middleware),
            ApiKeyController,
            PublicationController,
            SuggestionController,
            CannedController,
            CaseController,
            CampaignController,
            FollowUpController,
            ModelController,
            GroupController,
            SynthesisController,
            ReportController,
            MeetingController,
            ForwardingController,
            DepartmentController,
            SatisfactionController,
            LiveController,
            create_static_files_router(path="/", directories=[PWA_DIR], html_mode=True, name="pwa"),
        ],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False, use_cache=True),
            "resources": Provide(provide_resources, sync_to_thread=False),
            "db_session": Provide(_db_session),
            "intake": Provide(provide_intake, sync_to_thread=False),
            "principal": Provide(provide_principal),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        stores=_stores(settings),
        response_cache_config=ResponseCacheConfig(store="response_cache", key_builder=_cache_key),
        # gzip for the PWA's files and JSON (the commune list is 300 KB raw, ~33 KB gzipped);
        # not for the event stream (no buffering), the intake hot paths (webhooks, web
        # feedback: small answers, and the middleware's per-request task group cost about a
        # sixth of the intake's CPU) or JPEG photos.
        compression_config=CompressionConfig(
            backend="gzip",
            gzip_compress_level=6,
            exclude=["^/api/v1/events", "^/api/v1/feedback", "^/webhooks/", "^/icons/", "/photos/"],
        ),
        openapi_config=OpenAPIConfig(
            title="Tiếng Dân API",
            version="1",
            path="/schema",
            render_plugins=documentation_plugins([SUBMIT_OPERATION]),
        ),
        request_max_body_size=1024 * 1024,
        lifespan=[_lifespan],
        plugins=[live_plugin],
        logging_config=app_logging_config(settings.ops.log_format, settings.ops.log_level),
        debug=False,
    )
    app.state.settings = settings
    document_errors(app)
    app.state.live_plugin = live_plugin
    # Around routing too: unknown paths get a request id, headers and a metric like the rest.
    app.asgi_handler = RequestMiddleware(app.asgi_handler, settings.ops)
    return app
