"""What the messaging channels leave in the database: inbound events and provider credentials."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, utc_column, utcnow, work_list_index


class InboundEventRecord(SQLModel, table=True):
    """One verified event from a channel, stored before the webhook answers (DESIGN §4 rule 2).

    The unique (channel, external_id) pair makes a provider's redelivery a no-op; a job turns
    the event into cases and messages and sets `processed_at`.
    """

    __tablename__ = "inbound_events"
    __table_args__ = (
        sa.UniqueConstraint("channel", "external_id"),
        work_list_index("ix_inbound_events_pending", "processed_at IS NULL"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=400)
    kind: str = Field(max_length=20)
    payload: dict[str, Any] = Field(sa_column=sa.Column(JSONType, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    processed_at: datetime | None = Field(default=None, sa_column=utc_column())
    attempts: int = 0
    error: str | None = None


class ChannelCredential(SQLModel, table=True):
    """Credentials a channel rotates by itself (the Zalo OA's token pair), one row per account."""

    __tablename__ = "channel_credentials"

    key: str = Field(primary_key=True, max_length=100)
    data: dict[str, Any] = Field(sa_column=sa.Column(JSONType, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
