"""Login, logout and who-am-I."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody

from backend.accounts.auth import SESSION_COOKIE, presented_token
from backend.accounts.schemas import LoginRequest, LoginResponse, Me
from backend.accounts.service import AccountService
from backend.deps import AppSettings, CurrentPrincipal, DbSession


def me_of(principal: CurrentPrincipal) -> Me:
    return Me(
        id=principal.user_id,
        username=principal.username,
        full_name=principal.full_name,
        role=principal.role.value,
        province_code=principal.province_code,
        commune_codes=sorted(principal.commune_codes),
        csrf_token=principal.csrf_token if principal.session_kind == "cookie" else None,
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", status_code=200, dependencies={})
    async def login(
        self, data: JSONBody[LoginRequest], db_session: DbSession, settings: AppSettings
    ) -> Response[LoginResponse]:
        """Log in; `mode=cookie` for the browser (HttpOnly cookie + CSRF token), `bearer` for API clients."""
        service = AccountService(db_session, settings.auth, settings.rate_limit)
        token, principal = await service.login(data.username, data.password, data.mode)
        if data.mode == "bearer":
            return Response(LoginResponse(user=me_of(principal), token=token))
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=token,
            httponly=True,
            samesite="strict",
            secure=settings.auth.cookie_secure,
            max_age=settings.auth.session_hours * 3600,
            path="/",
        )
        return Response(LoginResponse(user=me_of(principal)), cookies=[cookie])

    @post("/logout", status_code=204)
    async def logout(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        db_session: DbSession,
        settings: AppSettings,
    ) -> Response[None]:
        """End this session."""
        token, _ = presented_token(request)
        assert token is not None  # principal resolution needed it
        await AccountService(db_session, settings.auth, settings.rate_limit).logout(token)
        return Response(
            None,
            status_code=204,
            cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")],
        )

    @get("/me")
    async def me(self, principal: CurrentPrincipal) -> Me:
        """The logged-in account and its scope."""
        return me_of(principal)
