"""Fixtures for channel tests: one fake clock shared by each adapter and its fake provider."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from channels.base import OutboundMessage
from channels.messenger import MessengerChannel
from channels.zalo import InMemoryZaloTokenStore, ZaloChannel
from tests.channels.fakes.clock import FakeClock
from tests.channels.fakes.meta import FakeMetaGraph
from tests.channels.fakes.zalo import FakeZalo

PAYLOADS = Path(__file__).parent / "payloads"
CITIZEN = "8309393969855402319"  # the Zalo user of the recorded payloads
PSID = "6843192075526148"  # the Messenger user of the recorded payloads


def payload(channel: str, name: str) -> bytes:
    return (PAYLOADS / channel / name).read_bytes()


def payload_json(channel: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(payload(channel, name))
    return data


def message(
    channel: str, recipient: str, text: str = "Xã đã tiếp nhận.", **extra: Any
) -> OutboundMessage:
    return OutboundMessage(
        channel=channel, recipient=recipient, text=text, idempotency_key="delivery-1", **extra
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake_zalo(clock: FakeClock) -> FakeZalo:
    fake = FakeZalo(clock)
    fake.user_interacts(CITIZEN)
    return fake


@pytest.fixture
async def zalo_client(fake_zalo: FakeZalo) -> AsyncIterator[httpx.AsyncClient]:
    async with fake_zalo.client() as client:
        yield client


@pytest.fixture
def zalo_store(fake_zalo: FakeZalo) -> InMemoryZaloTokenStore:
    return InMemoryZaloTokenStore(fake_zalo.connect())


@pytest.fixture
def zalo(
    fake_zalo: FakeZalo,
    zalo_client: httpx.AsyncClient,
    zalo_store: InMemoryZaloTokenStore,
    clock: FakeClock,
) -> ZaloChannel:
    return ZaloChannel(fake_zalo.config(), zalo_client, zalo_store, clock=clock)


@pytest.fixture
def fake_meta(clock: FakeClock) -> FakeMetaGraph:
    fake = FakeMetaGraph(clock)
    fake.user_writes(PSID)
    return fake


@pytest.fixture
async def messenger(fake_meta: FakeMetaGraph, clock: FakeClock) -> AsyncIterator[MessengerChannel]:
    async with fake_meta.client() as client:
        yield MessengerChannel(fake_meta.config(), client, clock=clock)
