"""What our own PWA posts about its push subscription: subscribe, unsubscribe, change."""

from __future__ import annotations

import hashlib
from datetime import datetime

import msgspec

from channels.base import EventKind, InboundEvent, PayloadInvalid
from channels.webpush.subscription import PushSubscription, check_subscription

CHANNEL = "webpush"


class Subscribe(msgspec.Struct, frozen=True, tag="subscribe"):
    """After `pushManager.subscribe()`: the browser's `subscription.toJSON()`."""

    subscription: PushSubscription


class Unsubscribe(msgspec.Struct, frozen=True, tag="unsubscribe"):
    """After `subscription.unsubscribe()`."""

    endpoint: str


class Change(msgspec.Struct, frozen=True, tag="change"):
    """From the service worker's `pushsubscriptionchange` event: old endpoint, new subscription."""

    old_endpoint: str
    subscription: PushSubscription


SubscriptionMessage = Subscribe | Unsubscribe | Change


def parse_subscription_message(
    body: bytes, allowed_hosts: tuple[str, ...], received_at: datetime
) -> list[InboundEvent]:
    """FOLLOW carries a validated subscription in `contact`; UNFOLLOW names the endpoint."""
    try:
        message = msgspec.json.decode(body, type=SubscriptionMessage)
    except msgspec.DecodeError as exc:
        raise PayloadInvalid(f"not a push subscription message: {exc}") from exc
    if isinstance(message, Unsubscribe):
        return [_unfollow(message.endpoint, received_at)]
    check_subscription(message.subscription, allowed_hosts)
    follow = _follow(message.subscription, received_at)
    if isinstance(message, Change):
        return [_unfollow(message.old_endpoint, received_at), follow]
    return [follow]


def _follow(subscription: PushSubscription, received_at: datetime) -> InboundEvent:
    keys = subscription.keys
    return InboundEvent(
        channel=CHANNEL,
        kind=EventKind.FOLLOW,
        external_id="sub:" + _digest(subscription.endpoint, keys.p256dh, keys.auth),
        sender_id=subscription.endpoint,
        received_at=received_at,
        contact={"endpoint": subscription.endpoint, "p256dh": keys.p256dh, "auth": keys.auth},
        raw={"subscription": msgspec.json.decode(msgspec.json.encode(subscription))},
    )


def _unfollow(endpoint: str, received_at: datetime) -> InboundEvent:
    if not endpoint.startswith(("https://", "http://")):
        raise PayloadInvalid("unsubscribe needs the subscription's endpoint URL")
    return InboundEvent(
        channel=CHANNEL,
        kind=EventKind.UNFOLLOW,
        external_id="unsub:" + _digest(endpoint),
        sender_id=endpoint,
        received_at=received_at,
    )


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
