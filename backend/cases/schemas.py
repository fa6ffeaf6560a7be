"""Wire shapes of the staff case endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from backend.db.models import CaseStatus

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class CaseSummary(msgspec.Struct, kw_only=True):
    id: int
    tracking_code: str
    channel: str
    commune_code: str
    province_code: str
    summary: str
    topic: str | None
    topic_confidence: float | None
    kind: str | None
    urgent: bool
    needs_review: bool
    status: str
    assignee_id: int | None
    group_id: int | None
    due_at: datetime | None
    received_at: datetime
    first_response_at: datetime | None
    answered_at: datetime | None


class CasePage(msgspec.Struct, kw_only=True):
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int


class MessageView(msgspec.Struct, kw_only=True):
    id: int
    direction: str
    channel: str
    text: str
    author_id: int | None
    delivery_state: str | None
    created_at: datetime
    # Photos (kind "image": sha256, content_type, size, width, height) and channel media.
    attachments: list[dict[str, Any]] = msgspec.field(default_factory=list)
    # The volunteer who recorded it on the resident's behalf, with the resident's consent.
    assisted_by: str | None = None


class NoteView(msgspec.Struct, kw_only=True):
    id: int
    author_id: int
    text: str
    created_at: datetime


class DeliveryView(msgspec.Struct, kw_only=True):
    id: int
    message_id: int | None  # None for a Web Push notice
    channel: str
    state: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


class CaseDetail(msgspec.Struct, kw_only=True):
    case: CaseSummary
    messages: list[MessageView]
    notes: list[NoteView]
    deliveries: list[DeliveryView]


class AssignRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    assignee_id: int | None
    due_at: datetime | None = None


class StatusChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    status: CaseStatus


class NoteCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: Text


class ReplyCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: Text
    answer: bool = True  # marks the case answered (False: an interim reply)


class ClassificationCorrection(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Staff correction of the model's labels; unset fields stay as they are."""

    topic: str | msgspec.UnsetType = msgspec.UNSET
    kind: str | msgspec.UnsetType = msgspec.UNSET
    urgent: bool | msgspec.UnsetType = msgspec.UNSET


class CaseFilters(msgspec.Struct, kw_only=True):
    status: str | None = None
    topic: str | None = None
    commune_code: str | None = None
    channel: str | None = None
    assignee_id: int | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    q: str | None = None
    needs_review: bool | None = None
    urgent: bool | None = None
    page: int = 1
    page_size: int = 50
