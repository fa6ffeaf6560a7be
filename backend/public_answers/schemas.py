"""Wire shapes of published answers: the staff review draft and the public Q&A list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

QuestionText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
AnswerText = Annotated[str, msgspec.Meta(min_length=1, max_length=8000)]


class PublicationDraft(msgspec.Struct, kw_only=True):
    """What staff review before publishing: the texts already redacted, and the current state."""

    group_id: int
    commune_code: str
    topic: str
    question: str
    answer: str
    citizens: int
    published: bool
    published_at: datetime | None


class PublishRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The reviewed texts; they are redacted again before they are stored."""

    question: QuestionText
    answer: AnswerText


class PublicAnswerItem(msgspec.Struct, kw_only=True):
    id: int
    topic: str
    question: str
    answer: str
    citizens: int  # distinct citizens who raised this issue
    published_at: datetime


class PublicAnswerPage(msgspec.Struct, kw_only=True):
    commune_code: str
    commune_name: str
    items: list[PublicAnswerItem]
    total: int
    page: int
    page_size: int
