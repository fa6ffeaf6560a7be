"""Wire shapes of the push, campaign and follow-up endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from channels.webpush import PushNotice

CommuneCode = Annotated[str, msgspec.Meta(pattern=r"^\d{5}$")]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
ClockTime = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]  # HH:MM


class SubscriptionKeysIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    p256dh: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    auth: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class SubscriptionIn(msgspec.Struct, frozen=True, kw_only=True):
    """The browser's `PushSubscription.toJSON()`."""

    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    keys: SubscriptionKeysIn
    expiration_time: int | None = msgspec.field(default=None, name="expirationTime")


class SubscribeRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    subscription: SubscriptionIn
    tracking_code: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    status_token: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    communes: Annotated[list[CommuneCode], msgspec.Meta(max_length=500)] | None = None
    topics: Annotated[list[Label], msgspec.Meta(max_length=50)] | None = None


class UnsubscribeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class SubscriptionView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    endpoint: str
    communes: list[str]
    topics: list[str]


class PushKeyView(msgspec.Struct, frozen=True):
    public_key: str  # base64url uncompressed P-256 point: the applicationServerKey


class CampaignCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    url: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    communes: Annotated[list[CommuneCode], msgspec.Meta(max_length=500)] | None = None
    roles: Annotated[list[Label], msgspec.Meta(max_length=10)] | None = None
    topics: Annotated[list[Label], msgspec.Meta(max_length=50)] | None = None
    send_at: datetime | None = None
    repeat_days: Annotated[int, msgspec.Meta(ge=1, le=365)] | None = None
    repeat_until: datetime | None = None
    quiet_start: ClockTime | None = None
    quiet_end: ClockTime | None = None


class CampaignCounts(msgspec.Struct, frozen=True, kw_only=True):
    recipients: int = 0
    sent: int = 0  # accepted by the push service (201)
    delivered: int = 0  # push services do not confirm display: the same as sent
    expired: int = 0  # subscription gone (404/410)
    failed: int = 0


class CampaignView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    title: str
    body: str
    url: str | None
    communes: list[str] | None
    roles: list[str] | None
    topics: list[str] | None
    send_at: datetime | None
    repeat_days: int | None
    repeat_until: datetime | None
    quiet_start: str | None
    quiet_end: str | None
    state: str
    created_by: int
    created_at: datetime
    counts: CampaignCounts


class CampaignList(msgspec.Struct, frozen=True):
    items: list[CampaignView]


class CampaignPreview(msgspec.Struct, frozen=True):
    recipients: int
    notice: PushNotice


class FollowUpCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    due_at: datetime
    tracking_code: Annotated[str, msgspec.Meta(max_length=16)] | None = None


class FollowUpView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    note: str
    due_at: datetime
    tracking_code: str | None
    state: str
    created_at: datetime


class FollowUpList(msgspec.Struct, frozen=True):
    items: list[FollowUpView]
