"""The Zalo consultation-message window (§1.5), as pure functions the backend can use."""

from __future__ import annotations

from datetime import datetime, timedelta

# §1.5 [S]: free up to 48 h after the user's last interaction, billed up to 7 days, then -230.
ZALO_FREE_WINDOW = timedelta(hours=48)
ZALO_WINDOW = timedelta(days=7)


def zalo_window_open(last_interaction_at: datetime, now: datetime) -> bool:
    """May the OA still send a consultation message? (message, follow, button, call count)."""
    return now - last_interaction_at < ZALO_WINDOW


def zalo_window_free(last_interaction_at: datetime, now: datetime) -> bool:
    """Is a consultation message still free of charge (first 48 h)?"""
    return now - last_interaction_at < ZALO_FREE_WINDOW
