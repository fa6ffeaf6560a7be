"""The batch writer behind web intake: many new cases, one transaction.

Each case has a `source_key` ("web:<idempotency key>"); `ON CONFLICT DO NOTHING` makes a
redelivered key find the case that already exists instead of creating a second one, even when
the duplicate arrives in another process at the same moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from backend.db.models import Case, CaseStatus, Contact, Direction, Message
from backend.text import new_tracking_code

CASES: Table = Case.__table__  # type: ignore[attr-defined]
MESSAGES: Table = Message.__table__  # type: ignore[attr-defined]
CONTACTS: Table = Contact.__table__  # type: ignore[attr-defined]


class NewCase(msgspec.Struct, frozen=True, kw_only=True):
    """Everything needed to open a case from one inbound message, computed before the write."""

    source_key: str
    channel: str
    external_id: str
    tracking_code: str
    commune_code: str
    province_code: str
    text: str
    search_text: str
    received_at: datetime
    raw: dict[str, Any] | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    consent: bool = False

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_phone or self.contact_email)


class StoredCase(msgspec.Struct, frozen=True, kw_only=True):
    case_id: int
    tracking_code: str
    status: str
    received_at: datetime
    created: bool  # False when the source key already had a case (a retry)


def _insert(table: Table, dialect: str) -> Any:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


class CaseBatchStore:
    """Writes batches of `NewCase` and returns one `StoredCase` per item, in order."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name

    async def write(self, items: Sequence[NewCase]) -> list[StoredCase]:
        async with self._engine.begin() as conn:
            return await self._write(conn, items)

    async def _write(self, conn: AsyncConnection, items: Sequence[NewCase]) -> list[StoredCase]:
        pending: dict[str, NewCase] = {}
        for item in items:
            pending.setdefault(item.source_key, item)
        created: set[str] = set()
        for _ in range(5):
            created |= await self._insert_cases(conn, list(pending.values()))
            found = await self._find(conn, pending.keys())
            # A key with no row lost a tracking-code collision: draw a new code and insert again.
            pending = {
                key: msgspec.structs.replace(item, tracking_code=new_tracking_code())
                for key, item in pending.items()
                if key not in found
            }
            if not pending:
                break
        else:
            raise RuntimeError("could not draw unique tracking codes")
        found = await self._find(conn, {item.source_key for item in items})
        return [
            StoredCase(
                case_id=found[item.source_key].id,
                tracking_code=found[item.source_key].tracking_code,
                status=found[item.source_key].status,
                received_at=found[item.source_key].received_at,
                created=item.source_key in created,
            )
            for item in items
        ]

    async def _insert_cases(self, conn: AsyncConnection, items: Sequence[NewCase]) -> set[str]:
        contact_ids = await self._insert_contacts(conn, [i for i in items if i.has_contact])
        rows = [self._case_row(item, contact_ids.get(item.source_key)) for item in items]
        stmt = (
            _insert(CASES, self._dialect)
            .on_conflict_do_nothing()
            .returning(CASES.c.id, CASES.c.source_key)
        )
        created = {key: case_id for case_id, key in (await conn.execute(stmt, rows)).all()}
        by_key = {item.source_key: item for item in items}
        if created:
            await conn.execute(
                MESSAGES.insert(),
                [self._message_row(by_key[key], case_id) for key, case_id in created.items()],
            )
        return set(created)

    async def _find(self, conn: AsyncConnection, keys: Iterable[str]) -> dict[str, Any]:
        query = select(
            CASES.c.id,
            CASES.c.source_key,
            CASES.c.tracking_code,
            CASES.c.status,
            CASES.c.received_at,
        ).where(CASES.c.source_key.in_(list(keys)))
        return {row.source_key: row for row in (await conn.execute(query)).all()}

    async def _insert_contacts(
        self, conn: AsyncConnection, items: Sequence[NewCase]
    ) -> dict[str, int]:
        ids: dict[str, int] = {}
        for item in items:  # rare on the hot path: only citizens who leave contact details
            result = await conn.execute(
                CONTACTS.insert().returning(CONTACTS.c.id),
                {
                    "display_name": item.contact_name,
                    "phone": item.contact_phone,
                    "email": item.contact_email,
                    "consent_contact": item.consent,
                    "consent_at": item.received_at if item.consent else None,
                    "created_at": item.received_at,
                },
            )
            ids[item.source_key] = result.scalar_one()
        return ids

    @staticmethod
    def _case_row(item: NewCase, contact_id: int | None) -> dict[str, Any]:
        return {
            "tracking_code": item.tracking_code,
            "source_key": item.source_key,
            "channel": item.channel,
            "commune_code": item.commune_code,
            "province_code": item.province_code,
            "contact_id": contact_id,
            "summary": item.text[:280],
            "search_text": item.search_text,
            "status": CaseStatus.NEW.value,
            "urgent": False,
            "needs_review": False,
            "received_at": item.received_at,
            "last_inbound_at": item.received_at,
            "updated_at": item.received_at,
        }

    @staticmethod
    def _message_row(item: NewCase, case_id: int) -> dict[str, Any]:
        return {
            "case_id": case_id,
            "direction": Direction.INBOUND.value,
            "channel": item.channel,
            "external_id": item.external_id,
            "text": item.text,
            "public": True,
            "raw": item.raw,
            "created_at": item.received_at,
        }
