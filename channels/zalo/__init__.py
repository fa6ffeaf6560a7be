"""The Zalo Official Account channel (protocol digest §1)."""

from channels.zalo.api import ZaloProfile
from channels.zalo.channel import ZaloChannel
from channels.zalo.config import ZaloConfig
from channels.zalo.oauth import TokenRefreshDeferred, new_pkce_pair, zalo_consent_url
from channels.zalo.signature import zalo_signature
from channels.zalo.tokens import (
    InMemoryZaloTokenStore,
    ZaloTokenManager,
    ZaloTokens,
    ZaloTokenStore,
)
from channels.zalo.window import ZALO_FREE_WINDOW, ZALO_WINDOW, zalo_window_free, zalo_window_open

__all__ = [
    "ZALO_FREE_WINDOW",
    "ZALO_WINDOW",
    "InMemoryZaloTokenStore",
    "TokenRefreshDeferred",
    "ZaloChannel",
    "ZaloConfig",
    "ZaloProfile",
    "ZaloTokenManager",
    "ZaloTokenStore",
    "ZaloTokens",
    "new_pkce_pair",
    "zalo_consent_url",
    "zalo_signature",
    "zalo_window_free",
    "zalo_window_open",
]
