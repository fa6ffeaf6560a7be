"""The channel table: one name per adapter, clear errors when one cannot be built."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from channels.base import Channel, ChannelMisconfigured
from channels.memory import MemoryChannel
from channels.messenger import MessengerChannel
from channels.registry import CHANNEL_FACTORIES, ChannelDeps, build_channel
from channels.web import WebChannel
from channels.zalo import InMemoryZaloTokenStore, ZaloChannel
from tests.channels.fakes.clock import FakeClock
from tests.channels.fakes.meta import FakeMetaGraph
from tests.channels.fakes.zalo import FakeZalo


@pytest.fixture
async def deps(clock: FakeClock) -> AsyncIterator[ChannelDeps]:
    async with httpx.AsyncClient() as client:
        yield ChannelDeps(client=client, zalo_tokens=InMemoryZaloTokenStore(), clock=clock)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("web", WebChannel),
        ("memory", MemoryChannel),
        ("zalo", ZaloChannel),
        ("messenger", MessengerChannel),
    ],
)
def test_each_name_builds_its_adapter(
    clock: FakeClock, deps: ChannelDeps, name: str, kind: type[Channel]
) -> None:
    configs = {"zalo": FakeZalo(clock).config(), "messenger": FakeMetaGraph(clock).config()}
    channel = build_channel(name, configs.get(name), deps)
    assert isinstance(channel, kind)
    assert channel.name == name
    assert name in CHANNEL_FACTORIES


@pytest.mark.parametrize(
    ("name", "config", "deps", "error"),
    [
        ("sms", None, ChannelDeps(), "no channel named 'sms'"),
        ("zalo", None, ChannelDeps(zalo_tokens=InMemoryZaloTokenStore()), "needs a ZaloConfig"),
        ("zalo", "zalo-config", ChannelDeps(), "token store"),
        ("messenger", {"page_id": "1"}, ChannelDeps(), "needs a MessengerConfig"),
    ],
)
def test_what_cannot_be_built_says_why(
    name: str, config: object, deps: ChannelDeps, error: str
) -> None:
    with pytest.raises(ChannelMisconfigured, match=error):
        build_channel(name, config, deps)


def test_a_channel_needing_http_refuses_to_build_without_a_client(clock: FakeClock) -> None:
    with pytest.raises(ChannelMisconfigured, match=r"httpx\.AsyncClient"):
        build_channel("messenger", FakeMetaGraph(clock).config())


@pytest.mark.parametrize(
    ("factory", "fields"),
    [
        ("zalo", {"app_id": " "}),
        ("zalo", {"refresh_at_fraction": 1.0}),
        ("messenger", {"verify_token": ""}),
    ],
)
def test_configs_refuse_blank_secrets(
    clock: FakeClock, factory: str, fields: dict[str, object]
) -> None:
    fake = FakeZalo(clock) if factory == "zalo" else FakeMetaGraph(clock)
    with pytest.raises(ChannelMisconfigured):
        fake.config(**fields)
