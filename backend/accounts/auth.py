"""Authentication for staff endpoints: session cookie (with CSRF) or bearer token."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request

from backend.accounts.principal import Principal
from backend.accounts.service import AccountService
from backend.deps import Resources
from backend.errors import Forbidden, Unauthorized

SESSION_COOKIE = "td_session"
CSRF_HEADER = "x-csrf-token"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def presented_token(request: Request[Any, Any, Any]) -> tuple[str | None, str]:
    """The session token and how it came: ("…", "bearer") or ("…", "cookie")."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None, "bearer"
    return request.cookies.get(SESSION_COOKIE), "cookie"


async def provide_principal(request: Request[Any, Any, Any], resources: Resources) -> Principal:
    """Resolve the caller; cookie sessions must echo their CSRF token on unsafe methods."""
    token, kind = presented_token(request)
    if not token:
        raise Unauthorized("not logged in")
    settings = resources.settings
    # Its own short session: a dependency that raises does not get its sibling generator
    # dependencies cleaned up, so the request's db_session must not be used here.
    async with resources.sessions() as session:
        principal = await AccountService(session, settings.auth, settings.rate_limit).resolve(token)
    if principal.session_kind != kind:
        raise Unauthorized("this token cannot be used this way")
    if kind == "cookie" and request.method in _UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        # Bytes: compare_digest raises TypeError on str with non-ASCII characters.
        if not sent or not secrets.compare_digest(sent.encode(), principal.csrf_token.encode()):
            raise Forbidden("missing or wrong CSRF token (send the X-CSRF-Token header)")
    return principal
