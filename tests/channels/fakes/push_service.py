"""A local push service that checks what a real one checks, then decrypts and records.

For every POST /push/{id} it verifies, comparing header names case-insensitively:
TTL (digits, RFC 8030 §5.2), Urgency and Topic when present (§5.3, §5.4), Content-Encoding
aes128gcm, a body of at most 4096 bytes (§7.2), and the VAPID Authorization (RFC 8292):
`vapid t=<JWT>, k=<key>` with k equal to the applicationServerKey the subscription was made
with, an ES256 signature valid under k, aud = the endpoint's origin, now < exp <= now + 24 h
and a mailto:/https: sub. It then decrypts the body with the subscriber's private key
(RFC 8291) and records the plaintext. Answers can be scripted per subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from channels.webpush import PushSubscription, SubscriptionKeys
from channels.webpush.keys import b64url_decode, b64url_encode, public_point

_AUTH = re.compile(r"^vapid\s+(.+)$", re.IGNORECASE)
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_DAY = 24 * 3600


@dataclass
class Subscriber:
    """A browser: its keys, and the applicationServerKey it subscribed with."""

    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    application_server_key: str


@dataclass
class Received:
    subscriber_id: str
    plaintext: bytes
    headers: dict[str, str]
    claims: dict[str, object]
    token: str

    def json(self) -> dict[str, object]:
        loaded = json.loads(self.plaintext)
        assert isinstance(loaded, dict)
        return loaded


@dataclass
class Scripted:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakePushService:
    """Run with `async with service.running():`; endpoints are http://127.0.0.1:<port>/push/<id>."""

    def __init__(self, clock: object | None = None) -> None:
        self._clock = clock  # callable returning an aware datetime; real time when None
        self.subscribers: dict[str, Subscriber] = {}
        self.received: list[Received] = []
        self.refused: list[tuple[int, str]] = []  # (status, reason) of every refusal
        self.scripts: dict[str, list[Scripted]] = {}
        self.port = 0
        self._stopping = asyncio.Event()
        self.gate = asyncio.Event()  # answers wait until it is set (tests hold it to count)
        self.gate.set()
        self.in_flight = 0
        self.max_in_flight = 0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def subscribe(self, application_server_key: str) -> PushSubscription:
        """A new browser subscription made with the given applicationServerKey."""
        sid = b64url_encode(os.urandom(9))
        key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self.subscribers[sid] = Subscriber(sid, key, auth, application_server_key)
        keys = SubscriptionKeys(
            p256dh=b64url_encode(public_point(key.public_key())), auth=b64url_encode(auth)
        )
        return PushSubscription(endpoint=f"{self.origin}/push/{sid}", keys=keys)

    def script(self, subscription: PushSubscription, *answers: Scripted) -> None:
        """Answer the next requests for this subscription with these, in order."""
        self.scripts.setdefault(subscription.endpoint.rsplit("/", 1)[1], []).extend(answers)

    def received_by(self, subscription: PushSubscription) -> list[Received]:
        sid = subscription.endpoint.rsplit("/", 1)[1]
        return [r for r in self.received if r.subscriber_id == sid]

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FakePushService]:
        app = web.Application()
        app.router.add_post("/push/{sid}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self.port = int(runner.addresses[0][1])
        try:
            yield self
        finally:
            self._stopping.set()
            self.gate.set()
            await runner.cleanup()

    def _now(self) -> float:
        now = self._clock() if callable(self._clock) else datetime.now(UTC)
        assert isinstance(now, datetime)
        return now.timestamp()

    def _refuse(self, status: int, reason: str) -> web.Response:
        self.refused.append((status, reason))
        return web.Response(status=status, text=reason)

    async def _handle(self, request: web.Request) -> web.Response:
        subscriber = self.subscribers.get(request.match_info["sid"])
        if subscriber is None:
            return self._refuse(404, "no such subscription")
        problem = _check_headers(request)
        if problem:
            return self._refuse(*problem)
        body = await request.read()
        if len(body) > 4096:
            return self._refuse(413, "payload too large")
        checked = self._check_vapid(request, subscriber)
        if isinstance(checked, web.Response):
            return checked
        claims, token = checked
        try:
            plaintext = http_ece.decrypt(
                body,
                private_key=subscriber.private_key,
                auth_secret=subscriber.auth,
                version="aes128gcm",
            )
        except Exception as exc:  # http_ece raises several kinds for bad ciphertext
            return self._refuse(400, f"cannot decrypt: {exc}")
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.received.append(Received(subscriber.id, plaintext, headers, claims, token))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self.gate.wait()
            return await self._answer(subscriber)
        finally:
            self.in_flight -= 1

    async def _answer(self, subscriber: Subscriber) -> web.Response:
        scripted = self.scripts.get(subscriber.id)
        if scripted:
            answer = scripted.pop(0)
            if answer.delay:  # a slow service; stopping the fake cuts the wait short
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), answer.delay)
            return web.Response(status=answer.status, headers=answer.headers, text="scripted")
        location = f"{self.origin}/message/{len(self.received)}"
        return web.Response(status=201, headers={"Location": location})

    def _check_vapid(
        self, request: web.Request, subscriber: Subscriber
    ) -> tuple[dict[str, object], str] | web.Response:
        match = _AUTH.match(request.headers.get("Authorization", ""))
        if not match:
            return self._refuse(401, "missing vapid authorization")
        params = dict(
            part.strip().split("=", 1) for part in match.group(1).split(",") if "=" in part
        )
        token, key = params.get("t", ""), params.get("k", "")
        if key != subscriber.application_server_key:
            return self._refuse(403, "k is not the key this subscription was created with")
        claims = _verified_claims(token, key)
        if claims is None:
            return self._refuse(403, "bad JWT signature")
        now = self._now()
        exp = claims.get("exp")
        if claims.get("aud") != self.origin:
            return self._refuse(403, f"aud {claims.get('aud')!r} is not {self.origin}")
        if not isinstance(exp, int) or not now < exp <= now + _DAY:
            return self._refuse(403, "exp missing, past, or more than 24 h ahead")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return self._refuse(403, "sub must be mailto: or https:")
        return claims, token


def _check_headers(request: web.Request) -> tuple[int, str] | None:
    headers = request.headers  # case-insensitive, as HTTP says
    if not headers.get("TTL", "").isdigit():
        return 400, "TTL header missing or not a number"
    if headers.get("Content-Encoding", "").lower() != "aes128gcm":
        return 415, "Content-Encoding must be aes128gcm"
    if headers.get("Urgency", "normal") not in {"very-low", "low", "normal", "high"}:
        return 400, "bad Urgency"
    topic = headers.get("Topic")
    if topic is not None and not _TOPIC.match(topic):
        return 400, "bad Topic"
    return None


def _verified_claims(token: str, key: str) -> dict[str, object] | None:
    """Claims of an ES256 JWT whose raw r||s signature verifies under `key`."""
    try:
        head, payload, signature = token.split(".")
        header = json.loads(b64url_decode(head))
        raw = b64url_decode(signature)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
        if header.get("alg") != "ES256" or len(raw) != 64:
            return None
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public.verify(der, f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(b64url_decode(payload))
    except (ValueError, InvalidSignature):
        return None
    return claims if isinstance(claims, dict) else None
