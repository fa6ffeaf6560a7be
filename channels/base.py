"""The one interface every channel adapter implements.

A channel turns raw inbound bytes + headers into normalized events and sends outbound
messages, returning a `DeliveryResult`. Adapters import nothing from `backend`, read no
environment and open no global connection: configuration and HTTP clients are arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import msgspec


class ChannelError(Exception):
    """Root of every error raised by a channel adapter."""


class SignatureInvalid(ChannelError):
    """The request is not signed by the provider (answer 401/403, store nothing)."""


class PayloadInvalid(ChannelError):
    """The request is signed (or needs no signature) but its body cannot be understood."""


class PayloadTooLarge(PayloadInvalid):
    """The body is over the adapter's size limit (answer 413); checked before anything else."""


class ChannelMisconfigured(ChannelError):
    """Credentials or settings needed by the adapter are missing."""


class CredentialsRejected(ChannelMisconfigured):
    """The provider refused our credentials for good: alert an admin to reconnect the channel."""


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock of every adapter (aware, UTC); tests pass their own."""
    return datetime.now(UTC)


class EventKind(StrEnum):
    """What an inbound event means for the backend."""

    MESSAGE = "message"  # citizen input: creates or continues a case
    ECHO = "echo"  # a copy of what the organisation sent; recorded, never citizen input
    DELIVERED = "delivered"  # receipt for an outbound message
    SEEN = "seen"  # read receipt for outbound messages
    FOLLOW = "follow"  # opens a messaging window / subscribes
    UNFOLLOW = "unfollow"
    CONTACT_INFO = "contact_info"  # the citizen shared name/phone/address
    IGNORED = "ignored"  # acknowledged and dropped (probes, unsupported events)
    # An outbound message could not be delivered (e-mail DSN): refers_to names our outbound
    # ids, raw["failed_recipients"] the addresses. Never citizen input, never answered.
    BOUNCED = "bounced"


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    """Metadata of a file, image, link, location or sticker; media is fetched later by a job."""

    kind: str  # image, file, link, location, sticker, audio, video, gif
    url: str | None = None
    name: str | None = None
    size: int | None = None
    content_type: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    oversize: bool = False  # larger than the adapter's limit: metadata only, content not kept


class InboundEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One normalized inbound event from any channel."""

    channel: str
    kind: EventKind
    external_id: str  # provider message id: the idempotency key on this channel
    sender_id: str  # the citizen's identity on this channel (Zalo uid, PSID, e-mail address)
    received_at: datetime
    text: str = ""
    sender_name: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # Threading hints: e-mail In-Reply-To/References, plus-address reply token, quoted id.
    thread_refs: tuple[str, ...] = ()
    reply_token: str | None = None
    # Outbound message ids this receipt refers to (DELIVERED / SEEN).
    refers_to: tuple[str, ...] = ()
    # Contact details the citizen gave (CONTACT_INFO, or an e-mail's From).
    contact: Mapping[str, str] = msgspec.field(default_factory=dict)
    # The citizen agreed that staff may contact them on `contact` (web form box, Zalo info form).
    consent: bool = False
    commune_code: str | None = None  # when the channel knows it (the web form asks)
    # SEEN / DELIVERED by watermark (Messenger): every outbound message sent before it.
    watermark: datetime | None = None
    raw: Mapping[str, Any] = msgspec.field(default_factory=dict)


class OutboundMessage(msgspec.Struct, frozen=True, kw_only=True):
    """A message to one citizen on one channel."""

    channel: str
    recipient: str  # channel identity: Zalo uid, PSID, e-mail address, push subscription id
    text: str
    idempotency_key: str  # the delivery row's id; providers that dedupe get it
    subject: str | None = None
    tracking_code: str | None = None
    thread_refs: tuple[str, ...] = ()  # e-mail: Message-IDs to set In-Reply-To/References
    reply_token: str | None = None  # e-mail: plus-address token for Reply-To
    url: str | None = None  # link to the case's status page
    # e-mail: RFC 3834 Auto-Submitted value for mail no human wrote ("auto-replied" on
    # acknowledgements, "auto-generated" on notices); None for staff answers
    auto_submitted: str | None = None
    # When the citizen last interacted on this channel: windowed channels (Zalo 7 days,
    # Messenger 24 h) answer GONE + fallback_allowed without calling the provider once it is
    # closed. None means unknown: the provider decides.
    last_inbound_at: datetime | None = None


class DeliveryStatus(StrEnum):
    OK = "ok"
    RETRYABLE = "retryable"  # try again later (rate limit, 5xx, timeout)
    GONE = "gone"  # will never work: window closed, user blocked, subscription expired
    # refused for a reason on our side (bad request, credentials, content): do not retry,
    # but keep the recipient (a push 400/403/413, an SMTP 5xx on DATA)
    REJECTED = "rejected"


class DeliveryResult(msgspec.Struct, frozen=True, kw_only=True):
    """What happened to one send: expected failures are data, not exceptions."""

    status: DeliveryStatus
    detail: str = ""
    provider_message_id: str | None = None
    retry_after: float | None = None  # seconds, when the provider said so
    fallback_allowed: bool = False  # GONE because of a window: another channel may be used

    @property
    def ok(self) -> bool:
        return self.status is DeliveryStatus.OK


@runtime_checkable
class Channel(Protocol):
    """A channel adapter: verify + parse inbound, send outbound."""

    name: str

    def parse(self, headers: Mapping[str, str], body: bytes) -> Sequence[InboundEvent]:
        """Verify the request and turn it into events; raise SignatureInvalid / PayloadInvalid."""
        ...

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Send one message; never raise for expected provider failures."""
        ...
