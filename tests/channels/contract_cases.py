"""One entry per registered channel for the contract suite (test_contract.py).

To add a channel: put recorded payloads in payloads/<name>/ with a manifest.json mapping
each file to the event kinds it must parse into, and add one builder to CONTRACT_CASES.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import msgspec

from channels.base import Channel, OutboundMessage
from channels.email import EmailChannel, SmtpSettings
from channels.memory import MemoryChannel
from channels.messenger import MessengerChannel
from channels.web import WebChannel
from channels.webpush import KNOWN_PUSH_HOSTS, VapidKeys, WebPushChannel, WebPushConfig
from channels.zalo import InMemoryZaloTokenStore, ZaloChannel
from tests.channels.email_support import CONFIG as EMAIL_CONFIG
from tests.channels.fakes.clock import FakeClock
from tests.channels.fakes.meta import FakeMetaGraph
from tests.channels.fakes.push_service import FakePushService
from tests.channels.fakes.smtp_capture import smtp_capture
from tests.channels.fakes.zalo import FakeZalo

PAYLOADS = Path(__file__).parent / "payloads"
PUSH_KEYS = VapidKeys.generate()
NOT_JSON = b'{"event_name": "user_send_text", '


@dataclass(frozen=True, kw_only=True)
class ContractCase:
    """A channel wired to its fake, with what the contract needs to drive it."""

    channel: Channel
    sign: Callable[[bytes], dict[str, str]] | None  # None: the channel has no signatures
    deliverable: OutboundMessage  # its fake accepts this one
    undeliverable: OutboundMessage | None  # its fake refuses this one for good (GONE)
    malformed: tuple[bytes, ...]  # bodies that must give PayloadInvalid, even when signed
    max_body_bytes: int

    @property
    def payload_dir(self) -> Path:
        return PAYLOADS / self.channel.name


def outbound(channel: str, recipient: str, text: str = "Xã đã tiếp nhận.") -> OutboundMessage:
    return OutboundMessage(
        channel=channel, recipient=recipient, text=text, idempotency_key="delivery-1"
    )


@asynccontextmanager
async def web_case() -> AsyncIterator[ContractCase]:
    channel = WebChannel(clock=FakeClock())
    yield ContractCase(
        channel=channel,
        sign=None,
        deliverable=outbound("web", "case-42"),
        undeliverable=None,  # the status page always shows the reply
        malformed=(NOT_JSON, b"[]", b'{"text": "x"}', b'{"text": "", "commune": "00070"}'),
        max_body_bytes=64 * 1024,
    )


@asynccontextmanager
async def memory_case() -> AsyncIterator[ContractCase]:
    channel = MemoryChannel(clock=FakeClock())
    yield ContractCase(
        channel=channel,
        sign=None,
        deliverable=outbound("memory", "citizen-1"),
        undeliverable=None,
        malformed=(NOT_JSON, b"[]", b'{"sender_id": "x"}'),
        max_body_bytes=64 * 1024,
    )


@asynccontextmanager
async def zalo_case() -> AsyncIterator[ContractCase]:
    clock = FakeClock()
    fake = FakeZalo(clock)
    fake.user_interacts("8309393969855402319")
    async with fake.client() as client:
        store = InMemoryZaloTokenStore(fake.connect())
        yield ContractCase(
            channel=ZaloChannel(fake.config(), client, store, clock=clock),
            sign=fake.sign,
            deliverable=outbound("zalo", "8309393969855402319"),
            undeliverable=outbound("zalo", "5550001112223334445"),  # never followed: -213
            malformed=(NOT_JSON, b"[1, 2]", _zalo_bad_shape()),
            max_body_bytes=256 * 1024,
        )


@asynccontextmanager
async def messenger_case() -> AsyncIterator[ContractCase]:
    clock = FakeClock()
    fake = FakeMetaGraph(clock)
    fake.user_writes("6843192075526148")
    async with fake.client() as client:
        yield ContractCase(
            channel=MessengerChannel(fake.config(), client, clock=clock),
            sign=fake.sign,
            deliverable=outbound("messenger", "6843192075526148"),
            undeliverable=outbound("messenger", "7000000000000001"),  # no such user
            malformed=(
                NOT_JSON,
                b"[]",
                b'{"object": "page"}',
                b'{"object": "instagram", "entry": []}',
            ),
            max_body_bytes=256 * 1024,
        )


@asynccontextmanager
async def email_case() -> AsyncIterator[ContractCase]:
    async with smtp_capture() as (capture, port):
        capture.refuse["ghost@gmail.com"] = "550 5.1.1 No such user"
        smtp = SmtpSettings(hostname="127.0.0.1", port=port, local_hostname="sender.test")
        config = msgspec.structs.replace(EMAIL_CONFIG, smtp=smtp, max_message_bytes=256 * 1024)
        yield ContractCase(
            channel=EmailChannel(config, clock=FakeClock()),
            sign=None,  # inbound mail arrives over our own SMTP/IMAP connections
            deliverable=outbound("email", "an@gmail.com"),
            undeliverable=outbound("email", "ghost@gmail.com"),
            malformed=(b"", b"no header fields at all\r\n", b"To: x@y.vn\r\n\r\nno sender\r\n"),
            max_body_bytes=config.max_message_bytes,
        )


@asynccontextmanager
async def webpush_case() -> AsyncIterator[ContractCase]:
    clock = FakeClock()
    async with FakePushService(clock).running() as service, aiohttp.ClientSession() as session:
        config = WebPushConfig(
            vapid_private_key=PUSH_KEYS.private_base64url(),
            subject="mailto:ops@tiengdan.example.vn",
            allowed_hosts=(*KNOWN_PUSH_HOSTS, "127.0.0.1"),
        )
        live = service.subscribe(PUSH_KEYS.application_server_key())
        expired = msgspec.structs.replace(live, endpoint=f"{service.origin}/push/expired")
        yield ContractCase(
            channel=WebPushChannel.build(config, session, clock=clock),
            sign=None,  # posted by our own PWA under the user's session
            deliverable=outbound("webpush", msgspec.json.encode(live).decode()),
            undeliverable=outbound("webpush", msgspec.json.encode(expired).decode()),
            malformed=(
                NOT_JSON,
                b'{"type": "subscribe"}',
                b'{"type": "resubscribe", "endpoint": "https://fcm.googleapis.com/x"}',
                b'{"type": "unsubscribe", "endpoint": "file:///etc/passwd"}',
                b'{"type": "subscribe", "subscription": {"endpoint": "https://10.0.0.5/x",'
                b' "keys": {"p256dh": "BAAA", "auth": "AAAA"}}}',
            ),
            max_body_bytes=config.max_body_bytes,
        )


def _zalo_bad_shape() -> bytes:
    """Signed, valid JSON, but `message` is not an object."""
    return (
        b'{"event_name":"user_send_text","app_id":"102719276611582260",'
        b'"sender":{"id":"1"},"message":"oops","timestamp":"1772438400123"}'
    )


# The e-mail and web-push helpers add their builders here, next to their registry lines.
CONTRACT_CASES: dict[str, Callable[[], AbstractAsyncContextManager[ContractCase]]] = {
    "web": web_case,
    "memory": memory_case,
    "zalo": zalo_case,
    "messenger": messenger_case,
    "email": email_case,
    "webpush": webpush_case,
}
