"""Per-channel settings (Zalo OA, Facebook Page, mailbox), read from the environment mapping.

A channel whose variables are unset is simply absent. Every connected OA, Page or mailbox
belongs to one commune (or the province office's commune): messages that carry no commune of
their own are filed there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

import msgspec

TlsMode = Literal["auto", "starttls", "tls", "none"]
_COMMUNE = re.compile(r"^\d{5}$")


class ZaloSettings(msgspec.Struct, frozen=True, kw_only=True):
    app_id: str
    oa_secret_key: str  # verifies webhooks (protocol digest §1.2)
    app_secret_key: str  # authenticates token refreshes (§1.6)
    commune_code: str
    api_base_url: str = "https://openapi.zalo.me"
    oauth_base_url: str = "https://oauth.zaloapp.com"
    # A refresh token from the admin's consent; used once, when the database has no tokens yet.
    refresh_token: str | None = None


class MessengerSettings(msgspec.Struct, frozen=True, kw_only=True):
    page_id: str
    page_access_token: str
    app_secret: str  # verifies X-Hub-Signature-256 (§2.2)
    verify_token: str  # our own string for the GET handshake (§2.1)
    commune_code: str
    graph_base_url: str = "https://graph.facebook.com"
    api_version: str = "v23.0"
    human_agent_tag: bool = False


class SmtpOutSettings(msgspec.Struct, frozen=True, kw_only=True):
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    tls: TlsMode = "auto"


class ImapSettings(msgspec.Struct, frozen=True, kw_only=True):
    host: str
    user: str
    password: str
    port: int = 993
    mailbox: str = "INBOX"
    ssl: bool = True
    interval_seconds: float = 60.0


class EmailSettings(msgspec.Struct, frozen=True, kw_only=True):
    domain: str  # our Message-IDs and reply+TOKEN@ addresses live here
    from_address: str
    commune_code: str
    smtp: SmtpOutSettings | None = None  # None: this deployment only receives
    receiver_enabled: bool = False  # the built-in SMTP receiver (embedded shape: on)
    receiver_host: str = "127.0.0.1"
    receiver_port: int = 2525
    imap: ImapSettings | None = None


class ChannelSettings(msgspec.Struct, frozen=True, kw_only=True):
    zalo: ZaloSettings | None = None
    messenger: MessengerSettings | None = None
    email: EmailSettings | None = None


def load_channel_settings(environ: Mapping[str, str], *, embedded: bool) -> ChannelSettings:
    """The channels these variables configure; `embedded` turns the SMTP receiver on by default."""
    from backend.settings import SettingsError

    try:
        return ChannelSettings(
            zalo=_zalo(environ), messenger=_messenger(environ), email=_email(environ, embedded)
        )
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc


def _get(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _required(environ: Mapping[str, str], channel: str, names: tuple[str, ...]) -> list[str]:
    missing = [name for name in names if _get(environ, name) is None]
    if missing:
        raise ValueError(f"{channel} is partly configured: set {', '.join(missing)}")
    return [str(_get(environ, name)) for name in names]


def _commune(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not _COMMUNE.match(value):
        raise ValueError(f"{name} must be a 5-digit commune code, got {value!r}")
    return value


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = (_get(environ, name) or str(default)).lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def _number(environ: Mapping[str, str], name: str, default: int) -> int:
    value = _get(environ, name)
    if value is None:
        return default
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def _zalo(environ: Mapping[str, str]) -> ZaloSettings | None:
    if _get(environ, "TIENGDAN_ZALO_APP_ID") is None:
        return None
    app_id, oa_secret, app_secret = _required(
        environ,
        "Zalo",
        ("TIENGDAN_ZALO_APP_ID", "TIENGDAN_ZALO_OA_SECRET_KEY", "TIENGDAN_ZALO_APP_SECRET_KEY"),
    )
    return ZaloSettings(
        app_id=app_id,
        oa_secret_key=oa_secret,
        app_secret_key=app_secret,
        commune_code=_commune(environ, "TIENGDAN_ZALO_COMMUNE"),
        api_base_url=_get(environ, "TIENGDAN_ZALO_API_URL") or "https://openapi.zalo.me",
        oauth_base_url=_get(environ, "TIENGDAN_ZALO_OAUTH_URL") or "https://oauth.zaloapp.com",
        refresh_token=_get(environ, "TIENGDAN_ZALO_REFRESH_TOKEN"),
    )


def _messenger(environ: Mapping[str, str]) -> MessengerSettings | None:
    if _get(environ, "TIENGDAN_MESSENGER_PAGE_ID") is None:
        return None
    page_id, token, secret, verify = _required(
        environ,
        "Messenger",
        (
            "TIENGDAN_MESSENGER_PAGE_ID",
            "TIENGDAN_MESSENGER_PAGE_TOKEN",
            "TIENGDAN_MESSENGER_APP_SECRET",
            "TIENGDAN_MESSENGER_VERIFY_TOKEN",
        ),
    )
    return MessengerSettings(
        page_id=page_id,
        page_access_token=token,
        app_secret=secret,
        verify_token=verify,
        commune_code=_commune(environ, "TIENGDAN_MESSENGER_COMMUNE"),
        graph_base_url=_get(environ, "TIENGDAN_MESSENGER_GRAPH_URL")
        or "https://graph.facebook.com",
        api_version=_get(environ, "TIENGDAN_MESSENGER_API_VERSION") or "v23.0",
        human_agent_tag=_flag(environ, "TIENGDAN_MESSENGER_HUMAN_AGENT", False),
    )


def _email(environ: Mapping[str, str], embedded: bool) -> EmailSettings | None:
    domain = _get(environ, "TIENGDAN_EMAIL_DOMAIN")
    if domain is None:
        return None
    return EmailSettings(
        domain=domain.lower(),
        from_address=_get(environ, "TIENGDAN_EMAIL_FROM") or f"gopy@{domain.lower()}",
        commune_code=_commune(environ, "TIENGDAN_EMAIL_COMMUNE"),
        smtp=_smtp(environ),
        receiver_enabled=_flag(environ, "TIENGDAN_EMAIL_RECEIVER", embedded),
        receiver_host=_get(environ, "TIENGDAN_EMAIL_RECEIVER_HOST") or "127.0.0.1",
        receiver_port=_number(environ, "TIENGDAN_EMAIL_RECEIVER_PORT", 2525),
        imap=_imap(environ),
    )


def _smtp(environ: Mapping[str, str]) -> SmtpOutSettings | None:
    host = _get(environ, "TIENGDAN_SMTP_HOST")
    if host is None:
        return None
    tls = (_get(environ, "TIENGDAN_SMTP_TLS") or "auto").lower()
    if tls not in ("auto", "starttls", "tls", "none"):
        raise ValueError(f"TIENGDAN_SMTP_TLS must be auto, starttls, tls or none, got {tls!r}")
    return SmtpOutSettings(
        host=host,
        port=_number(environ, "TIENGDAN_SMTP_PORT", 587),
        username=_get(environ, "TIENGDAN_SMTP_USER"),
        password=_get(environ, "TIENGDAN_SMTP_PASSWORD"),
        tls=tls,  # type: ignore[arg-type]  # checked above
    )


def _imap(environ: Mapping[str, str]) -> ImapSettings | None:
    if _get(environ, "TIENGDAN_IMAP_HOST") is None:
        return None
    host, user, password = _required(
        environ, "IMAP", ("TIENGDAN_IMAP_HOST", "TIENGDAN_IMAP_USER", "TIENGDAN_IMAP_PASSWORD")
    )
    return ImapSettings(
        host=host,
        user=user,
        password=password,
        port=_number(environ, "TIENGDAN_IMAP_PORT", 993),
        mailbox=_get(environ, "TIENGDAN_IMAP_MAILBOX") or "INBOX",
        ssl=_flag(environ, "TIENGDAN_IMAP_SSL", True),
        interval_seconds=float(_number(environ, "TIENGDAN_IMAP_INTERVAL", 60)),
    )
