"""API keys of Open311 client systems: created by admins, stored as SHA-256 digests only."""

from __future__ import annotations

import hashlib
import secrets

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit import record
from backend.db.models import ApiKey
from backend.db.types import utcnow
from backend.errors import Invalid, NotFound

KEY_PREFIX = "td311_"


class ApiKeyView(msgspec.Struct, kw_only=True):
    id: int
    name: str
    prefix: str
    created_at: str
    revoked: bool


class CreatedApiKey(msgspec.Struct, kw_only=True):
    """The only time the key itself is shown."""

    id: int
    name: str
    key: str


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _view(row: ApiKey) -> ApiKeyView:
    assert row.id is not None
    return ApiKeyView(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at.isoformat(),
        revoked=row.revoked_at is not None,
    )


class ApiKeyService:
    """Create, list, revoke and check keys. Admin rights are checked by the callers."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, name: str, created_by: int | None) -> CreatedApiKey:
        name = name.strip()
        if not name:
            raise Invalid("name must not be blank", field="name")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKey(name=name, key_hash=digest(key), prefix=key[:12], created_by=created_by)
        self.session.add(row)
        await self.session.flush()
        assert row.id is not None
        await record(self.session, created_by, "api_key.create", "api_key", row.id, {"name": name})
        await self.session.commit()
        return CreatedApiKey(id=row.id, name=name, key=key)

    async def list(self) -> list[ApiKeyView]:
        rows = (await self.session.exec(select(ApiKey).order_by(col(ApiKey.id)))).all()
        return [_view(r) for r in rows]

    async def revoke(self, key_id: int, revoked_by: int | None) -> ApiKeyView:
        row = await self.session.get(ApiKey, key_id)
        if row is None:
            raise NotFound(f"no API key {key_id}")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            self.session.add(row)
            await record(self.session, revoked_by, "api_key.revoke", "api_key", key_id)
            await self.session.commit()
        return _view(row)

    async def check(self, key: str) -> ApiKey | None:
        """The active key row for this key, or None."""
        if not key:
            return None
        row = (
            await self.session.exec(select(ApiKey).where(ApiKey.key_hash == digest(key)))
        ).first()
        if row is None or row.revoked_at is not None:
            return None
        return row


async def create_key_command(database: object, name: str) -> CreatedApiKey:
    """`tiengdan create-api-key`: a key made from the command line (no user recorded)."""
    from backend.db.engine import create_engine, create_session_factory
    from backend.settings import DatabaseSettings

    assert isinstance(database, DatabaseSettings)
    engine = create_engine(database)
    try:
        async with create_session_factory(engine)() as session:
            return await ApiKeyService(session).create(name, None)
    finally:
        await engine.dispose()
