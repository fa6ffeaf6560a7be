"""Fixtures for the messaging channels end to end: the app wired to Zalo, Meta and SMTP fakes.

Zalo's and Meta's APIs cannot run here: their faithful fakes (tests/channels/fakes) answer on
loopback HTTP servers the settings point at. E-mail is real: our aiosmtpd receiver on a free
port takes the citizen's mail, and an aiosmtpd capture server takes what we send.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.app import create_app
from backend.db.engine import create_engine
from backend.db.models import Role
from backend.settings import Settings
from tests.backend.factories import HOAN_KIEM, bearer, create_user
from tests.backend.provider_server import serve
from tests.channels.fakes.clock import FakeClock
from tests.channels.fakes.meta import FakeMetaGraph
from tests.channels.fakes.smtp_capture import CaptureHandler, smtp_capture
from tests.channels.fakes.zalo import FakeZalo
from tests.conftest import REDIS_URL, make_settings

ZALO_USER = "8309393969855402319"
PSID = "6843192075526148"
MAIL_DOMAIN = "gopy.hoankiem.example.vn"
OUR_ADDRESS = f"gopy@{MAIL_DOMAIN}"


@pytest.fixture
def provider_clock() -> FakeClock:
    """The fakes' clock starts at the real now: the backend measures windows on real time."""
    return FakeClock(datetime.now(UTC))


@pytest.fixture
def fake_zalo(provider_clock: FakeClock) -> FakeZalo:
    fake = FakeZalo(provider_clock)
    fake.user_interacts(ZALO_USER)
    return fake


@pytest.fixture
def fake_meta(provider_clock: FakeClock) -> FakeMetaGraph:
    fake = FakeMetaGraph(provider_clock)
    fake.user_writes(PSID)
    return fake


@pytest.fixture
async def smtp_out() -> AsyncIterator[tuple[CaptureHandler, int]]:
    async with smtp_capture() as (handler, port):
        yield handler, port


@pytest.fixture
async def channel_env(
    fake_zalo: FakeZalo, fake_meta: FakeMetaGraph, smtp_out: tuple[CaptureHandler, int]
) -> AsyncIterator[dict[str, str]]:
    """Every channel configured against the fakes; the OA's first refresh token is seeded."""
    async with serve(fake_zalo.handle) as zalo_url, serve(fake_meta.handle) as meta_url:
        zalo, meta = fake_zalo.config(), fake_meta.config()
        yield {
            "TIENGDAN_ZALO_APP_ID": zalo.app_id,
            "TIENGDAN_ZALO_OA_SECRET_KEY": zalo.oa_secret_key,
            "TIENGDAN_ZALO_APP_SECRET_KEY": zalo.app_secret_key,
            "TIENGDAN_ZALO_COMMUNE": HOAN_KIEM,
            "TIENGDAN_ZALO_API_URL": zalo_url,
            "TIENGDAN_ZALO_OAUTH_URL": zalo_url,
            "TIENGDAN_ZALO_REFRESH_TOKEN": fake_zalo.connect().refresh_token,
            "TIENGDAN_MESSENGER_PAGE_ID": meta.page_id,
            "TIENGDAN_MESSENGER_PAGE_TOKEN": meta.page_access_token,
            "TIENGDAN_MESSENGER_APP_SECRET": meta.app_secret,
            "TIENGDAN_MESSENGER_VERIFY_TOKEN": meta.verify_token,
            "TIENGDAN_MESSENGER_COMMUNE": HOAN_KIEM,
            "TIENGDAN_MESSENGER_GRAPH_URL": meta_url,
            "TIENGDAN_MESSENGER_API_VERSION": meta.api_version,
            "TIENGDAN_EMAIL_DOMAIN": MAIL_DOMAIN,
            "TIENGDAN_EMAIL_FROM": OUR_ADDRESS,
            "TIENGDAN_EMAIL_COMMUNE": HOAN_KIEM,
            "TIENGDAN_EMAIL_RECEIVER": "true",
            "TIENGDAN_EMAIL_RECEIVER_PORT": "0",
            "TIENGDAN_SMTP_HOST": "127.0.0.1",
            "TIENGDAN_SMTP_PORT": str(smtp_out[1]),
            "TIENGDAN_SMTP_TLS": "none",
        }


@pytest.fixture
async def channel_client(
    database_url: str, backend_name: str, channel_env: dict[str, str]
) -> AsyncIterator[AsyncTestClient[Any]]:
    redis = REDIS_URL if backend_name == "postgres" else None
    settings = make_settings(database_url, redis, **channel_env)
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
async def staff(channel_client: AsyncTestClient[Any]) -> dict[str, str]:
    """Authorization header of a Hoàn Kiếm commune officer."""
    settings = channel_client.app.state.settings
    await create_user(settings, "hoankiem", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    return await bearer(channel_client, "hoankiem")


async def settle(client: AsyncTestClient[Any]) -> None:
    """Wait until stored events woke their job and every job (and what it woke) finished."""
    intake = client.app.state.channel_runtime.intake
    while intake.committer.notifying:
        await asyncio.sleep(0.005)
    await client.app.state.resources.settle()


async def rows(client: AsyncTestClient[Any], sql: str, **params: Any) -> list[Any]:
    """Rows of a query on the app's database (own engine: the app runs on another loop)."""
    engine = create_engine(client.app.state.settings.database)
    try:
        async with engine.begin() as conn:
            return list((await conn.execute(text(sql), params)).all())
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on the test database (migrated, empty), for service-level tests."""
    engine = create_engine(settings.database)
    yield engine
    await engine.dispose()
