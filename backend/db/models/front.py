"""Front workflows: voter meetings, forwarding to competent units, citizens' ratings."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, utc_column, utcnow


class Meeting(SQLModel, table=True):
    """A voter meeting (tiếp xúc cử tri); its opinions are cases on the channel "meeting"."""

    __tablename__ = "meetings"
    __table_args__ = (sa.Index("ix_meetings_commune_held", "commune_code", "held_on"),)

    id: int | None = Field(default=None, primary_key=True)
    # Made by the client (PWA outbox key, or a hash of an imported file's meeting columns):
    # a resend finds this meeting instead of making a second one.
    client_key: str = Field(max_length=100, unique=True)
    held_on: date
    place: str = Field(max_length=300)
    commune_code: str = Field(foreign_key="communes.code", max_length=5)
    province_code: str = Field(foreign_key="provinces.code", max_length=2, index=True)
    organizer: str = Field(max_length=300)
    attendance: int = 0
    delegates: list[str] = Field(default_factory=list, sa_column=sa.Column(JSONType))
    source: str = Field(default="form", max_length=10)  # form | import
    created_by: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class MeetingOpinion(SQLModel, table=True):
    """One opinion as noted in the minutes; `key` is unique within its meeting."""

    __tablename__ = "meeting_opinions"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    key: str = Field(max_length=120)
    position: int
    speaker: str | None = Field(default=None, max_length=200)
    text: str
    case_id: int = Field(foreign_key="cases.id", index=True)


class Department(SQLModel, table=True):
    """A province department (Sở) that can receive forwarded cases; staff join as members."""

    __tablename__ = "departments"
    __table_args__ = (sa.UniqueConstraint("province_code", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    province_code: str = Field(foreign_key="provinces.code", max_length=2, index=True)
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)


class DepartmentMember(SQLModel, table=True):
    __tablename__ = "department_members"

    department_id: int = Field(foreign_key="departments.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True)


class TargetKind(StrEnum):
    COMMUNE = "commune"  # a commune's People's Committee (or another commune)
    DEPARTMENT = "department"  # a province department
    PROVINCE = "province"  # the province tier (escalation)


class ForwardState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class Forwarding(SQLModel, table=True):
    """A case or an issue group handed to a competent unit, with a due date and its answer."""

    __tablename__ = "forwardings"
    __table_args__ = (sa.Index("ix_forwardings_open_due", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="issue_groups.id", index=True)
    # Where the item comes from (the forwarder's view: the object's own commune/province).
    commune_code: str | None = Field(default=None, foreign_key="communes.code", max_length=5)
    province_code: str = Field(foreign_key="provinces.code", max_length=2)
    target_kind: str = Field(max_length=12)
    target_commune_code: str | None = Field(
        default=None, foreign_key="communes.code", max_length=5, index=True
    )
    target_department_id: int | None = Field(default=None, foreign_key="departments.id", index=True)
    target_province_code: str = Field(foreign_key="provinces.code", max_length=2, index=True)
    note: str = ""
    escalation: bool = False
    due_at: datetime = Field(sa_column=utc_column(nullable=False))
    state: str = Field(default=ForwardState.OPEN, max_length=10)
    forwarded_by: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    answer_text: str | None = None
    answered_by: int | None = Field(default=None, foreign_key="users.id")
    answered_at: datetime | None = Field(default=None, sa_column=utc_column())


class ForwardReminder(SQLModel, table=True):
    """One deadline reminder per forwarding per day (the unique key makes resends no-ops)."""

    __tablename__ = "forward_reminders"
    __table_args__ = (sa.UniqueConstraint("forwarding_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    forwarding_id: int = Field(foreign_key="forwardings.id", index=True)
    day: str = Field(max_length=10)  # YYYY-MM-DD, Vietnam time
    kind: str = Field(max_length=10)  # overdue | due_soon
    recipients: int = 0
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class CaseRating(SQLModel, table=True):
    """The citizen's verdict on an answer: 1-5 stars and whether it resolved the problem."""

    __tablename__ = "case_ratings"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    rating: int | None = None
    resolved: bool | None = None
    comment: str | None = None
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, index=True))
