"""Settings of one Facebook Page connected through a Meta app."""

from __future__ import annotations

import msgspec

from channels.base import ChannelMisconfigured


class MessengerConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What the adapter needs to know about the Page and its app; secrets come from settings."""

    page_id: str
    page_access_token: str
    app_secret: str  # signs webhooks (X-Hub-Signature-256) and our appsecret_proof
    verify_token: str  # our own string for the GET handshake (§2.1), not the app secret
    graph_base_url: str = "https://graph.facebook.com"
    # Open question §6.4: confirm this version still takes messaging_type=RESPONSE, no tag.
    api_version: str = "v23.0"
    timeout_seconds: float = 10.0
    max_text_chars: int = 2000  # Send API text limit
    max_body_bytes: int = 256 * 1024  # §5.1
    # §2.4: HUMAN_AGENT lets a person reply up to 7 days; Meta must have approved the feature.
    human_agent_tag: bool = False
    rate_limit_retry_seconds: float = 60.0  # rate-limit errors carry no Retry-After

    def __post_init__(self) -> None:
        missing = [
            field
            for field in ("page_id", "page_access_token", "app_secret", "verify_token")
            if not getattr(self, field).strip()
        ]
        if missing:
            raise ChannelMisconfigured(f"Messenger: {', '.join(missing)} must be set")
