"""Wire shapes of forwarding cases and issue groups to competent units."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from backend.cases.schemas import CaseSummary, MessageView
from backend.groups.schemas import GroupSummary

Note = Annotated[str, msgspec.Meta(max_length=2000)]
Deadline = Literal["overdue", "due_soon", "on_time", "answered"]


class ForwardTarget(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A commune's People's Committee (or another commune), a province department, or the province."""

    kind: Literal["commune", "department", "province"]
    commune_code: Annotated[str, msgspec.Meta(pattern=r"^\d{5}$")] | None = None
    department_id: int | None = None


class ForwardCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    target: ForwardTarget
    due_at: datetime
    note: Note = ""


class EscalateCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Hand a commune case to the province in one action (default due date: 7 days)."""

    due_at: datetime | None = None
    note: Note = ""
    department_id: int | None = None  # a province department instead of the province MTTQ


class ForwardAnswer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    reply_to_citizens: bool = True  # also send it to the citizen(s) as the case's answer


class ForwardingView(msgspec.Struct, kw_only=True):
    id: int
    case_id: int | None
    group_id: int | None
    commune_code: str | None
    province_code: str
    target_kind: str
    target_commune_code: str | None
    target_department_id: int | None
    target_province_code: str
    target_name: str
    note: str
    escalation: bool
    due_at: datetime
    deadline: Deadline
    state: str
    forwarded_by: int
    created_at: datetime
    answer_text: str | None
    answered_by: int | None
    answered_at: datetime | None


class ForwardingList(msgspec.Struct, kw_only=True):
    items: list[ForwardingView]


class ForwardingDetail(msgspec.Struct, kw_only=True):
    """What the receiving unit sees: the forwarding and the case(s) with their messages."""

    forwarding: ForwardingView
    cases: list[CaseSummary]
    group: GroupSummary | None
    messages: list[MessageView]  # the citizen's messages and replies of a forwarded case


class DepartmentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    province_code: Annotated[str, msgspec.Meta(pattern=r"^\d{2}$")]
    code: Annotated[str, msgspec.Meta(min_length=2, max_length=40, pattern=r"^[a-z0-9_-]+$")]
    name: Annotated[str, msgspec.Meta(min_length=2, max_length=200)]


class DepartmentView(msgspec.Struct, kw_only=True):
    id: int
    province_code: str
    code: str
    name: str
    members: list[int]


class DepartmentList(msgspec.Struct, kw_only=True):
    items: list[DepartmentView]
