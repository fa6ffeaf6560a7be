"""Staff and volunteer accounts, their scopes, sessions and the audit log."""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, utc_column, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    PROVINCE_STAFF = "province_staff"
    COMMUNE_STAFF = "commune_staff"
    VOLUNTEER = "volunteer"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True)
    full_name: str = ""
    password_hash: str
    role: str = Field(max_length=20)
    province_code: str | None = Field(default=None, foreign_key="provinces.code", max_length=2)
    is_active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class UserCommune(SQLModel, table=True):
    """A commune in a commune-scoped account's scope."""

    __tablename__ = "user_communes"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    commune_code: str = Field(foreign_key="communes.code", primary_key=True, max_length=5)


class AuthSession(SQLModel, table=True):
    """A login: a browser cookie (with its CSRF token) or a bearer token."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    kind: str = Field(max_length=10)  # cookie | bearer
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    expires_at: datetime = Field(sa_column=utc_column(nullable=False))


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, index=True))
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=30)
    object_id: str = Field(max_length=60)
    detail: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONType))
