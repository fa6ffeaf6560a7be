"""Shared fixtures: one suite for every backend (SQLite + in-memory, PostgreSQL + Redis).

PostgreSQL and Redis join the parametrization when DATABASE_URL / REDIS_URL are set (CI sets
both); the embedded SQLite shape always runs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from backend.app import create_app
from backend.bootstrap import migrate_and_sync
from backend.db.engine import create_engine
from backend.settings import Settings, load_settings

PG_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL.startswith("postgres") else [])
WORK_TABLES = [
    "daily_topic_counts",
    "rollup_state",
    "push_subscriptions",
    "campaigns",
    "follow_ups",
    "open311_requests",
    "api_keys",
    "public_answers",
    "canned_responses",
    "forward_reminders",
    "forwardings",
    "department_members",
    "departments",
    "case_ratings",
    "meeting_opinions",
    "meetings",
    "inbound_events",
    "channel_credentials",
    "audit_events",
    "auth_sessions",
    "deliveries",
    "case_notes",
    "messages",
    "cases",
    "case_corrections",
    "issue_groups",
    "contact_identities",
    "contacts",
    "user_communes",
    "users",
]


def make_settings(database_url: str, redis_url: str | None = None, **extra: str) -> Settings:
    environ = {
        "TIENGDAN_ENV": "test",
        "DATABASE_URL": database_url,
        "TIENGDAN_SECRET_KEY": "test-secret-key-that-is-long-enough-0123",
        "TIENGDAN_RATE_LIMIT_PER_MINUTE": "10000",
        "TIENGDAN_SWEEP_SECONDS": "0",
        "TIENGDAN_IN_PROCESS_WORKER": "true",
        "TIENGDAN_MODELS_DIR": extra.pop("models_dir", "/nonexistent-models"),
        **extra,
    }
    if redis_url:
        environ["REDIS_URL"] = redis_url
    return load_settings(environ)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the reference data; each test gets a copy."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    asyncio.run(migrate_and_sync(make_settings(f"sqlite:///{path}")))
    return path


@pytest.fixture(scope="session")
def postgres_ready() -> str:
    settings = make_settings(PG_URL)

    async def reset() -> None:
        engine = create_engine(settings.database)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())
    asyncio.run(migrate_and_sync(settings))
    return settings.database.url


async def _truncate(url: str) -> None:
    engine = create_engine(make_settings(url).database)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {', '.join(WORK_TABLES)} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(
    backend_name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    if backend_name == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copy(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_ready")
    asyncio.run(_truncate(url))
    yield url


@pytest.fixture
def settings(database_url: str, backend_name: str) -> Settings:
    return make_settings(database_url, REDIS_URL if backend_name == "postgres" else None)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def drain(client: AsyncTestClient[Any]) -> Callable[[], Any]:
    """Wait until the in-process queue has run every woken job."""

    async def run() -> None:
        await client.app.state.resources.settle()

    return run


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus trained once per test session (a few seconds)."""
    from classifiers.corpus import SHIPPED_CORPUS, load_corpus
    from classifiers.train import train_models

    root = tmp_path_factory.mktemp("models")
    train_models(load_corpus(SHIPPED_CORPUS), root / "current")
    return root


@pytest.fixture
async def classifying_client(
    database_url: str, backend_name: str, models_dir: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    """An app whose in-process worker classifies and groups with a real trained model."""
    settings = make_settings(
        database_url, REDIS_URL if backend_name == "postgres" else None, models_dir=str(models_dir)
    )
    async with AsyncTestClient(create_app(settings)) as test_client:
        yield test_client
