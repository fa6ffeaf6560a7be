"""Live updates for staff pages: case events over Litestar channels, served as server-sent events."""

from backend.live.events import (
    CASES_CHANNEL,
    CaseChange,
    CaseEvent,
    publish_case_event,
    publish_cases,
    publish_events,
)

__all__ = [
    "CASES_CHANNEL",
    "CaseChange",
    "CaseEvent",
    "publish_case_event",
    "publish_cases",
    "publish_events",
]
