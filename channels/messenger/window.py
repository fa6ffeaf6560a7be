"""The Messenger standard messaging window (§2.4), as pure functions the backend can use."""

from __future__ import annotations

from datetime import datetime, timedelta

MESSENGER_WINDOW = timedelta(hours=24)  # standard messaging after the user's last action
HUMAN_AGENT_WINDOW = timedelta(days=7)  # a person replying with the HUMAN_AGENT tag


def messenger_window_open(last_user_message_at: datetime, now: datetime) -> bool:
    """May the Page still answer with messaging_type=RESPONSE?"""
    return now - last_user_message_at < MESSENGER_WINDOW


def human_agent_window_open(last_user_message_at: datetime, now: datetime) -> bool:
    """May a person still answer with the HUMAN_AGENT tag (if Meta approved it)?"""
    return now - last_user_message_at < HUMAN_AGENT_WINDOW
