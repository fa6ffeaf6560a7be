"""Account and audit policies: common passwords refused, login throttled, staff actions audited.

CSRF on cookie sessions, account lockout, session expiry and the production secret check are
tested in tests/backend/test_auth.py and tests/backend/test_system.py; this file adds the rest.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.accounts.passwords import check_policy
from backend.app import create_app
from backend.db.models import Role
from backend.errors import Invalid
from backend.settings import SettingsError, load_settings
from tests.backend.conftest import rows
from tests.backend.factories import BA_DINH, HOAN_KIEM, PASSWORD, bearer, create_user, submit
from tests.conftest import make_settings


@pytest.mark.parametrize(
    "password",
    ["Password@123", "matkhau2026!", "qwertyuiop1", "123ADMIN456", "iloveyou!!", "Tiengdan2026"],
)
def test_common_passwords_are_refused(password: str) -> None:
    with pytest.raises(Invalid, match="too common"):
        check_policy(password, "hk-user", 10)


@pytest.mark.parametrize(
    "password", ["correct-horse-42", "demo-2026-tiengdan", "Cau Long Bien 1902"]
)
def test_uncommon_passwords_pass(password: str) -> None:
    check_policy(password, "hk-user", 10)


async def test_a_common_password_creates_no_account(client: AsyncTestClient[Any]) -> None:
    settings = client.app.state.settings
    with pytest.raises(Invalid, match="too common"):
        from backend.accounts.service import AccountService
        from backend.db.engine import create_engine, create_session_factory

        engine = create_engine(settings.database)
        try:
            async with create_session_factory(engine)() as session:
                await AccountService(session, settings.auth, settings.rate_limit).create_user(
                    username="hk", password="Password@2026", role=Role.ADMIN
                )
        finally:
            await engine.dispose()
    assert await rows(client, "SELECT id FROM users") == []


async def test_login_is_throttled_per_client(database_url: str) -> None:
    settings = make_settings(database_url, TIENGDAN_RATE_LIMIT_PER_MINUTE="3")
    async with AsyncTestClient(create_app(settings)) as client:
        body = {"username": "nobody", "password": "wrong-password-1", "mode": "bearer"}
        codes = [(await client.post("/api/v1/auth/login", json=body)).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_production_refuses_the_placeholder_and_short_secrets() -> None:
    for secret in (None, "dev-only-change-me", "short-secret"):
        environ = {"TIENGDAN_ENV": "prod", "DATABASE_URL": "postgresql://db/tiengdan"}
        if secret is not None:
            environ["TIENGDAN_SECRET_KEY"] = secret
        with pytest.raises(SettingsError, match="SECRET_KEY"):
            load_settings(environ)


async def test_staff_actions_are_audited_and_refused_ones_are_not(
    client: AsyncTestClient[Any],
) -> None:
    settings = client.app.state.settings
    await create_user(settings, "hk", Role.COMMUNE_STAFF, communes=(HOAN_KIEM,))
    await create_user(settings, "bd", Role.COMMUNE_STAFF, communes=(BA_DINH,))
    hk, bd = await bearer(client, "hk"), await bearer(client, "bd")
    await submit(client, HOAN_KIEM)
    await client.app.state.resources.settle()
    [case] = (await client.get("/api/v1/cases", headers=hk)).json()["items"]
    url = f"/api/v1/cases/{case['id']}"
    before = await rows(client, "SELECT action FROM audit_events WHERE user_id IS NOT NULL")

    for headers in (bd, hk):  # the outsider first: refused, so nothing to audit
        await client.post(f"{url}/notes", json={"text": "Đã liên hệ tổ dân phố."}, headers=headers)
        await client.post(f"{url}/replies", json={"text": "Phường đã tiếp nhận."}, headers=headers)
        await client.patch(f"{url}/status", json={"status": "in_progress"}, headers=headers)
        await client.patch(f"{url}/classification", json={"topic": "environment"}, headers=headers)

    audited = await rows(
        client,
        "SELECT a.action, a.object_type, a.object_id, u.username FROM audit_events a"
        " JOIN users u ON u.id = a.user_id ORDER BY a.id",
    )
    new = audited[len(before) :]
    assert {row.username for row in new} == {"hk"}
    assert {row.object_id for row in new if row.object_type == "case"} == {str(case["id"])}
    actions = {row.action for row in new}
    assert {"case.note", "case.reply"} <= actions and len(actions) >= 4
    logins = [row for row in audited if row.action == "auth.login"]
    assert {row.username for row in logins} == {"hk", "bd"}
    assert PASSWORD not in str(await rows(client, "SELECT detail FROM audit_events"))
