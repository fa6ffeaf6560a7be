"""Wire shapes of login, logout and me."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec


class LoginRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    mode: Literal["cookie", "bearer"] = "cookie"


class Me(msgspec.Struct, kw_only=True):
    id: int
    username: str
    full_name: str
    role: str
    province_code: str | None
    commune_codes: list[str]
    csrf_token: str | None = None  # cookie sessions: send it back as X-CSRF-Token


class LoginResponse(msgspec.Struct, kw_only=True):
    user: Me
    token: str | None = None  # bearer mode only; cookie mode sets an HttpOnly cookie
