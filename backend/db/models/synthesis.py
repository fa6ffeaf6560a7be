"""Daily counts the dashboards read for long windows instead of every case (synthesis.rollup)."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from backend.db.types import utc_column

NATIONAL = ""  # the province code of the rows that count the whole country


class DailyTopicCount(SQLModel, table=True):
    """Classified cases received on one local day about one topic, in one province or, with
    province_code "" (NATIONAL), in the whole country."""

    __tablename__ = "daily_topic_counts"

    province_code: str = Field(primary_key=True, max_length=2)
    day: date = Field(primary_key=True)
    topic: str = Field(primary_key=True, max_length=40)
    cases: int


class RollupState(SQLModel, table=True):
    """How far the daily counts reach: every day before `complete_before` is in them."""

    __tablename__ = "rollup_state"

    name: str = Field(primary_key=True, max_length=40)
    complete_before: date | None = None
    refreshed_at: datetime | None = Field(default=None, sa_column=utc_column())
    rebuilt_at: datetime | None = Field(default=None, sa_column=utc_column())
