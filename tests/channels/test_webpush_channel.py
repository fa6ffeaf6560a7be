"""The Web Push adapter behind the common interface: registry, recipients, PWA messages."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import msgspec
import pytest

from channels.base import (
    ChannelMisconfigured,
    DeliveryStatus,
    EventKind,
    OutboundMessage,
    PayloadInvalid,
)
from channels.registry import ChannelDeps, build_channel
from channels.webpush import KNOWN_PUSH_HOSTS, PushSubscription, WebPushChannel, WebPushConfig
from tests.channels.fakes.clock import FakeClock
from tests.channels.fakes.push_service import FakePushService
from tests.channels.webpush_support import KEYS, PAYLOADS, SUBJECT

CONFIG = WebPushConfig(
    vapid_private_key=KEYS.private_pem(),
    subject=SUBJECT,
    ttl=7200,
    urgency="low",
    allowed_hosts=(*KNOWN_PUSH_HOSTS, "127.0.0.1"),
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


@pytest.fixture
async def service(clock: FakeClock) -> AsyncIterator[FakePushService]:
    async with FakePushService(clock).running() as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def reply(recipient: str, **fields: object) -> OutboundMessage:
    return OutboundMessage(
        channel="webpush",
        recipient=recipient,
        text="Xã đã trả lời ý kiến của bạn.",
        idempotency_key="delivery-9",
        **fields,  # type: ignore[arg-type]
    )


async def test_registry_builds_the_channel(
    session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    channel = build_channel("webpush", CONFIG, ChannelDeps(push_session=session, clock=clock))
    assert isinstance(channel, WebPushChannel) and channel.name == "webpush"
    with pytest.raises(ChannelMisconfigured, match="aiohttp"):
        build_channel("webpush", CONFIG, ChannelDeps(clock=clock))
    with pytest.raises(ChannelMisconfigured, match="WebPushConfig"):
        build_channel("webpush", {"vapid": "x"}, ChannelDeps(push_session=session))


async def test_message_fields_become_the_notice(
    service: FakePushService, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    subscription = service.subscribe(KEYS.application_server_key())
    channel = WebPushChannel.build(CONFIG, session, clock=clock)
    message = reply(
        msgspec.json.encode(subscription).decode(),
        subject="Phản hồi mới",
        tracking_code="PA-7Q2K",
        url="https://tiengdan.example.vn/t/PA-7Q2K",
    )
    assert (await channel.send(message)).ok
    (received,) = service.received
    assert received.json() == {
        "title": "Phản hồi mới",
        "body": "Xã đã trả lời ý kiến của bạn.",
        "url": "https://tiengdan.example.vn/t/PA-7Q2K",
        "tag": "PA-7Q2K",
    }
    assert (received.headers["ttl"], received.headers["urgency"]) == ("7200", "low")
    assert received.headers["topic"] == "PA-7Q2K"  # a newer update for the case replaces it


async def test_subscription_ids_are_resolved_through_the_backend_store(
    service: FakePushService, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    store: dict[str, PushSubscription] = {"sub-1": service.subscribe(KEYS.application_server_key())}

    async def lookup(subscription_id: str) -> PushSubscription | None:
        return store.get(subscription_id)

    channel = WebPushChannel.build(CONFIG, session, lookup=lookup, clock=clock)
    sent = await channel.send(reply("sub-1"))
    deleted = await channel.send(reply("sub-2"))
    assert sent.ok and len(service.received) == 1
    assert deleted.status is DeliveryStatus.GONE
    assert json.loads(service.received[0].plaintext)["title"] == "Tiếng Dân"  # default title


async def test_without_a_store_an_id_cannot_be_sent(session: aiohttp.ClientSession) -> None:
    channel = WebPushChannel.build(CONFIG, session)
    assert (await channel.send(reply("sub-1"))).status is DeliveryStatus.GONE


async def test_a_recipient_outside_the_push_services_is_never_contacted(
    service: FakePushService, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    subscription = service.subscribe(KEYS.application_server_key())
    config = msgspec.structs.replace(CONFIG, allowed_hosts=KNOWN_PUSH_HOSTS)
    channel = WebPushChannel.build(config, session, clock=clock)
    result = await channel.send(reply(msgspec.json.encode(subscription).decode()))
    assert result.status is DeliveryStatus.GONE
    assert service.received == [] and service.refused == []


async def test_pwa_subscription_messages(session: aiohttp.ClientSession, clock: FakeClock) -> None:
    channel = WebPushChannel.build(CONFIG, session, clock=clock)
    body = (PAYLOADS / "subscription_change.json").read_bytes()
    old, new = channel.parse({}, body)
    assert (old.kind, new.kind) == (EventKind.UNFOLLOW, EventKind.FOLLOW)
    assert old.sender_id.startswith("https://fcm.googleapis.com/fcm/send/eKx3")
    assert new.contact["endpoint"] == new.sender_id and len(new.contact["auth"]) == 22
    subscribe = (PAYLOADS / "subscribe_chrome.json").read_bytes()
    (follow,) = channel.parse({}, subscribe)
    assert follow.external_id.startswith("sub:") and follow.received_at == clock.now
    assert (
        old.external_id
        == channel.parse({}, (PAYLOADS / "unsubscribe.json").read_bytes())[0].external_id
    )


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("http://127.0.0.1:9/push/x", None),
        ("http://localhost:9/push/x", "not a known push service"),
        ("https://metadata.google.internal/x", "not a known push service"),
    ],
)
async def test_subscriptions_to_our_own_network_are_refused(
    session: aiohttp.ClientSession, endpoint: str, reason: str | None
) -> None:
    channel = WebPushChannel.build(CONFIG, session)
    body = json.loads((PAYLOADS / "subscribe_firefox.json").read_bytes())
    body["subscription"]["endpoint"] = endpoint
    raw = json.dumps(body).encode()
    if reason is None:  # loopback over http is allowed only because the test config names it
        assert channel.parse({}, raw)[0].kind is EventKind.FOLLOW
    else:
        with pytest.raises(PayloadInvalid, match=reason):
            channel.parse({}, raw)
