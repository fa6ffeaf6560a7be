"""Accounts: users and scopes, login with lockout, sessions and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.passwords import check_policy, hash_password, verify_password
from backend.accounts.principal import Principal
from backend.audit import record
from backend.communes.reference import communes, provinces
from backend.db.models import AuthSession, Role, User, UserCommune
from backend.db.types import utcnow
from backend.errors import Conflict, Invalid, Unauthorized
from backend.settings import AuthSettings, RateLimitSettings


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountService:
    def __init__(
        self, session: AsyncSession, auth: AuthSettings, limits: RateLimitSettings
    ) -> None:
        self.session = session
        self.auth = auth
        self.limits = limits

    async def create_user(
        self,
        *,
        username: str,
        password: str,
        role: Role,
        full_name: str = "",
        province_code: str | None = None,
        commune_codes: Iterable[str] = (),
        actor_id: int | None = None,
    ) -> User:
        """Create an account with a valid scope for its role."""
        commune_set = sorted(set(commune_codes))
        self._check_scope(role, province_code, commune_set)
        check_policy(password, username, self.auth.min_password_length)
        existing = await self.session.exec(select(User).where(User.username == username))  # type: ignore[call-overload]
        if existing.first() is not None:
            raise Conflict(f"username {username!r} is taken")
        user = User(
            username=username,
            full_name=full_name,
            password_hash=hash_password(password),
            role=role.value,
            province_code=province_code,
        )
        self.session.add(user)
        await self.session.flush()
        assert user.id is not None
        for code in commune_set:
            self.session.add(UserCommune(user_id=user.id, commune_code=code))
        await record(self.session, actor_id, "user.create", "user", user.id, {"role": role.value})
        await self.session.commit()
        return user

    @staticmethod
    def _check_scope(role: Role, province_code: str | None, commune_codes: list[str]) -> None:
        if role is Role.PROVINCE_STAFF and province_code not in provinces():
            raise Invalid("a province account needs a valid province code")
        if role in (Role.COMMUNE_STAFF, Role.VOLUNTEER):
            if not commune_codes:
                raise Invalid("a commune or volunteer account needs at least one commune")
            unknown = [c for c in commune_codes if c not in communes()]
            if unknown:
                raise Invalid(f"unknown commune codes: {', '.join(unknown)}")

    async def login(self, username: str, password: str, kind: str) -> tuple[str, Principal]:
        """Check the password (with lockout after repeated failures) and open a session."""
        now = utcnow()
        user = (await self.session.exec(select(User).where(User.username == username))).first()  # type: ignore[call-overload]
        if user is not None and user.locked_until is not None and user.locked_until > now:
            raise Unauthorized("too many failed attempts; try again later")
        if user is None or not user.is_active or not verify_password(user.password_hash, password):
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= self.limits.login_attempts:
                    user.locked_until = now + timedelta(minutes=self.limits.login_lock_minutes)
                    user.failed_logins = 0
                await self.session.commit()
            raise Unauthorized("wrong username or password")
        user.failed_logins = 0
        user.locked_until = None
        token = secrets.token_urlsafe(32)
        assert user.id is not None
        auth_session = AuthSession(
            token_hash=token_hash(token),
            user_id=user.id,
            kind=kind,
            csrf_token=secrets.token_urlsafe(24),
            expires_at=now + timedelta(hours=self.auth.session_hours),
        )
        self.session.add(auth_session)
        await record(self.session, user.id, "auth.login", "user", user.id, {"kind": kind})
        await self.session.commit()
        return token, await self._principal(user, auth_session)

    async def resolve(self, token: str) -> Principal:
        """The principal of a live session token."""
        row = (
            await self.session.exec(  # type: ignore[call-overload]
                select(AuthSession, User)
                .join(User, User.id == AuthSession.user_id)  # type: ignore[arg-type]
                .where(AuthSession.token_hash == token_hash(token))
            )
        ).first()
        if row is None:
            raise Unauthorized("not logged in")
        auth_session, user = row
        if auth_session.expires_at <= utcnow():
            raise Unauthorized("session expired; log in again")
        if not user.is_active:
            raise Unauthorized("account disabled")
        return await self._principal(user, auth_session)

    async def logout(self, token: str) -> None:
        await self.session.exec(
            delete(AuthSession).where(col(AuthSession.token_hash) == token_hash(token))
        )  # type: ignore[arg-type]
        await self.session.commit()

    async def _principal(self, user: User, auth_session: AuthSession) -> Principal:
        assert user.id is not None
        codes = await self.session.exec(  # type: ignore[call-overload]
            select(UserCommune.commune_code).where(UserCommune.user_id == user.id)
        )
        return Principal(
            user_id=user.id,
            username=user.username,
            full_name=user.full_name,
            role=Role(user.role),
            province_code=user.province_code,
            commune_codes=frozenset(codes.all()),
            session_kind=auth_session.kind,
            csrf_token=auth_session.csrf_token,
        )
