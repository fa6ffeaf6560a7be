"""The one table of channels: name → adapter factory. Adding a channel is one line here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import httpx

from channels.base import Channel, ChannelMisconfigured, Clock, utc_now
from channels.email import EmailChannel, EmailConfig
from channels.memory import MemoryChannel
from channels.messenger import MessengerChannel, MessengerConfig
from channels.web import WebChannel
from channels.webpush import SubscriptionLookup, WebPushChannel, WebPushConfig
from channels.zalo import ZaloChannel, ZaloConfig, ZaloTokenStore

C = TypeVar("C")


@dataclass(frozen=True, kw_only=True)
class ChannelDeps:
    """What factories need besides their config; the backend builds one per process."""

    client: httpx.AsyncClient | None = None  # shared, with the backend's limits and lifespan
    zalo_tokens: ZaloTokenStore | None = None  # the backend's database/Redis implementation
    clock: Clock = utc_now
    # Web push posts through aiohttp (measured ~4x faster than httpx for it) and resolves a
    # delivery's recipient (a subscription id) through the backend's store.
    push_session: aiohttp.ClientSession | None = None
    push_subscriptions: SubscriptionLookup | None = None


ChannelFactory = Callable[[Any, ChannelDeps], Channel]


def _web(config: Any, deps: ChannelDeps) -> Channel:
    return WebChannel(clock=deps.clock)


def _memory(config: Any, deps: ChannelDeps) -> Channel:
    return MemoryChannel(clock=deps.clock)


def _zalo(config: Any, deps: ChannelDeps) -> Channel:
    if deps.zalo_tokens is None:
        raise ChannelMisconfigured("zalo: needs a token store (ChannelDeps.zalo_tokens)")
    return ZaloChannel(
        _config(config, ZaloConfig, "zalo"),
        _client(deps, "zalo"),
        deps.zalo_tokens,
        clock=deps.clock,
    )


def _messenger(config: Any, deps: ChannelDeps) -> Channel:
    settings = _config(config, MessengerConfig, "messenger")
    return MessengerChannel(settings, _client(deps, "messenger"), clock=deps.clock)


def _email(config: Any, deps: ChannelDeps) -> Channel:
    return EmailChannel(_config(config, EmailConfig, "email"), clock=deps.clock)


def _webpush(config: Any, deps: ChannelDeps) -> Channel:
    if deps.push_session is None:
        raise ChannelMisconfigured(
            "webpush: needs an aiohttp.ClientSession (ChannelDeps.push_session)"
        )
    settings = _config(config, WebPushConfig, "webpush")
    return WebPushChannel.build(
        settings, deps.push_session, lookup=deps.push_subscriptions, clock=deps.clock
    )


CHANNEL_FACTORIES: Mapping[str, ChannelFactory] = {
    "web": _web,
    "memory": _memory,
    "zalo": _zalo,
    "messenger": _messenger,
    "email": _email,
    "webpush": _webpush,
}


def build_channel(name: str, config: Any = None, deps: ChannelDeps | None = None) -> Channel:
    """Build the adapter registered as `name`; ChannelMisconfigured if it cannot be built."""
    factory = CHANNEL_FACTORIES.get(name)
    if factory is None:
        known = ", ".join(sorted(CHANNEL_FACTORIES))
        raise ChannelMisconfigured(f"no channel named {name!r} (known: {known})")
    return factory(config, deps or ChannelDeps())


def _config(config: Any, kind: type[C], name: str) -> C:
    if not isinstance(config, kind):
        raise ChannelMisconfigured(f"{name}: needs a {kind.__name__}, got {type(config).__name__}")
    return config


def _client(deps: ChannelDeps, name: str) -> httpx.AsyncClient:
    if deps.client is None:
        raise ChannelMisconfigured(f"{name}: needs an httpx.AsyncClient (ChannelDeps.client)")
    return deps.client
