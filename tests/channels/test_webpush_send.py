"""Sending through a push service that decrypts and checks VAPID like a real one."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import msgspec
import pytest

from channels.base import DeliveryStatus
from channels.webpush import PushNotice, PushOptions, VapidKeys, VapidSigner
from channels.webpush.responses import retry_after_seconds
from tests.channels.fakes.clock import FakeClock
from tests.channels.fakes.push_service import FakePushService, Scripted
from tests.channels.webpush_support import KEYS, SUBJECT, push_sender

NOTICE = PushNotice(
    title="Phản hồi mới", body="Xã đã trả lời ý kiến PA-7Q2K.", url="/t/PA-7Q2K", tag="PA-7Q2K"
)
OPTIONS = PushOptions(ttl=3600, urgency="high", topic="PA-7Q2K")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))  # the fake checks exp against the same clock


@pytest.fixture
async def service(clock: FakeClock) -> AsyncIterator[FakePushService]:
    async with FakePushService(clock).running() as running:
        yield running


async def test_payload_arrives_decrypted_with_our_headers(
    service: FakePushService, clock: FakeClock
) -> None:
    subscription = service.subscribe(KEYS.application_server_key())
    async with push_sender(clock) as (sender, _):
        result = await sender.send(subscription, NOTICE, OPTIONS)
    assert result.status is DeliveryStatus.OK, result.detail
    assert result.provider_message_id == f"{service.origin}/message/1"
    (received,) = service.received_by(subscription)
    assert received.json() == msgspec.to_builtins(NOTICE)
    assert (received.headers["ttl"], received.headers["urgency"], received.headers["topic"]) == (
        "3600",
        "high",
        "PA-7Q2K",
    )
    assert received.claims["aud"] == service.origin and received.claims["sub"] == SUBJECT


async def test_a_wrong_vapid_key_is_refused(service: FakePushService, clock: FakeClock) -> None:
    subscription = service.subscribe(KEYS.application_server_key())
    async with push_sender(clock, keys=VapidKeys.generate()) as (sender, _):
        result = await sender.send(subscription, NOTICE, OPTIONS)
    assert result.status is DeliveryStatus.REJECTED  # keep the subscription; fix the key
    assert "403" in result.detail
    assert service.received == [] and service.refused[0][0] == 403


async def test_a_forged_token_is_refused(service: FakePushService, clock: FakeClock) -> None:
    """k names our key but the JWT is signed by another one: the signature check catches it."""
    subscription = service.subscribe(KEYS.application_server_key())
    forged = VapidSigner(VapidKeys.generate(), SUBJECT, clock=clock).header_for(
        subscription.endpoint
    )
    token = forged.split("t=")[1].split(",")[0]
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            subscription.endpoint,
            data=b"\x00" * 100,
            headers={
                "TTL": "60",
                "Content-Encoding": "aes128gcm",
                "Authorization": f"vapid t={token}, k={KEYS.application_server_key()}",
            },
        )
    assert response.status == 403
    assert service.refused == [(403, "bad JWT signature")]


@pytest.mark.parametrize(
    ("answer", "status", "retry_after"),
    [
        (Scripted(404), DeliveryStatus.GONE, None),
        (Scripted(410), DeliveryStatus.GONE, None),
        (Scripted(429, {"Retry-After": "2"}), DeliveryStatus.RETRYABLE, 2.0),
        (Scripted(500), DeliveryStatus.RETRYABLE, None),
        (Scripted(503, {"Retry-After": "120"}), DeliveryStatus.RETRYABLE, 120.0),
        (Scripted(400), DeliveryStatus.REJECTED, None),
        (Scripted(413), DeliveryStatus.REJECTED, None),
    ],
)
async def test_push_service_answers_are_mapped(
    service: FakePushService,
    clock: FakeClock,
    answer: Scripted,
    status: DeliveryStatus,
    retry_after: float | None,
) -> None:
    subscription = service.subscribe(KEYS.application_server_key())
    service.script(subscription, answer)
    async with push_sender(clock) as (sender, _):
        result = await sender.send(subscription, NOTICE, OPTIONS)
    assert (result.status, result.retry_after) == (status, retry_after)
    assert str(answer.status) in result.detail


async def test_unknown_subscription_is_gone(service: FakePushService, clock: FakeClock) -> None:
    subscription = service.subscribe(KEYS.application_server_key())
    expired = msgspec.structs.replace(subscription, endpoint=f"{service.origin}/push/expired")
    async with push_sender(clock) as (sender, _):
        assert (await sender.send(expired, NOTICE, OPTIONS)).status is DeliveryStatus.GONE


async def test_unreachable_or_slow_service_is_retryable(
    service: FakePushService, clock: FakeClock
) -> None:
    subscription = service.subscribe(KEYS.application_server_key())
    service.script(subscription, Scripted(201, delay=2))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    down = msgspec.structs.replace(subscription, endpoint=f"http://127.0.0.1:{closed}/push/x")
    async with push_sender(clock, request_timeout=0.2) as (sender, _):
        slow = await sender.send(subscription, NOTICE, OPTIONS)
        refused = await sender.send(down, NOTICE, OPTIONS)
    assert slow.status is DeliveryStatus.RETRYABLE and "Timeout" in slow.detail
    assert refused.status is DeliveryStatus.RETRYABLE


async def test_vapid_token_is_cached_per_origin(clock: FakeClock) -> None:
    async with FakePushService(clock).running() as one, FakePushService(clock).running() as two:
        a1, a2 = (
            one.subscribe(KEYS.application_server_key()),
            one.subscribe(KEYS.application_server_key()),
        )
        b1 = two.subscribe(KEYS.application_server_key())
        async with push_sender(clock) as (sender, _):
            for subscription in (a1, a2, b1):
                assert (await sender.send(subscription, NOTICE, OPTIONS)).ok
            clock.advance(hours=10)  # 2 h left of a 12 h token: still used
            assert (await sender.send(a1, NOTICE, OPTIONS)).ok
            clock.advance(hours=1, minutes=1)  # under an hour left: signed again
            assert (await sender.send(a2, NOTICE, OPTIONS)).ok
    tokens_one = [r.token for r in one.received]
    assert tokens_one[0] == tokens_one[1] == tokens_one[2] != tokens_one[3]
    (token_two,) = [r.token for r in two.received]
    assert token_two != tokens_one[0]
    assert (
        two.received[0].claims["aud"] == two.origin and one.received[0].claims["aud"] == one.origin
    )


async def test_a_token_older_than_its_exp_is_refused(
    service: FakePushService, clock: FakeClock
) -> None:
    """The fake enforces exp: a signer that kept a stale header would be caught."""
    subscription = service.subscribe(KEYS.application_server_key())
    stale = VapidSigner(KEYS, SUBJECT, clock=clock, lifetime=timedelta(hours=2)).header_for(
        subscription.endpoint
    )
    clock.advance(hours=3)
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            subscription.endpoint,
            data=b"\x00" * 100,
            headers={"TTL": "60", "Content-Encoding": "aes128gcm", "Authorization": stale},
        )
    assert response.status == 403 and "exp" in service.refused[0][1]


async def test_missing_ttl_is_refused_by_the_fake(service: FakePushService) -> None:
    subscription = service.subscribe(KEYS.application_server_key())
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            subscription.endpoint, data=b"x", headers={"Content-Encoding": "aes128gcm"}
        )
    assert response.status == 400


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ttl": -1}, "TTL"),
        ({"urgency": "urgent"}, "urgency"),
        ({"topic": "x" * 33}, "topic"),
        ({"topic": "bad topic"}, "topic"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PushOptions(**options)  # type: ignore[arg-type]


def test_retry_after_forms() -> None:
    now = datetime(2026, 11, 4, 3, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Wed, 04 Nov 2026 03:01:30 GMT", now) == 90.0
    assert retry_after_seconds("Wed, 04 Nov 2026 02:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


async def test_unusable_keys_are_gone_without_a_request(
    service: FakePushService, clock: FakeClock
) -> None:
    subscription = service.subscribe(KEYS.application_server_key())
    broken = msgspec.structs.replace(
        subscription, keys=msgspec.structs.replace(subscription.keys, p256dh="BAAA")
    )
    async with push_sender(clock) as (sender, _):
        result = await sender.send(broken, NOTICE, OPTIONS)
    assert result.status is DeliveryStatus.GONE and "keys" in result.detail
    assert service.received == [] and service.refused == []
