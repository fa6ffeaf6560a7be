"""Messenger webhook notifications (§2.3) and their mapping to InboundEvent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from channels.base import Attachment, EventKind, InboundEvent, PayloadInvalid
from channels.wire import ms_to_datetime

CHANNEL = "messenger"
Id = str | int  # Meta sends strings; a number is kept exact and turned into text


class Party(msgspec.Struct):
    id: Id


class Coordinates(msgspec.Struct, kw_only=True):
    lat: float | None = None
    long: float | None = None


class AttachmentPayload(msgspec.Struct, kw_only=True):
    url: str | None = None
    title: str | None = None
    coordinates: Coordinates | None = None


class MessengerAttachment(msgspec.Struct, kw_only=True):
    type: str  # image, video, audio, file, location, fallback, reel, ig_reel …
    payload: AttachmentPayload | None = None
    title: str | None = None  # fallback attachments
    url: str | None = None


class Mid(msgspec.Struct):
    mid: str


class Message(msgspec.Struct, kw_only=True):
    mid: str
    text: str = ""
    is_echo: bool = False
    attachments: list[MessengerAttachment] = msgspec.field(default_factory=list)
    reply_to: Mid | None = None


class Delivery(msgspec.Struct, kw_only=True):
    watermark: int
    mids: list[str] = msgspec.field(default_factory=list)  # may be absent (§2.3)


class Read(msgspec.Struct, kw_only=True):
    watermark: int


class Postback(msgspec.Struct, kw_only=True):
    title: str = ""
    payload: str = ""
    mid: str | None = None


class Messaging(msgspec.Struct, kw_only=True):
    """One item of an entry's `messaging` array; exactly one of the event fields is set."""

    sender: Party
    recipient: Party
    timestamp: int | None = None  # ms numbers here, unlike Zalo's strings
    message: Message | None = None
    delivery: Delivery | None = None
    read: Read | None = None
    postback: Postback | None = None


def to_inbound(item: dict[str, Any], entry_time: int, page_id: str, now: datetime) -> InboundEvent:
    """Map one messaging item (`now` only when Meta gave no time); raise PayloadInvalid."""
    try:
        messaging = msgspec.convert(item, Messaging)
    except msgspec.ValidationError as exc:
        raise PayloadInvalid(f"messenger event: {exc}") from exc
    sender, recipient = str(messaging.sender.id), str(messaging.recipient.id)
    at = messaging.timestamp or entry_time
    received_at = ms_to_datetime(at) if at else now
    base: dict[str, Any] = {"channel": CHANNEL, "received_at": received_at, "raw": item}
    message = messaging.message
    if message is not None and message.is_echo:
        # An echo of what the Page sent (§2.3): the citizen is the recipient.
        return _message(message, EventKind.ECHO, recipient, base)
    if message is not None:
        return _message(message, EventKind.MESSAGE, sender, base)
    if messaging.delivery is not None:
        mark = messaging.delivery.watermark
        return InboundEvent(
            kind=EventKind.DELIVERED,
            external_id=f"delivery:{sender}:{mark}",
            sender_id=sender,
            refers_to=tuple(messaging.delivery.mids),
            watermark=ms_to_datetime(mark),
            **base,
        )
    if messaging.read is not None:
        mark = messaging.read.watermark
        return InboundEvent(
            kind=EventKind.SEEN,
            external_id=f"read:{sender}:{mark}",
            sender_id=sender,
            watermark=ms_to_datetime(mark),
            **base,
        )
    if messaging.postback is not None:
        # A button tap (e.g. "Get Started"): it opens the 24 h window but is not feedback.
        postback = messaging.postback
        return InboundEvent(
            kind=EventKind.FOLLOW,
            external_id=postback.mid or f"postback:{sender}:{at}",
            sender_id=sender,
            text=postback.title,
            **base,
        )
    # Reactions, optins, referrals, handover …: acknowledged, not handled.
    user = recipient if sender == page_id else sender
    return InboundEvent(
        kind=EventKind.IGNORED, external_id=f"ignored:{user}:{at}", sender_id=user, **base
    )


def _message(message: Message, kind: EventKind, user: str, base: dict[str, Any]) -> InboundEvent:
    return InboundEvent(
        kind=kind,
        external_id=message.mid,
        sender_id=user,
        text=message.text,
        attachments=tuple(_attachment(item) for item in message.attachments),
        thread_refs=() if message.reply_to is None else (message.reply_to.mid,),
        **base,
    )


def _attachment(item: MessengerAttachment) -> Attachment:
    payload = item.payload or AttachmentPayload()
    coordinates = payload.coordinates or Coordinates()
    return Attachment(
        kind=item.type,
        url=payload.url or item.url,
        name=payload.title or item.title,
        latitude=coordinates.lat,
        longitude=coordinates.long,
    )
