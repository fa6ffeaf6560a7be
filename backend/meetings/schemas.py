"""Wire shapes of voter meetings (tiếp xúc cử tri) and their opinions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

ClientKey = Annotated[str, msgspec.Meta(min_length=8, max_length=100, pattern=r"^[\w.:-]+$")]
OpinionText = Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
Speaker = Annotated[str, msgspec.Meta(max_length=200)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
CommuneCode = Annotated[str, msgspec.Meta(pattern=r"^\d{5}$", examples=["00070"])]
MAX_OPINIONS = 500


class OpinionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: OpinionText
    speaker: Speaker | None = None


class MeetingCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A meeting and the opinions noted in its minutes; `client_key` makes a resend harmless."""

    client_key: ClientKey
    held_on: date
    place: Label
    commune_code: CommuneCode
    organizer: Label
    attendance: Annotated[int, msgspec.Meta(ge=0, le=100_000)] = 0
    delegates: Annotated[list[Speaker], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    opinions: Annotated[list[OpinionIn], msgspec.Meta(max_length=MAX_OPINIONS)] = msgspec.field(
        default_factory=list
    )


class OpinionsAdd(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """More opinions for a meeting; the same `client_key` again adds nothing."""

    client_key: ClientKey
    opinions: Annotated[list[OpinionIn], msgspec.Meta(min_length=1, max_length=MAX_OPINIONS)]


class OpinionView(msgspec.Struct, kw_only=True):
    id: int
    position: int
    speaker: str | None
    text: str
    case_id: int
    tracking_code: str
    topic: str | None
    status: str


class MeetingSummary(msgspec.Struct, kw_only=True):
    id: int
    client_key: str
    held_on: date
    place: str
    commune_code: str
    province_code: str
    organizer: str
    attendance: int
    delegates: list[str]
    source: str
    opinions: int
    created_by: int
    created_at: datetime


class MeetingDetail(msgspec.Struct, kw_only=True):
    meeting: MeetingSummary
    opinions: list[OpinionView]


class MeetingPage(msgspec.Struct, kw_only=True):
    items: list[MeetingSummary]
    total: int
    page: int
    page_size: int


class ImportResult(msgspec.Struct, kw_only=True):
    meetings: list[MeetingSummary]
    rows: int
    created_opinions: int  # 0 when the same file was imported before
