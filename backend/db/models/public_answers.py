"""Published answers of issue groups (the public Q&A page) and staff canned responses."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.db.types import utc_column, utcnow


class PublicAnswer(SQLModel, table=True):
    """The reviewed, redacted question and answer of one issue group; public only when published."""

    __tablename__ = "public_answers"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="issue_groups.id", unique=True)
    commune_code: str = Field(foreign_key="communes.code", max_length=5, index=True)
    province_code: str = Field(foreign_key="provinces.code", max_length=2)
    topic: str = Field(max_length=40)
    question: str
    answer: str
    search_text: str = ""  # folded question + answer for accent-insensitive search
    published: bool = Field(default=False, index=True)
    published_by: int | None = Field(default=None, foreign_key="users.id")
    published_at: datetime | None = Field(default=None, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class CannedResponse(SQLModel, table=True):
    """A reusable reply with variables ({ten_cong_dan}, {ma_theo_doi}, {xa_phuong}), admin-managed."""

    __tablename__ = "canned_responses"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str
    topic: str | None = Field(default=None, max_length=40)  # None: suggested for every topic
    updated_by: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
