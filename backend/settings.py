"""Settings: one frozen msgspec tree built from a mapping; the only reader of the environment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Literal

import msgspec

from backend.channel_settings import ChannelSettings, load_channel_settings

Environment = Literal["dev", "test", "prod"]
PLACEHOLDER_SECRET = "dev-only-change-me"  # noqa: S105 - the known placeholder we refuse in prod
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(Exception):
    """The environment does not describe a valid configuration."""


class DatabaseSettings(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    pool_size: int = 10
    echo: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class IntakeSettings(msgspec.Struct, frozen=True, kw_only=True):
    max_batch: int = 256  # group commit: rows written in one transaction at most
    text_max_chars: int = 5000
    body_max_bytes: int = 64 * 1024


# Zalo's and Meta's content delivery networks.
PROVIDER_MEDIA_HOSTS = ("zdn.vn", "zadn.vn", "zalo.me", "fbcdn.net", "fbsbx.com")


class MediaSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Photos citizens attach (already resized on their phone) and media fetched from channels."""

    dir: Path
    max_photo_bytes: int = 2 * 1024 * 1024
    max_photos_per_case: int = 3
    # Hosts (and their subdomains) whose image links in channel events are downloaded.
    fetch_hosts: tuple[str, ...] = PROVIDER_MEDIA_HOSTS


class RateLimitSettings(msgspec.Struct, frozen=True, kw_only=True):
    public_per_minute: int = 60  # per client address on public endpoints; 0 disables
    login_attempts: int = 5  # failed logins before the account is locked for a while
    login_lock_minutes: int = 15


class AuthSettings(msgspec.Struct, frozen=True, kw_only=True):
    secret_key: str
    session_hours: int = 12
    cookie_secure: bool = False
    min_password_length: int = 10


class WorkerSettings(msgspec.Struct, frozen=True, kw_only=True):
    in_process: bool = True  # embedded shape: jobs run inside the API process
    concurrency: int = 4
    sweep_seconds: float = 15.0
    classify_grace_seconds: float = 5.0  # a pending case older than this is re-found by the sweeper
    delivery_max_attempts: int = 8
    delivery_lease_seconds: float = 120.0


class SynthesisSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Thresholds of the dashboards (the province's green/yellow/red coverage view)."""

    overdue_days: int = 7  # an open case older than this is overdue when it has no due date
    yellow_overdue_share: float = 0.1
    red_overdue_share: float = 0.3
    spike_factor: float = 2.0
    spike_min_cases: int = 5
    spike_baseline_periods: int = 4
    rollup_minutes: float = 10.0  # how often the worker refreshes the daily topic counts

    @property
    def overdue_after(self) -> timedelta:
        return timedelta(days=self.overdue_days)


class PushSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Web Push (VAPID, RFC 8292). The key rule, decided in `load_settings`:

    TIENGDAN_VAPID_PRIVATE_KEY set -> that key. Unset in dev -> a key generated on first use and
    kept in `key_file` (so `make run` works and subscriptions survive restarts). Unset in prod
    -> refused at start unless push is turned off (TIENGDAN_PUSH_ENABLED=false). Unset in test
    -> push is not configured (GET /api/v1/push/key answers 503).
    """

    enabled: bool = True
    private_key: str | None = None  # PEM or base64url raw scalar
    key_file: Path | None = None  # dev only: generated once, reused
    subject: str = "mailto:admin@tiengdan.invalid"
    allowed_hosts: tuple[str, ...] = ()  # extra push hosts (tests: 127.0.0.1); known ones always
    timeout_seconds: float = 10.0
    send_concurrency: int = 50  # pushes in flight per worker process


class OperationsSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Logs, metrics, proxies and HSTS (docs/operations.md)."""

    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    access_log: bool = False  # one line per request; off by default (metrics count requests)
    trusted_proxies: tuple[str, ...] = ("127.0.0.1",)  # X-Forwarded-Proto/-For believed from these
    hsts_always: bool = False  # HSTS on every response (the site is only served over TLS)
    metrics_dir: Path | None = None  # PROMETHEUS_MULTIPROC_DIR: processes of a host add up
    worker_metrics_port: int = 0  # `tiengdan worker` serves its own /metrics here (0: off)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    env: Environment
    host: str
    port: int
    base_url: str
    database: DatabaseSettings
    redis_url: str | None
    auth: AuthSettings
    intake: IntakeSettings
    rate_limit: RateLimitSettings
    worker: WorkerSettings
    synthesis: SynthesisSettings
    channels: ChannelSettings = msgspec.field(default_factory=ChannelSettings)
    push: PushSettings = msgspec.field(default_factory=PushSettings)
    ops: OperationsSettings = msgspec.field(default_factory=OperationsSettings)
    data_dir: Path
    media: MediaSettings
    models_dir: Path

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip().lower() for item in value.split(",") if item.strip())


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"not a boolean: {value!r}")


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc


