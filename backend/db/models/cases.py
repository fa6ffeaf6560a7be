"""Cases (a citizen's thread on one channel), their messages and internal notes."""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, utc_column, utcnow, work_list_index


class CaseStatus(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


DASHBOARD_COLUMNS = ["topic", "status", "group_id", "due_at", "first_response_at", "answered_at"]


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        # Dashboards read these columns per scope and window: index-only scans on PostgreSQL.
        sa.Index(
            "ix_cases_commune_received",
            "commune_code",
            "received_at",
            postgresql_include=DASHBOARD_COLUMNS,
        ),
        sa.Index(
            "ix_cases_province_received",
            "province_code",
            "received_at",
            postgresql_include=["commune_code", *DASHBOARD_COLUMNS],
        ),
        sa.Index(
            "ix_cases_received",
            "received_at",
            postgresql_include=["province_code", "commune_code", *DASHBOARD_COLUMNS],
        ),
        # Satisfaction reads the answers given in a window: only answered cases are in it, so
        # intake never writes to it.
        sa.Index(
            "ix_cases_answered",
            "answered_at",
            postgresql_include=["id", "province_code", "commune_code", "topic"],
            postgresql_where=sa.text("answered_at IS NOT NULL"),
            sqlite_where=sa.text("answered_at IS NOT NULL"),
        ),
        sa.Index(
            "ix_cases_unclassified",
            "received_at",
            postgresql_where=sa.text("classified_at IS NULL"),
            sqlite_where=sa.text("classified_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tracking_code: str = Field(max_length=16, unique=True)
    # "<channel>:<key>" of the event that opened the case: a redelivery finds the same case.
    source_key: str | None = Field(default=None, max_length=400, unique=True)
    channel: str = Field(max_length=20, index=True)
    commune_code: str = Field(foreign_key="communes.code", max_length=5)
    province_code: str = Field(foreign_key="provinces.code", max_length=2)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", index=True)
    summary: str = ""  # first inbound text, for lists
    search_text: str = ""  # lowercase, diacritics folded: accent-insensitive search
    topic: str | None = Field(default=None, max_length=40, index=True)
    topic_confidence: float | None = None
    topic_source: str | None = Field(default=None, max_length=10)  # model | staff
    kind: str | None = Field(default=None, max_length=20)
    urgent: bool = False
    needs_review: bool = False
    model_version: str | None = None
    status: str = Field(default=CaseStatus.NEW, max_length=20, index=True)
    assignee_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="issue_groups.id", index=True)
    due_at: datetime | None = Field(default=None, sa_column=utc_column())
    received_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    last_inbound_at: datetime | None = Field(default=None, sa_column=utc_column())
    classified_at: datetime | None = Field(default=None, sa_column=utc_column())
    first_response_at: datetime | None = Field(default=None, sa_column=utc_column())
    answered_at: datetime | None = Field(default=None, sa_column=utc_column())
    closed_at: datetime | None = Field(default=None, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class Message(SQLModel, table=True):
    """One thing said on one channel, inbound or outbound."""

    __tablename__ = "messages"
    __table_args__ = (
        sa.UniqueConstraint("channel", "external_id"),
        # fetch_media's work list: only messages with an image link still to download.
        work_list_index("ix_messages_media_pending", "media_pending"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    direction: str = Field(max_length=3)
    channel: str = Field(max_length=20)
    external_id: str | None = Field(default=None, max_length=400)
    text: str
    author_id: int | None = Field(default=None, foreign_key="users.id")
    public: bool = True  # outbound: shown on the citizen's status page
    raw: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONType))
    attachments: list[dict[str, Any]] | None = Field(default=None, sa_column=sa.Column(JSONType))
    delivery_state: str | None = Field(default=None, max_length=20)  # outbound only
    # An attached image link not yet downloaded (or still being retried): fetch_media's work.
    media_pending: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class CaseNote(SQLModel, table=True):
    """Internal staff note; never shown to the citizen."""

    __tablename__ = "case_notes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    author_id: int = Field(foreign_key="users.id")
    text: str
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class IssueGroup(SQLModel, table=True):
    """Cases from different citizens about the same local problem."""

    __tablename__ = "issue_groups"
    __table_args__ = (sa.Index("ix_issue_groups_open", "status", "topic", "last_seen"),)

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=40, index=True)
    commune_code: str | None = Field(default=None, foreign_key="communes.code", max_length=5)
    province_code: str | None = Field(default=None, foreign_key="provinces.code", max_length=2)
    status: str = Field(default="open", max_length=10, index=True)
    title: str = ""
    centroid: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONType))
    size: int = 0
    first_seen: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    last_seen: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class CaseCorrection(SQLModel, table=True):
    """A staff correction of the model's topic, kind or urgency: training data for the next model."""

    __tablename__ = "case_corrections"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    user_id: int = Field(foreign_key="users.id")
    field: str = Field(max_length=10)  # topic | kind | urgent
    old_value: str | None = None
    new_value: str
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, index=True))
