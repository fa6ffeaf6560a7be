"""Who is calling and what they may see: the scope rule every query applies."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import ColumnElement, false, true

from backend.db.models import Role
from backend.errors import Forbidden

STAFF_ROLES = frozenset({Role.ADMIN, Role.PROVINCE_STAFF, Role.COMMUNE_STAFF})


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int
    username: str
    full_name: str
    role: Role
    province_code: str | None = None
    commune_codes: frozenset[str] = frozenset()
    session_kind: str = "bearer"
    csrf_token: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def allows(self, commune_code: str | None, province_code: str | None) -> bool:
        """May this caller see an object of this commune / province?"""
        if self.role is Role.ADMIN:
            return True
        if self.role is Role.PROVINCE_STAFF:
            return province_code is not None and province_code == self.province_code
        return commune_code is not None and commune_code in self.commune_codes

    def scope(self, commune_column: Any, province_column: Any) -> ColumnElement[bool]:
        """A WHERE clause limiting rows to this caller's scope."""
        if self.role is Role.ADMIN:
            return true()
        if self.role is Role.PROVINCE_STAFF:
            return province_column == self.province_code if self.province_code else false()
        if not self.commune_codes:
            return false()
        return commune_column.in_(sorted(self.commune_codes))  # type: ignore[no-any-return]

    def require_staff(self) -> None:
        if self.role not in STAFF_ROLES:
            raise Forbidden("this action needs a staff account")

    def require_admin(self) -> None:
        if self.role is not Role.ADMIN:
            raise Forbidden("this action needs an admin account")
