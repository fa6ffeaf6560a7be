"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        assert isinstance(moment, datetime)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_column(*, nullable: bool = True, index: bool = False) -> Any:
    """A SQLModel `sa_column` for a UTC timestamp."""
    return sa.Column(UtcDateTime(), nullable=nullable, index=index)


JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def work_list_index(name: str, condition: str) -> sa.Index:
    """A partial index on `id` of the rows matching `condition`: a job's pending work, found
    without scanning the table (PostgreSQL and SQLite both index only those rows)."""
    where = sa.text(condition)
    return sa.Index(name, "id", postgresql_where=where, sqlite_where=where)
