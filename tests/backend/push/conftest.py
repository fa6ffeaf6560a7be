"""Fixtures: an app with a VAPID key that may post to loopback, and the fake push service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import Settings
from tests.backend.push.support import KEYS, SUBJECT
from tests.channels.fakes.push_service import FakePushService
from tests.conftest import REDIS_URL, make_settings


@pytest.fixture
def push_settings(database_url: str, backend_name: str) -> Settings:
    return make_settings(
        database_url,
        REDIS_URL if backend_name == "postgres" else None,
        TIENGDAN_VAPID_PRIVATE_KEY=KEYS.private_base64url(),
        TIENGDAN_VAPID_SUBJECT=SUBJECT,
        TIENGDAN_PUSH_HOSTS="127.0.0.1",
        TIENGDAN_PUSH_TIMEOUT_SECONDS="5",
    )


@pytest.fixture
async def push_client(push_settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(create_app(push_settings)) as test_client:
        yield test_client


@pytest.fixture
async def push_service() -> AsyncIterator[FakePushService]:
    service = FakePushService()
    async with service.running():
        yield service
