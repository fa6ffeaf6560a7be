"""When a campaign runs: quiet hours in Vietnam's time, repeats every N days."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone, tzinfo


def _vietnam() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except (ImportError, KeyError, ValueError, OSError):  # no tz database: UTC+7, no DST since 1975
        return timezone(timedelta(hours=7))


VIETNAM = _vietnam()


def clock_time(value: str) -> time:
    """'HH:MM' as a time."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def after_quiet_hours(moment: datetime, start: str | None, end: str | None) -> datetime:
    """`moment`, or the end of the quiet hours it falls in (local time; may span midnight)."""
    if start is None or end is None or start == end:
        return moment
    quiet_start, quiet_end = clock_time(start), clock_time(end)
    local = moment.astimezone(VIETNAM)
    now = local.time().replace(tzinfo=None)
    ending = local.replace(hour=quiet_end.hour, minute=quiet_end.minute, second=0, microsecond=0)
    if quiet_start < quiet_end:
        quiet = quiet_start <= now < quiet_end
    else:  # e.g. 21:00-06:00
        quiet = now >= quiet_start or now < quiet_end
        if now >= quiet_start:
            ending += timedelta(days=1)
    return ending.astimezone(UTC) if quiet else moment


def next_run(
    previous: datetime, repeat_days: int | None, until: datetime | None, now: datetime
) -> datetime | None:
    """The run after `previous` (runs missed while nothing was running are skipped)."""
    if not repeat_days:
        return None
    step = timedelta(days=repeat_days)
    following = previous + step
    while following <= now:
        following += step
    if until is not None and following > until:
        return None
    return following