def _normalise_db_url(url: str) -> str:
    """Accept the usual postgres:// spellings and pick the async drivers."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def _push_settings(environ: Mapping[str, str], env: str, data_dir: Path) -> PushSettings:
    """The VAPID key rule of `PushSettings`."""
    enabled = _bool(environ.get("TIENGDAN_PUSH_ENABLED", "true"))
    key = environ.get("TIENGDAN_VAPID_PRIVATE_KEY") or None
    subject = environ.get("TIENGDAN_VAPID_SUBJECT") or None
    if env == "prod" and enabled and (key is None or subject is None):
        raise SettingsError(
            "Web Push is on: set TIENGDAN_VAPID_PRIVATE_KEY and TIENGDAN_VAPID_SUBJECT "
            "(`tiengdan vapid-keys` makes a key) or set TIENGDAN_PUSH_ENABLED=false"
        )
    if subject is not None and not subject.startswith(("mailto:", "https:")):
        raise SettingsError("TIENGDAN_VAPID_SUBJECT must be a mailto: or https: URL")
    hosts = tuple(h.strip() for h in environ.get("TIENGDAN_PUSH_HOSTS", "").split(",") if h.strip())
    return PushSettings(
        enabled=enabled,
        private_key=key,
        key_file=data_dir / "vapid_private_key.pem" if key is None and env == "dev" else None,
        subject=subject or PushSettings.subject,
        allowed_hosts=hosts,
        timeout_seconds=_float(environ, "TIENGDAN_PUSH_TIMEOUT_SECONDS", 10.0),
    )


def _ops_settings(environ: Mapping[str, str], base_url: str) -> OperationsSettings:
    log_format = environ.get("TIENGDAN_LOG_FORMAT", "json")
    if log_format not in ("json", "text"):
        raise SettingsError(f"TIENGDAN_LOG_FORMAT must be json or text, got {log_format!r}")
    proxies = environ.get("TIENGDAN_TRUSTED_PROXIES", "127.0.0.1")
    metrics_dir = environ.get("PROMETHEUS_MULTIPROC_DIR") or None
    return OperationsSettings(
        log_format=log_format,  # type: ignore[arg-type]  # checked above
        log_level=environ.get("TIENGDAN_LOG_LEVEL", "INFO").upper(),
        access_log=_bool(environ.get("TIENGDAN_ACCESS_LOG", "false")),
        trusted_proxies=tuple(p.strip() for p in proxies.split(",") if p.strip()),
        hsts_always=_bool(environ.get("TIENGDAN_HSTS", str(base_url.startswith("https://")))),
        metrics_dir=Path(metrics_dir) if metrics_dir else None,
        worker_metrics_port=_int(environ, "TIENGDAN_WORKER_METRICS_PORT", 0),
    )


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build the settings tree from an environment-like mapping (TIENGDAN_* and the usual URLs)."""
    env = environ.get("TIENGDAN_ENV", "dev")
    if env not in ("dev", "test", "prod"):
        raise SettingsError(f"TIENGDAN_ENV must be dev, test or prod, got {env!r}")
    data_dir = Path(environ.get("TIENGDAN_DATA_DIR", str(PROJECT_ROOT / "var")))
    default_db = f"sqlite+aiosqlite:///{data_dir / 'tiengdan.sqlite3'}"
    secret = environ.get("TIENGDAN_SECRET_KEY", PLACEHOLDER_SECRET)
    if env == "prod" and (secret == PLACEHOLDER_SECRET or len(secret) < 32):
        raise SettingsError("TIENGDAN_SECRET_KEY must be set to a random value of 32+ characters")
    redis_url = environ.get("REDIS_URL") or None
    host = environ.get("TIENGDAN_HOST", "127.0.0.1")
    port = _int(environ, "TIENGDAN_PORT", 8000)
    return Settings(
        env=env,  # type: ignore[arg-type]  # checked above
        host=host,
        port=port,
        base_url=environ.get("TIENGDAN_BASE_URL", f"http://{host}:{port}").rstrip("/"),
        database=DatabaseSettings(
            url=_normalise_db_url(environ.get("DATABASE_URL") or default_db),
            pool_size=_int(environ, "TIENGDAN_DB_POOL_SIZE", 10),
            echo=_bool(environ.get("TIENGDAN_DB_ECHO", "false")),
        ),
        redis_url=redis_url,
        auth=AuthSettings(
            secret_key=secret,
            session_hours=_int(environ, "TIENGDAN_SESSION_HOURS", 12),
            cookie_secure=_bool(environ.get("TIENGDAN_COOKIE_SECURE", str(env == "prod"))),
        ),
        intake=IntakeSettings(max_batch=_int(environ, "TIENGDAN_INTAKE_MAX_BATCH", 256)),
        rate_limit=RateLimitSettings(
            public_per_minute=_int(environ, "TIENGDAN_RATE_LIMIT_PER_MINUTE", 60),
        ),
        worker=WorkerSettings(
            in_process=_bool(environ.get("TIENGDAN_IN_PROCESS_WORKER", str(redis_url is None))),
            concurrency=_int(environ, "TIENGDAN_WORKER_CONCURRENCY", 4),
            sweep_seconds=_float(environ, "TIENGDAN_SWEEP_SECONDS", 15.0),
            classify_grace_seconds=_float(environ, "TIENGDAN_CLASSIFY_GRACE_SECONDS", 5.0),
            delivery_lease_seconds=_float(environ, "TIENGDAN_DELIVERY_LEASE_SECONDS", 120.0),
        ),
        synthesis=SynthesisSettings(
            overdue_days=_int(environ, "TIENGDAN_OVERDUE_DAYS", 7),
            yellow_overdue_share=_float(environ, "TIENGDAN_YELLOW_OVERDUE_SHARE", 0.1),
            red_overdue_share=_float(environ, "TIENGDAN_RED_OVERDUE_SHARE", 0.3),
            rollup_minutes=_float(environ, "TIENGDAN_ROLLUP_MINUTES", 10.0),
        ),
        data_dir=data_dir,
        media=MediaSettings(
            dir=Path(environ.get("TIENGDAN_MEDIA_DIR", str(data_dir / "media"))),
            max_photo_bytes=_int(environ, "TIENGDAN_MAX_PHOTO_BYTES", 2 * 1024 * 1024),
            max_photos_per_case=_int(environ, "TIENGDAN_MAX_PHOTOS_PER_CASE", 3),
            fetch_hosts=PROVIDER_MEDIA_HOSTS + _list(environ.get("TIENGDAN_MEDIA_HOSTS", "")),
        ),
        models_dir=Path(environ.get("TIENGDAN_MODELS_DIR", str(data_dir / "models"))),
        channels=load_channel_settings(environ, embedded=redis_url is None),
        push=_push_settings(environ, env, data_dir),
        ops=_ops_settings(environ, environ.get("TIENGDAN_BASE_URL", f"http://{host}:{port}")),
    )
