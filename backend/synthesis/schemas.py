"""Wire shapes of the dashboard statistics."""

from __future__ import annotations

from typing import Literal

import msgspec


class TopicSeries(msgspec.Struct, kw_only=True):
    topic: str
    counts: list[int]  # one per bucket, oldest first
    current: int
    previous: int
    change_pct: float | None  # None when the previous period had no case


class Trends(msgspec.Struct, kw_only=True):
    period: str
    buckets: list[str]  # local period starts, YYYY-MM-DD
    series: list[TopicSeries]


class CommuneTopicCount(msgspec.Struct, kw_only=True):
    commune_code: str
    topic: str
    current: int
    previous: int
    change_pct: float | None


class ProvinceTopicCount(msgspec.Struct, kw_only=True):
    province_code: str
    topic: str
    current: int
    previous: int
    change_pct: float | None


class Spike(msgspec.Struct, kw_only=True):
    kind: Literal["topic", "group"]
    key: str  # topic code or group id
    title: str
    current: int
    baseline: float  # mean of the earlier periods


class ResponseMetrics(msgspec.Struct, kw_only=True):
    key: str  # "all", a topic code or a commune code
    cases: int
    answered: int
    median_first_response_hours: float | None
    answered_within_due_share: float | None  # of cases with a due date that were answered
    reopened_share: float | None


class CommuneStatus(msgspec.Struct, kw_only=True):
    commune_code: str
    commune_name: str
    cases: int
    open_cases: int
    overdue: int
    answered_share: float
    status: Literal["green", "yellow", "red"]


class ProvinceStatus(msgspec.Struct, kw_only=True):
    province_code: str
    province_name: str
    cases: int
    open_cases: int
    overdue: int
    answered_share: float
    status: Literal["green", "yellow", "red"]
