"""Browser push subscriptions (`PushSubscription.toJSON()`), validated before we ever POST."""

from __future__ import annotations

from urllib.parse import urlsplit

import msgspec
from cryptography.hazmat.primitives.asymmetric import ec

from channels.base import PayloadInvalid
from channels.webpush.keys import b64url_decode

# The push services browsers use. An endpoint is a URL the browser (or anyone) hands us and we
# POST to it: outside this list it could point into our own network (SSRF).
KNOWN_PUSH_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, Samsung Internet
    "updates.push.services.mozilla.com",  # Firefox
    "notify.windows.com",  # Edge on Windows (wns2-*.notify.windows.com)
    "push.apple.com",  # Safari (web.push.apple.com)
)
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})  # test fakes may use plain HTTP


class SubscriptionKeys(msgspec.Struct, frozen=True):
    """The subscriber's keys (RFC 8291 §2): P-256 public point and 16-byte auth secret."""

    p256dh: str
    auth: str


class PushSubscription(msgspec.Struct, frozen=True, kw_only=True):
    """Where and how to reach one browser; store it as the JSON the browser gave."""

    endpoint: str
    keys: SubscriptionKeys
    expiration_time: int | None = msgspec.field(default=None, name="expirationTime")

    def key_bytes(self) -> tuple[bytes, bytes]:
        """(p256dh, auth) decoded."""
        return b64url_decode(self.keys.p256dh), b64url_decode(self.keys.auth)


def parse_subscription(
    data: bytes | str, allowed_hosts: tuple[str, ...] = KNOWN_PUSH_HOSTS
) -> PushSubscription:
    """Decode and validate a subscription; PayloadInvalid says what is wrong."""
    try:
        subscription = msgspec.json.decode(data, type=PushSubscription)
    except msgspec.DecodeError as exc:
        raise PayloadInvalid(f"not a push subscription: {exc}") from exc
    check_subscription(subscription, allowed_hosts)
    return subscription


def check_subscription(subscription: PushSubscription, allowed_hosts: tuple[str, ...]) -> None:
    """The endpoint is a push service we trust; the keys are a real point and a 16-byte secret."""
    check_endpoint(subscription.endpoint, allowed_hosts)
    try:
        p256dh, auth = subscription.key_bytes()
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError as exc:
        raise PayloadInvalid(f"bad subscription keys: {exc}") from exc
    if len(p256dh) != 65:
        raise PayloadInvalid("p256dh must be an uncompressed P-256 point (65 bytes)")
    if len(auth) != 16:
        raise PayloadInvalid("auth must be 16 bytes (RFC 8291 §3.2)")


def check_endpoint(endpoint: str, allowed_hosts: tuple[str, ...]) -> None:
    """HTTPS on a known push service; plain HTTP only to a loopback host allowed by name."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    allowed = any(host == h or host.endswith(f".{h}") for h in allowed_hosts)
    if not host or not allowed:
        raise PayloadInvalid(f"push endpoint host {host!r} is not a known push service")
    local_fake = parts.scheme == "http" and host in _LOOPBACK and host in allowed_hosts
    if parts.scheme != "https" and not local_fake:
        raise PayloadInvalid("push endpoints must use https")


def origin_of(endpoint: str) -> str:
    """scheme://host[:port] — the VAPID audience (RFC 8292 §2)."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"
