"""Checked meetings and opinions on their way to cases (from the API or a minutes file)."""

from __future__ import annotations

from datetime import date

import msgspec


class OpinionDraft(msgspec.Struct, frozen=True, kw_only=True):
    key: str  # unique within the meeting
    text: str
    speaker: str | None = None


class MinutesMeeting(msgspec.Struct, kw_only=True):
    """A meeting read and checked from a minutes file."""

    client_key: str
    held_on: date
    place: str
    commune_code: str
    organizer: str
    attendance: int
    delegates: list[str]
    opinions: list[OpinionDraft]
