"""Wire shapes of suggested replies and canned responses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
Topic = Annotated[str, msgspec.Meta(max_length=40)]


class CannedCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: Title
    body: Body
    topic: Topic | None = None


class CannedUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    body: Body | msgspec.UnsetType = msgspec.UNSET
    topic: Topic | msgspec.UnsetType | None = msgspec.UNSET


class CannedView(msgspec.Struct, kw_only=True):
    id: int
    title: str
    body: str
    topic: str | None
    updated_at: datetime


class GuideSuggestion(msgspec.Struct, kw_only=True):
    id: str
    title: str
    summary: str
    url: str
    score: float


class PastAnswerSuggestion(msgspec.Struct, kw_only=True):
    case_id: int
    tracking_code: str
    question: str  # redacted
    answer: str  # redacted
    score: float


class CannedSuggestion(msgspec.Struct, kw_only=True):
    id: int
    title: str
    text: str  # rendered for this case


class Suggestions(msgspec.Struct, kw_only=True):
    """For staff to insert into the reply box and edit; nothing here is ever sent by itself."""

    case_id: int
    guides: list[GuideSuggestion]
    past_answers: list[PastAnswerSuggestion]
    canned: list[CannedSuggestion]
