"""The outbox: one row for every outbound action, sent by a job."""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, utc_column, utcnow


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a worker (lease until claimed_until)
    SENT = "sent"
    FAILED = "failed"  # gave up after retries: the case shows "not delivered"
    GONE = "gone"  # the provider will never accept it (window closed, blocked)


class Delivery(SQLModel, table=True):
    __tablename__ = "deliveries"
    __table_args__ = (sa.Index("ix_deliveries_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # A reply has its message and case; a push has a subscription and its notice instead.
    message_id: int | None = Field(default=None, foreign_key="messages.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    channel: str = Field(max_length=20)
    recipient: str = Field(max_length=400)
    state: str = Field(default=DeliveryState.PENDING, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    claimed_until: datetime | None = Field(default=None, sa_column=utc_column())
    last_error: str | None = None
    provider_message_id: str | None = Field(default=None, max_length=200, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column())
    subscription_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("push_subscriptions.id", ondelete="SET NULL"), nullable=True
        ),
    )
    campaign_id: int | None = Field(default=None, foreign_key="campaigns.id", index=True)
    follow_up_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("follow_ups.id", ondelete="SET NULL"), nullable=True
        ),
    )
    notice: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONType))
    push_ttl: int | None = None  # seconds (RFC 8030 §5.2)
    push_urgency: str | None = Field(default=None, max_length=10)  # RFC 8030 §5.3
