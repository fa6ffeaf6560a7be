"""One-shot setup tasks used by the CLI: migrate, sync reference data, create users."""

from __future__ import annotations

import asyncio

from backend.accounts.service import AccountService
from backend.communes.service import sync_reference_data
from backend.db.engine import create_engine, create_session_factory
from backend.db.migrate import upgrade
from backend.db.models import Role
from backend.errors import AppError
from backend.settings import Settings


async def migrate_and_sync(settings: Settings) -> tuple[int, int]:
    await asyncio.to_thread(upgrade, settings.database.url)
    engine = create_engine(settings.database)
    try:
        async with create_session_factory(engine)() as session:
            return await sync_reference_data(session)
    finally:
        await engine.dispose()


async def create_user_command(
    settings: Settings,
    username: str,
    password: str,
    role: str,
    full_name: str,
    province: str | None,
    communes: list[str],
) -> int:
    engine = create_engine(settings.database)
    try:
        async with create_session_factory(engine)() as session:
            service = AccountService(session, settings.auth, settings.rate_limit)
            try:
                user = await service.create_user(
                    username=username,
                    password=password,
                    role=Role(role),
                    full_name=full_name,
                    province_code=province,
                    commune_codes=communes,
                )
            except AppError as exc:
                raise SystemExit(f"error: {exc.detail}") from exc
            assert user.id is not None
            return user.id
    finally:
        await engine.dispose()
