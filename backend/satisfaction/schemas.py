"""Wire shapes of citizens' ratings and the satisfaction statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec


class RatingCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The citizen's verdict on the answer; "not resolved" reopens the case and its group."""

    rating: Annotated[int, msgspec.Meta(ge=1, le=5)]
    resolved: bool
    comment: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class RatingView(msgspec.Struct, kw_only=True):
    tracking_code: str
    rating: int | None
    resolved: bool | None
    status: str  # the case's status after the rating ("reopened" when not resolved)
    at: datetime


SatisfactionBy = Literal["topic", "commune", "province"]


class SatisfactionRow(msgspec.Struct, kw_only=True):
    key: str  # a topic code, a commune code, or "all"
    answered: int  # cases answered in the period
    rated: int  # of those, rated by the citizen (1-5)
    average_rating: float | None
    satisfied_share: float | None  # ratings of 4 or 5 / rated
    resolved_share: float | None  # "resolved" / those who answered the question
    reopened: int  # said "not resolved" (the case and its group were reopened)
    reopen_rate: float | None  # reopened / answered


class SatisfactionStats(msgspec.Struct, kw_only=True):
    by: SatisfactionBy
    start: datetime
    end: datetime
    overall: SatisfactionRow
    items: list[SatisfactionRow]
