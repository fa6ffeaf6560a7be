"""Web Push: browser subscriptions, reminder campaigns and personal follow-ups."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, utc_column, utcnow


class PushSubscriptionRecord(SQLModel, table=True):
    """One browser's push subscription, tied to a staff/volunteer user or to a citizen's case."""

    __tablename__ = "push_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    endpoint: str = Field(max_length=1000, unique=True)
    p256dh: str = Field(max_length=120)
    auth: str = Field(max_length=40)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    communes: list[str] | None = Field(default=None, sa_column=sa.Column(JSONType))
    topics: list[str] | None = Field(default=None, sa_column=sa.Column(JSONType))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    last_success_at: datetime | None = Field(default=None, sa_column=utc_column())
    failure_count: int = 0


class CampaignState(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"  # shown while its deliveries are still pending; never stored
    SENT = "sent"
    CANCELLED = "cancelled"


class Campaign(SQLModel, table=True):
    """A reminder pushed to staff and volunteers by commune, role and topic."""

    __tablename__ = "campaigns"
    __table_args__ = (sa.Index("ix_campaigns_due", "state", "next_run_at"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    body: str = Field(max_length=1000)
    url: str | None = Field(default=None, max_length=500)
    communes: list[str] | None = Field(default=None, sa_column=sa.Column(JSONType))
    roles: list[str] | None = Field(default=None, sa_column=sa.Column(JSONType))
    topics: list[str] | None = Field(default=None, sa_column=sa.Column(JSONType))
    # A province staff member's campaign without communes reaches only their province.
    province_code: str | None = Field(default=None, max_length=2)
    send_at: datetime | None = Field(default=None, sa_column=utc_column())
    repeat_days: int | None = None
    repeat_until: datetime | None = Field(default=None, sa_column=utc_column())
    quiet_start: str | None = Field(default=None, max_length=5)  # HH:MM, Asia/Ho_Chi_Minh
    quiet_end: str | None = Field(default=None, max_length=5)
    state: str = Field(default=CampaignState.DRAFT, max_length=10)
    next_run_at: datetime | None = Field(default=None, sa_column=utc_column())  # before quiet hours
    runs: int = 0
    created_by: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class FollowUpState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DONE = "done"


class FollowUp(SQLModel, table=True):
    """A reminder a user set for themselves, pushed to them at `due_at`."""

    __tablename__ = "follow_ups"
    __table_args__ = (sa.Index("ix_follow_ups_due", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    note: str = Field(max_length=500)
    due_at: datetime = Field(sa_column=utc_column(nullable=False))
    tracking_code: str | None = Field(default=None, max_length=16)
    state: str = Field(default=FollowUpState.PENDING, max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column())
