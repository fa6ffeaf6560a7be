"""The channels this deployment has, built through `channels.registry` from the settings."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.channel_settings import EmailSettings, MessengerSettings, SmtpOutSettings, ZaloSettings
from backend.deliveries.locks import lock_for
from backend.deliveries.zalo_tokens import DatabaseZaloTokenStore
from backend.settings import Settings
from channels.base import Channel
from channels.email import EmailConfig, SmtpSettings
from channels.messenger import MessengerConfig
from channels.registry import ChannelDeps, build_channel
from channels.zalo import ZaloConfig


def http_client() -> httpx.AsyncClient:
    """One pooled client per process for every provider API (adapters set per-call timeouts)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(15.0, connect=5.0),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
    )


def zalo_config(settings: ZaloSettings) -> ZaloConfig:
    return ZaloConfig(
        app_id=settings.app_id,
        oa_secret_key=settings.oa_secret_key,
        app_secret_key=settings.app_secret_key,
        api_base_url=settings.api_base_url,
        oauth_base_url=settings.oauth_base_url,
    )


def messenger_config(settings: MessengerSettings) -> MessengerConfig:
    return MessengerConfig(
        page_id=settings.page_id,
        page_access_token=settings.page_access_token,
        app_secret=settings.app_secret,
        verify_token=settings.verify_token,
        graph_base_url=settings.graph_base_url,
        api_version=settings.api_version,
        human_agent_tag=settings.human_agent_tag,
    )


def _smtp(settings: SmtpOutSettings) -> SmtpSettings:
    tls = settings.tls
    return SmtpSettings(
        hostname=settings.host,
        port=settings.port,
        username=settings.username,
        password=settings.password,
        use_tls=tls == "tls",
        start_tls={"starttls": True, "none": False}.get(tls),
        local_hostname="localhost",
    )


def email_config(settings: EmailSettings) -> EmailConfig:
    return EmailConfig(
        from_address=settings.from_address,
        message_id_domain=settings.domain,
        reply_domain=settings.domain,
        smtp=_smtp(settings.smtp) if settings.smtp is not None else None,
    )


def configured_channels(
    settings: Settings, engine: AsyncEngine, client: httpx.AsyncClient
) -> Mapping[str, Channel]:
    """Web always; Zalo, Messenger and e-mail when their settings are present."""
    configured = settings.channels
    deps = ChannelDeps(client=client)
    channels: dict[str, Channel] = {"web": build_channel("web", None, deps)}
    # Open311 clients read replies back as the request's status_notes (GET requests).
    channels["open311"] = channels["web"]
    if configured.zalo is not None:
        zalo = configured.zalo
        tokens = DatabaseZaloTokenStore(
            engine,
            f"zalo:{zalo.app_id}",
            lock_for(engine, settings.redis_url, f"tiengdan:zalo-token:{zalo.app_id}"),
            seed_refresh_token=zalo.refresh_token,
        )
        zalo_deps = ChannelDeps(client=client, zalo_tokens=tokens)
        channels["zalo"] = build_channel("zalo", zalo_config(zalo), zalo_deps)
    if configured.messenger is not None:
        channels["messenger"] = build_channel(
            "messenger", messenger_config(configured.messenger), deps
        )
    if configured.email is not None:
        channels["email"] = build_channel("email", email_config(configured.email), deps)
    # Opinions from voter meetings are answered on their status page (read out at the next meeting).
    channels["meeting"] = channels["web"]
    return channels
