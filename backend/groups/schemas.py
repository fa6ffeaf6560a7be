"""Wire shapes of issue groups."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from backend.cases.schemas import CaseSummary


class GroupSummary(msgspec.Struct, kw_only=True):
    id: int
    topic: str
    commune_code: str | None
    province_code: str | None
    status: str
    title: str
    size: int
    first_seen: datetime
    last_seen: datetime


class GroupDetail(msgspec.Struct, kw_only=True):
    group: GroupSummary
    citizens: int  # distinct people (contacts; a case without contact counts as one)
    channels: dict[str, int]
    keywords: list[str]
    quotes: list[str]  # redacted
    cases: list[CaseSummary]


class GroupPage(msgspec.Struct, kw_only=True):
    items: list[GroupSummary]
    total: int
    page: int
    page_size: int


class MergeRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    other_group_id: int


class MoveRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    group_id: int | None  # None: split the case into a new group of its own


class GroupAnswer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class GroupAnswerResult(msgspec.Struct, kw_only=True):
    answered_cases: list[int]
