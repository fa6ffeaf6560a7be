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

    @property
    def overdue_after(self) -> timedelta:
        return timedelta(days=self.overdue_days)


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
    data_dir: Path
    models_dir: Path

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None


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
        ),
        synthesis=SynthesisSettings(
            overdue_days=_int(environ, "TIENGDAN_OVERDUE_DAYS", 7),
            yellow_overdue_share=_float(environ, "TIENGDAN_YELLOW_OVERDUE_SHARE", 0.1),
            red_overdue_share=_float(environ, "TIENGDAN_RED_OVERDUE_SHARE", 0.3),
        ),
        data_dir=data_dir,
        models_dir=Path(environ.get("TIENGDAN_MODELS_DIR", str(data_dir / "models"))),
        channels=load_channel_settings(environ, embedded=redis_url is None),
    )
