"""Open311 GeoReport v2: API keys of client systems and what each request added to its case."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, utc_column, utcnow


class ApiKey(SQLModel, table=True):
    """A client system's key; only its SHA-256 digest is stored."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    key_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)  # shown in lists so admins can tell keys apart
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column())


class Open311Request(SQLModel, table=True):
    """The Open311 fields of a case opened through POST requests (the case is an ordinary case)."""

    __tablename__ = "open311_requests"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    api_key_id: int = Field(foreign_key="api_keys.id", index=True)
    service_code: str = Field(max_length=40, index=True)
    lat: float | None = None
    long: float | None = None
    address_string: str | None = Field(default=None, max_length=500)
    address_id: str | None = Field(default=None, max_length=100)
    device_id: str | None = Field(default=None, max_length=100)
    account_id: str | None = Field(default=None, max_length=100)
    media_url: str | None = Field(default=None, max_length=1000)
    attributes: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONType))
