"""Login by cookie (with CSRF) or bearer token, lockout, expiry, logout, password policy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from backend.accounts.auth import SESSION_COOKIE
from backend.db.engine import create_engine
from backend.db.models import AuthSession, Role
from backend.db.types import utcnow
from backend.errors import Invalid
from backend.settings import Settings
from tests.backend.factories import HOAN_KIEM, PASSWORD, bearer, create_user


async def test_bearer_login_and_me(client: AsyncTestClient[Any], settings: Settings) -> None:
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    headers = await bearer(client, "hk")
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["commune_codes"] == [HOAN_KIEM]
    assert me.json()["csrf_token"] is None


async def test_cookie_session_needs_csrf_on_unsafe_methods(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    login = await client.post("/api/v1/auth/login", json={"username": "hk", "password": PASSWORD})
    assert login.status_code == 200
    assert "httponly" in login.headers["set-cookie"].lower()
    csrf = login.json()["user"]["csrf_token"]
    assert (await client.get("/api/v1/auth/me")).status_code == 200  # safe method: no CSRF needed
    no_csrf = await client.post("/api/v1/auth/logout")
    assert no_csrf.status_code == 403
    assert "CSRF" in no_csrf.json()["detail"]
    wrong = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "wrong"})
    assert wrong.status_code == 403
    ok = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 204
    client.cookies.clear()
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_a_bearer_token_is_not_accepted_as_a_cookie(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    token = (await bearer(client, "hk"))["Authorization"].split()[1]
    client.cookies.set(SESSION_COOKIE, token)
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_wrong_password_then_lockout(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    for _ in range(settings.rate_limit.login_attempts):
        bad = await client.post(
            "/api/v1/auth/login", json={"username": "hk", "password": "nope-nope-1"}
        )
        assert bad.status_code == 401
    locked = await client.post("/api/v1/auth/login", json={"username": "hk", "password": PASSWORD})
    assert locked.status_code == 401
    assert "too many" in locked.json()["detail"]
    unknown = await client.post(
        "/api/v1/auth/login", json={"username": "ghost", "password": PASSWORD}
    )
    assert unknown.status_code == 401


async def test_expired_session_is_refused(client: AsyncTestClient[Any], settings: Settings) -> None:
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    headers = await bearer(client, "hk")
    engine = create_engine(settings.database)
    async with engine.begin() as conn:
        await conn.execute(update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    await engine.dispose()
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_missing_credentials(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/api/v1/cases")).status_code == 401
    assert (
        await client.get("/api/v1/cases", headers={"Authorization": "Bearer nonsense"})
    ).status_code == 401
    malformed = await client.post("/api/v1/auth/login", json={"username": "x"})
    assert malformed.status_code == 400


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "at least"),
        ("onlyletterspassword", "mix"),
        ("1234567890123", "mix"),
        ("hk-user-2026-x", "username"),
    ],
)
async def test_password_policy(settings: Settings, password: str, reason: str) -> None:
    from backend.accounts.passwords import check_policy

    with pytest.raises(Invalid, match=reason):
        check_policy(password, "hk-user", settings.auth.min_password_length)


async def test_scope_must_fit_the_role(settings: Settings) -> None:
    with pytest.raises(Invalid, match="province"):
        await create_user(settings, "p", Role.PROVINCE_STAFF, province="99")
    with pytest.raises(Invalid, match="at least one commune"):
        await create_user(settings, "c", Role.COMMUNE_STAFF)
    with pytest.raises(Invalid, match="unknown commune"):
        await create_user(settings, "v", Role.VOLUNTEER, communes=("12345x",))
