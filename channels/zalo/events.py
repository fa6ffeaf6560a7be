"""Zalo OA webhook events (§1.3–1.4) and their mapping to InboundEvent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from channels.base import Attachment, EventKind, InboundEvent, PayloadInvalid
from channels.wire import ms_to_datetime

CHANNEL = "zalo"
# Zalo ids are strings that often exceed 2**53; a number is kept exact and turned into text.
Id = str | int
ANONYMOUS_PREFIX = "anonymous:"  # sender_id of anonymous chats: anonymous:<id>:<conversation>


class ZaloParty(msgspec.Struct):
    id: Id


class ZaloCoordinates(msgspec.Struct, kw_only=True):
    latitude: str | float | None = None
    longitude: str | float | None = None


class ZaloAttachmentPayload(msgspec.Struct, kw_only=True):
    url: str | None = None
    thumbnail: str | None = None
    name: str | None = None
    size: str | int | None = None  # §1.4: string or int
    description: str | None = None
    id: Id | None = None  # sticker id
    coordinates: ZaloCoordinates | None = None


class ZaloAttachment(msgspec.Struct, kw_only=True):
    type: str
    payload: ZaloAttachmentPayload = msgspec.field(default_factory=ZaloAttachmentPayload)


class ZaloMessage(msgspec.Struct, kw_only=True):
    msg_id: Id | None = None
    msg_ids: list[Id] = msgspec.field(default_factory=list)  # user_seen_message only
    text: str = ""
    attachments: list[ZaloAttachment] = msgspec.field(default_factory=list)
    quote_msg_id: Id | None = None
    conversation_id: Id | None = None  # anonymous chats


class ZaloEvent(msgspec.Struct, kw_only=True):
    """The envelope shared by every event; which fields are set depends on `event_name`."""

    event_name: str
    sender: ZaloParty | None = None
    recipient: ZaloParty | None = None
    message: ZaloMessage | None = None
    follower: ZaloParty | None = None  # follow / unfollow
    user_id: Id | None = None  # user_click_chatnow, user_withdraw
    info: dict[str, Any] | None = None  # user_submit_info; shape is open question §6.3
    source: str | None = None


def to_inbound(data: Mapping[str, Any], timestamp: str) -> InboundEvent:
    """Map one verified event to the normalized shape; raise PayloadInvalid if it is malformed."""
    try:
        event = msgspec.convert(data, ZaloEvent)
    except msgspec.ValidationError as exc:
        raise PayloadInvalid(f"zalo event: {exc}") from exc
    name = event.event_name
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "received_at": ms_to_datetime(timestamp),
        "raw": data,
    }
    if _is_user_message(name):
        return _message(event, EventKind.MESSAGE, _party(event.sender, "sender"), base)
    if _is_echo(name):  # §1.4: sender and recipient swapped; the citizen is the recipient
        return _message(event, EventKind.ECHO, _party(event.recipient, "recipient"), base)
    if name in ("follow", "unfollow"):
        user = _party(event.follower, "follower")
        kind = EventKind.FOLLOW if name == "follow" else EventKind.UNFOLLOW
        return InboundEvent(
            kind=kind, external_id=f"{name}:{user}:{timestamp}", sender_id=user, **base
        )
    if name == "user_click_chatnow":  # the user opened the chat: OA may now message them
        user = _required(event.user_id, "user_id")
        return InboundEvent(
            kind=EventKind.FOLLOW, external_id=f"{name}:{user}:{timestamp}", sender_id=user, **base
        )
    if name == "user_submit_info":
        return _contact_info(event, timestamp, base)
    if name == "user_received_message":  # §1.4: the OA is the sender here
        msg_id = _required(_message_of(event).msg_id, "message.msg_id")
        user = _party(event.recipient, "recipient")
        return InboundEvent(
            kind=EventKind.DELIVERED,
            external_id=f"delivered:{msg_id}",
            sender_id=user,
            refers_to=(msg_id,),
            **base,
        )
    if name == "user_seen_message":
        seen = tuple(str(msg_id) for msg_id in _message_of(event).msg_ids)
        user = _party(event.recipient, "recipient")
        return InboundEvent(
            kind=EventKind.SEEN,
            external_id=f"seen:{user}:{timestamp}",
            sender_id=user,
            refers_to=seen,
            **base,
        )
    # Clicks, tags, groups, calls, reactions, user_withdraw …: acknowledged, not handled yet.
    # user_withdraw (a data-subject request) deserves handling once consent flows exist.
    who = _first_id(event.sender, event.follower, event.user_id)
    return InboundEvent(
        kind=EventKind.IGNORED, external_id=f"{name}:{who}:{timestamp}", sender_id=who, **base
    )


def _is_user_message(name: str) -> bool:
    if name.startswith("user_send_group_"):
        return False  # group chats (GMF) are not citizen feedback to the OA
    return name.startswith(("user_send_", "anonymous_send_"))


def _is_echo(name: str) -> bool:
    return (
        name.startswith("oa_send_")
        and not name.startswith("oa_send_group_")
        and name != "oa_send_consent"  # a call-permission request, not a message
    )


def _message(event: ZaloEvent, kind: EventKind, user: str, base: dict[str, Any]) -> InboundEvent:
    message = _message_of(event)
    msg_id = _required(message.msg_id, "message.msg_id")
    if event.event_name.startswith(("anonymous_", "oa_send_anonymous_")):
        conversation = _required(message.conversation_id, "message.conversation_id")
        user = f"{ANONYMOUS_PREFIX}{user}:{conversation}"
    quoted = () if message.quote_msg_id is None else (str(message.quote_msg_id),)
    return InboundEvent(
        kind=kind,
        external_id=msg_id,
        sender_id=user,
        text=message.text,
        attachments=tuple(_attachment(item) for item in message.attachments),
        thread_refs=quoted,
        **base,
    )


def _attachment(item: ZaloAttachment) -> Attachment:
    payload = item.payload
    latitude = longitude = None
    if payload.coordinates is not None:
        latitude = _coordinate(payload.coordinates.latitude, -90, 90)
        longitude = _coordinate(payload.coordinates.longitude, -180, 180)
    return Attachment(
        kind=item.type,
        url=payload.url,
        name=payload.name,
        size=_size(payload.size),
        latitude=latitude,
        longitude=longitude,
    )


def _size(value: str | int | None) -> int | None:
    if isinstance(value, str):
        return int(value) if value.strip().isdigit() else None
    return value


def _coordinate(value: str | float | None, low: float, high: float) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise PayloadInvalid(f"zalo location: {value!r} is not a number") from exc
    if not low <= number <= high:
        raise PayloadInvalid(f"zalo location: {number} is out of range")
    return number


def _contact_info(event: ZaloEvent, timestamp: str, base: dict[str, Any]) -> InboundEvent:
    user = _party(event.sender, "sender")
    info = event.info or {}
    # Variants seen: {name, phone, address, city, district, ward} and {name, phone, user_dob,
    # gender, full_address}; keep every scalar so the backend can pick what it needs.
    contact = {
        key: str(value)
        for key, value in info.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value)
    }
    return InboundEvent(
        kind=EventKind.CONTACT_INFO,
        external_id=f"user_submit_info:{user}:{timestamp}",
        sender_id=user,
        sender_name=contact.get("name"),
        contact=contact,
        consent=True,  # the user filled in the OA's request_user_info form to share these
        **base,
    )


def _message_of(event: ZaloEvent) -> ZaloMessage:
    if event.message is None:
        raise PayloadInvalid(f"zalo {event.event_name}: no message")
    return event.message


def _party(party: ZaloParty | None, field: str) -> str:
    if party is None:
        raise PayloadInvalid(f"zalo event: no {field}")
    return _required(party.id, f"{field}.id")


def _required(value: Id | None, field: str) -> str:
    text = "" if value is None else str(value)
    if not text:
        raise PayloadInvalid(f"zalo event: no {field}")
    return text


def _first_id(*candidates: ZaloParty | Id | None) -> str:
    for candidate in candidates:
        value = candidate.id if isinstance(candidate, ZaloParty) else candidate
        if value is not None and str(value):
            return str(value)
    return ""
