"""Row factories and login helpers for backend tests (real database, no mocked sessions)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from backend.accounts.service import AccountService
from backend.db.engine import create_engine, create_session_factory
from backend.db.models import Role
from backend.settings import Settings

PASSWORD = "correct-horse-42"
HOAN_KIEM, BA_DINH = "00070", "00004"  # two wards of Hà Nội (province 01)
OTHER_PROVINCE_COMMUNE = "26506"  # Phường Vũng Tàu, TP Hồ Chí Minh


async def create_user(
    settings: Settings,
    username: str,
    role: Role,
    *,
    province: str | None = None,
    communes: tuple[str, ...] = (),
) -> int:
    engine = create_engine(settings.database)
    try:
        async with create_session_factory(engine)() as session:
            user = await AccountService(session, settings.auth, settings.rate_limit).create_user(
                username=username,
                password=PASSWORD,
                role=role,
                province_code=province,
                commune_codes=communes,
            )
            assert user.id is not None
            return user.id
    finally:
        await engine.dispose()


async def bearer(client: AsyncTestClient[Any], username: str) -> dict[str, str]:
    """Log in as `username` and return the Authorization header for API calls."""
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": PASSWORD, "mode": "bearer"}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def submit(
    client: AsyncTestClient[Any], commune: str = HOAN_KIEM, **fields: Any
) -> dict[str, Any]:
    body = {"text": "Đèn đường ngõ 5 hỏng ba hôm nay.", "commune_code": commune, **fields}
    response = await client.post("/api/v1/feedback", json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]
