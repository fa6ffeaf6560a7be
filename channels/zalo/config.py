"""Settings of one Zalo Official Account connection."""

from __future__ import annotations

import msgspec

from channels.base import ChannelMisconfigured


class ZaloConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What the adapter needs to know about the OA and its Zalo app; secrets come from settings."""

    app_id: str
    # Signs webhooks (§1.2). Open question §6.1: OA Secret Key, not the App Secret — confirm
    # against one real event of each class and record it in a fixture.
    oa_secret_key: str
    app_secret_key: str  # authenticates token refresh and code exchange (§1.6)
    api_base_url: str = "https://openapi.zalo.me"
    oauth_base_url: str = "https://oauth.zaloapp.com"
    timeout_seconds: float = 10.0
    # Open question §6.3: 2000 characters is commonly cited, not confirmed.
    max_text_chars: int = 2000
    max_body_bytes: int = 256 * 1024  # §5.1 suggests ~256 KB for chat webhooks
    # §1.6: access tokens live ~25 h; refresh at ~80 % of their life ("at about 20 h").
    refresh_at_fraction: float = 0.8
    rate_limit_retry_seconds: float = 60.0  # -32 carries no Retry-After
    quota_retry_seconds: float = 3600.0  # -211: out of quota until the next period

    def __post_init__(self) -> None:
        missing = [
            field
            for field in ("app_id", "oa_secret_key", "app_secret_key")
            if not getattr(self, field).strip()
        ]
        if missing:
            raise ChannelMisconfigured(f"Zalo: {', '.join(missing)} must be set")
        if not 0 < self.refresh_at_fraction < 1:
            raise ChannelMisconfigured("Zalo: refresh_at_fraction must be between 0 and 1")
