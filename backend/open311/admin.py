"""Admin endpoints for Open311 API keys (the key itself is shown once, at creation)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from backend.deps import CurrentPrincipal, DbSession
from backend.open311.keys import ApiKeyService, ApiKeyView, CreatedApiKey


class ApiKeyCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class ApiKeyController(Controller):
    path = "/api/v1/admin/api-keys"
    tags = ["admin"]

    @get("/")
    async def list_keys(
        self, principal: CurrentPrincipal, db_session: DbSession
    ) -> list[ApiKeyView]:
        """Every key (prefix only), newest last."""
        principal.require_admin()
        return await ApiKeyService(db_session).list()

    @post("/", status_code=201)
    async def create_key(
        self, data: JSONBody[ApiKeyCreate], principal: CurrentPrincipal, db_session: DbSession
    ) -> CreatedApiKey:
        """A new key for an Open311 client; store it now, it is never shown again."""
        principal.require_admin()
        return await ApiKeyService(db_session).create(data.name, principal.user_id)

    @post("/{key_id:int}/revoke", status_code=200)
    async def revoke_key(
        self, key_id: FromPath[int], principal: CurrentPrincipal, db_session: DbSession
    ) -> ApiKeyView:
        """Stop accepting the key."""
        principal.require_admin()
        return await ApiKeyService(db_session).revoke(key_id, principal.user_id)
