"""Wire shapes of the public (no login) feedback endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
CommuneCode = Annotated[str, msgspec.Meta(pattern=r"^\d{5}$", examples=["00070"])]
IdempotencyKey = Annotated[str, msgspec.Meta(min_length=8, max_length=100, pattern=r"^[\w.:-]+$")]


class FeedbackCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A citizen's feedback from the web form."""

    text: Text
    commune_code: CommuneCode
    name: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    phone: Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9 .()-]{8,20}$")] | None = None
    email: (
        Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)] | None
    ) = None
    consent: bool = False  # may staff contact them on the details given?
    idempotency_key: IdempotencyKey | None = None
    # Recorded by a logged-in volunteer for a resident; `consent` is then the resident's.
    assisted: bool = False


class FeedbackReceipt(msgspec.Struct, kw_only=True):
    """What the citizen keeps: the tracking code and the secret that opens its status page."""

    tracking_code: str
    status_token: str
    status: str
    received_at: datetime
    status_url: str


class FollowUpCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: Text
    idempotency_key: IdempotencyKey | None = None


class ReopenRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=5000)] | None = None


class PublicMessage(msgspec.Struct, kw_only=True):
    direction: str  # "in" from the citizen, "out" from staff
    text: str
    at: datetime


class PublicCaseView(msgspec.Struct, kw_only=True):
    """The citizen's status page: no internal notes, no staff identities."""

    tracking_code: str
    status: str
    commune_code: str
    commune_name: str
    topic: str | None
    received_at: datetime
    answered_at: datetime | None
    messages: list[PublicMessage]


class PhotoReceipt(msgspec.Struct, kw_only=True):
    sha256: str
    width: int
    height: int
    size: int
    url: str
