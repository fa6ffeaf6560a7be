"""Canned responses: admin-managed texts with variables rendered for one case."""

from __future__ import annotations

import re
from typing import Final

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.principal import Principal
from backend.audit import record
from backend.db.models import CannedResponse
from backend.db.types import utcnow
from backend.errors import Invalid, NotFound
from backend.suggestions.schemas import CannedCreate, CannedUpdate, CannedView
from classifiers.labels import TOPICS

# Each variable has a Vietnamese and an English name.
VARIABLES: Final = {
    "ten_cong_dan": "name",
    "name": "name",
    "ma_theo_doi": "tracking_code",
    "tracking_code": "tracking_code",
    "xa_phuong": "commune",
    "commune": "commune",
}
_VARIABLE: Final = re.compile(r"\{(\w+)\}")


def render(body: str, values: dict[str, str]) -> str:
    """The body with {ten_cong_dan}/{name}, {ma_theo_doi}/{tracking_code}, {xa_phuong}/{commune}."""
    return _VARIABLE.sub(lambda m: values.get(VARIABLES.get(m.group(1), ""), m.group(0)), body)


def _check(body: str, topic: str | None) -> None:
    unknown = sorted({m for m in _VARIABLE.findall(body) if m not in VARIABLES})
    if unknown:
        raise Invalid(
            f"unknown variables {', '.join(unknown)}; use {', '.join(sorted(VARIABLES))}",
            field="body",
        )
    if topic is not None and topic not in TOPICS:
        raise Invalid(f"unknown topic {topic!r}", field="topic")


def view(row: CannedResponse) -> CannedView:
    return CannedView(
        id=row.id or 0, title=row.title, body=row.body, topic=row.topic, updated_at=row.updated_at
    )


class CannedService:
    """Staff read; admins create, change and delete (audited)."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        principal.require_staff()
        self.session = session
        self.principal = principal

    async def list(self, topic: str | None = None) -> list[CannedResponse]:
        query = select(CannedResponse).order_by(col(CannedResponse.title), col(CannedResponse.id))
        if topic is not None:
            query = query.where(
                (col(CannedResponse.topic).is_(None)) | (CannedResponse.topic == topic)
            )
        return list((await self.session.exec(query)).all())

    async def create(self, data: CannedCreate) -> CannedView:
        self.principal.require_admin()
        _check(data.body, data.topic)
        row = CannedResponse(
            title=data.title.strip(),
            body=data.body.strip(),
            topic=data.topic,
            updated_by=self.principal.user_id,
        )
        self.session.add(row)
        await self.session.flush()
        await self._audit("canned.create", row)
        return view(row)

    async def update(self, canned_id: int, data: CannedUpdate) -> CannedView:
        self.principal.require_admin()
        row = await self._get(canned_id)
        changes = msgspec.structs.asdict(data)
        for name, value in changes.items():
            if value is not msgspec.UNSET:
                setattr(row, name, value.strip() if isinstance(value, str) else value)
        _check(row.body, row.topic)
        row.updated_by, row.updated_at = self.principal.user_id, utcnow()
        self.session.add(row)
        await self._audit("canned.update", row)
        return view(row)

    async def delete(self, canned_id: int) -> None:
        self.principal.require_admin()
        row = await self._get(canned_id)
        await self.session.delete(row)
        await self._audit("canned.delete", row)

    async def _get(self, canned_id: int) -> CannedResponse:
        row = await self.session.get(CannedResponse, canned_id)
        if row is None:
            raise NotFound(f"no canned response {canned_id}")
        return row

    async def _audit(self, action: str, row: CannedResponse) -> None:
        assert row.id is not None
        await record(self.session, self.principal.user_id, action, "canned_response", row.id)
        await self.session.commit()
