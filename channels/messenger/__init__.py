"""The Facebook Messenger channel (protocol digest §2)."""

from channels.messenger.channel import MessengerChannel
from channels.messenger.config import MessengerConfig
from channels.messenger.signature import (
    appsecret_proof,
    messenger_signature,
    messenger_verify_challenge,
)
from channels.messenger.window import (
    HUMAN_AGENT_WINDOW,
    MESSENGER_WINDOW,
    human_agent_window_open,
    messenger_window_open,
)

__all__ = [
    "HUMAN_AGENT_WINDOW",
    "MESSENGER_WINDOW",
    "MessengerChannel",
    "MessengerConfig",
    "appsecret_proof",
    "human_agent_window_open",
    "messenger_signature",
    "messenger_verify_challenge",
    "messenger_window_open",
]
