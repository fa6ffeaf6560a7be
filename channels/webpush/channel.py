"""The Web Push channel adapter: notices to the PWA; subscriptions in from the PWA."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta

import aiohttp
import msgspec

from channels.base import (
    Clock,
    DeliveryResult,
    DeliveryStatus,
    InboundEvent,
    OutboundMessage,
    PayloadInvalid,
    PayloadTooLarge,
    utc_now,
)
from channels.webpush.inbound import CHANNEL, parse_subscription_message
from channels.webpush.keys import VapidKeys
from channels.webpush.notice import PushNotice
from channels.webpush.sender import PushOptions, WebPushSender
from channels.webpush.subscription import KNOWN_PUSH_HOSTS, PushSubscription, parse_subscription
from channels.webpush.vapid import VapidSigner

# The backend's store: subscription id -> subscription, None once it was deleted.
SubscriptionLookup = Callable[[str], Awaitable[PushSubscription | None]]
_TOPIC_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class WebPushConfig(msgspec.Struct, frozen=True, kw_only=True):
    """VAPID identity and delivery defaults."""

    vapid_private_key: str  # PEM or base64url raw scalar (`VapidKeys.load`)
    subject: str  # mailto: or https: contact for push services (RFC 8292 §2.1)
    ttl: int = 24 * 3600
    urgency: str = "normal"
    timeout: float = 10.0
    token_lifetime_hours: float = 12.0
    allowed_hosts: tuple[str, ...] = KNOWN_PUSH_HOSTS
    max_body_bytes: int = 8 * 1024  # inbound subscription messages
    default_title: str = "Tiếng Dân"


class WebPushChannel:
    """`OutboundMessage.recipient` is a stored subscription id (resolved by `lookup`) or the
    subscription JSON itself; subject → title, text → body, tracking code → tag and Topic."""

    name = CHANNEL

    def __init__(
        self,
        config: WebPushConfig,
        sender: WebPushSender,
        *,
        lookup: SubscriptionLookup | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._config = config
        self._sender = sender
        self._lookup = lookup
        self._clock = clock

    @classmethod
    def build(
        cls,
        config: WebPushConfig,
        session: aiohttp.ClientSession,
        *,
        lookup: SubscriptionLookup | None = None,
        clock: Clock = utc_now,
    ) -> WebPushChannel:
        """Wire keys, signer and sender from the configuration."""
        signer = VapidSigner(
            VapidKeys.load(config.vapid_private_key),
            config.subject,
            lifetime=timedelta(hours=config.token_lifetime_hours),
            clock=clock,
        )
        sender = WebPushSender(session, signer, timeout=config.timeout, clock=clock)
        return cls(config, sender, lookup=lookup, clock=clock)

    def parse(self, headers: Mapping[str, str], body: bytes) -> Sequence[InboundEvent]:
        """A subscribe / unsubscribe / change message from our PWA."""
        if len(body) > self._config.max_body_bytes:
            raise PayloadTooLarge(f"subscription message over {self._config.max_body_bytes} bytes")
        return parse_subscription_message(body, self._config.allowed_hosts, self._clock())

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Resolve the subscription, then encrypt, sign and post one notice."""
        subscription = await self._subscription(message.recipient)
        if subscription is None:
            return DeliveryResult(status=DeliveryStatus.GONE, detail="no such push subscription")
        code = message.tracking_code
        notice = PushNotice(
            title=message.subject or self._config.default_title,
            body=message.text,
            url=message.url,
            tag=code,
        )
        topic = code if code and len(code) <= 32 and set(code) <= _TOPIC_SAFE else None
        options = PushOptions(ttl=self._config.ttl, urgency=self._config.urgency, topic=topic)
        return await self._sender.send(subscription, notice, options)

    async def _subscription(self, recipient: str) -> PushSubscription | None:
        if recipient.lstrip().startswith("{"):
            try:
                return parse_subscription(recipient, self._config.allowed_hosts)
            except PayloadInvalid:
                return None
        if self._lookup is None:
            return None
        return await self._lookup(recipient)
