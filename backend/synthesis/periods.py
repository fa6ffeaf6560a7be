"""Calendar periods in Vietnam's time (UTC+7, no DST) and their SQL bucket expressions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal

from sqlalchemy import Date, cast, extract, func

Period = Literal["day", "week", "month"]
VIETNAM = timezone(timedelta(hours=7))


def period_start(moment: datetime, period: Period) -> date:
    """The first local day of the period containing `moment`."""
    day = moment.astimezone(VIETNAM).date()
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())  # weeks start on Monday
    return day.replace(day=1)


def shift(start: date, period: Period, steps: int) -> date:
    """The start of the period `steps` periods after (or before) `start`."""
    if period == "day":
        return start + timedelta(days=steps)
    if period == "week":
        return start + timedelta(weeks=steps)
    months = start.year * 12 + start.month - 1 + steps
    return date(months // 12, months % 12 + 1, 1)


def utc_bounds(first: date, last_exclusive: date) -> tuple[datetime, datetime]:
    """UTC instants bounding local days [first, last_exclusive)."""
    start = datetime.combine(first, datetime.min.time(), VIETNAM).astimezone(UTC)
    end = datetime.combine(last_exclusive, datetime.min.time(), VIETNAM).astimezone(UTC)
    return start, end


def bucket(column: Any, period: Period, dialect: str) -> Any:
    """SQL for the local period start (as 'YYYY-MM-DD' text) of a UTC timestamp column."""
    if dialect == "postgresql":
        local = func.timezone("Asia/Ho_Chi_Minh", column)
        return func.to_char(func.date_trunc(period, local), "YYYY-MM-DD")
    return _sqlite_bucket(func.datetime(column, "+7 hours"), period)


def local_day(column: Any, dialect: str) -> Any:
    """SQL for the local date of a UTC timestamp column."""
    if dialect == "postgresql":
        return cast(func.timezone("Asia/Ho_Chi_Minh", column), Date)
    return func.date(column, "+7 hours")


def day_bucket(day: Any, period: Period, dialect: str) -> Any:
    """SQL for the period start (as 'YYYY-MM-DD' text) of a local date column."""
    if dialect == "postgresql":
        return func.to_char(func.date_trunc(period, day), "YYYY-MM-DD")
    return _sqlite_bucket(day, period)


def _sqlite_bucket(local: Any, period: Period) -> Any:
    if period == "day":
        return func.date(local)
    if period == "week":
        return func.date(local, "-6 days", "weekday 1")
    return func.strftime("%Y-%m-01", local)


def hours_between(start: Any, end: Any, dialect: str) -> Any:
    """SQL for the number of hours from `start` to `end`."""
    if dialect == "postgresql":
        return extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0
