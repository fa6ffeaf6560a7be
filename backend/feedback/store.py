"""The batch writer behind intake: many new cases, one transaction, no ORM on the hot path.

Each case has a `source_key` ("<channel>:<idempotency key>"); a redelivered key finds the case
that already exists instead of creating a second one, even when the duplicate arrives in another
process at the same moment (the unique index decides). PostgreSQL writes a whole batch in ONE
statement (the rows as one JSON parameter + data-modifying CTEs = one round trip, one commit);
SQLite writes it with the standard `sqlite3` module in one thread hop and one transaction. Both
return one `StoredCase` per item, in order.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.held import HeldConnection, HeldSqlite, sqlite_time
from backend.text import new_tracking_code

MAX_CODE_DRAWS = 5


class NewCase(msgspec.Struct, frozen=True, kw_only=True, rename={"text": "body"}):
    """Everything needed to open a case from one inbound message, computed before the write.
    (Encoded as JSON, it is a row of PostgreSQL's batch: `text` is the column `body` there.)"""

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


# One JSON text for the whole batch, read by PostgreSQL with jsonb_to_recordset: it cost the
# server processes ~7% less CPU per case in the intake benchmark than fifteen arrays.
_encode_rows = msgspec.json.Encoder().encode


class StoredCase(msgspec.Struct, frozen=True, kw_only=True):
    case_id: int
    tracking_code: str
    status: str
    received_at: datetime
    created: bool  # False when the source key already had a case (a retry)
    commune_code: str = ""  # of the item written (live events), filled by _in_order
    province_code: str = ""


class CaseStore(Protocol):
    async def write(self, items: Sequence[NewCase]) -> list[StoredCase]: ...

    async def close(self) -> None: ...


def case_store(engine: AsyncEngine) -> CaseStore:
    """The batch writer for this engine's database."""
    if engine.dialect.name == "postgresql":
        return PostgresCaseStore(engine)
    if engine.dialect.name == "sqlite":
        return SqliteCaseStore(str(engine.url.database))
    raise ValueError(f"no case store for {engine.dialect.name}")


def _unique(items: Sequence[NewCase]) -> list[NewCase]:
    seen: dict[str, NewCase] = {}
    for item in items:
        seen.setdefault(item.source_key, item)
    return list(seen.values())


def _in_order(items: Sequence[NewCase], found: dict[str, StoredCase]) -> list[StoredCase]:
    results = []
    for i, item in enumerate(items):
        stored = found[item.source_key]
        # Only the first of several identical keys in one batch "created" the case.
        first = next(j for j, other in enumerate(items) if other.source_key == item.source_key)
        results.append(
            msgspec.structs.replace(
                stored,
                created=stored.created and first == i,
                commune_code=item.commune_code,
                province_code=item.province_code,
            )
        )
    return results


_PG_BATCH = """
WITH input AS MATERIALIZED (
    SELECT t.*, CASE WHEN concat(t.contact_name, t.contact_phone, t.contact_email) <> ''
                     THEN nextval(pg_get_serial_sequence('contacts', 'id')) END AS contact_id
    FROM jsonb_to_recordset($1::jsonb)
         AS t(tracking_code text, source_key text, channel text, external_id text,
              commune_code text, province_code text, body text, search_text text,
              received_at timestamptz, contact_name text, contact_phone text, contact_email text,
              consent bool, raw jsonb)
), ins AS (
    INSERT INTO cases (tracking_code, source_key, channel, commune_code, province_code, contact_id,
                       summary, search_text, status, urgent, needs_review, received_at,
                       last_inbound_at, updated_at)
    SELECT tracking_code, source_key, channel, commune_code, province_code, contact_id,
           left(body, 280), search_text, 'new', false, false, received_at, received_at, received_at
    FROM input
    ON CONFLICT DO NOTHING
    RETURNING id, source_key, tracking_code, status, received_at
), new_contacts AS (
    INSERT INTO contacts (id, display_name, phone, email, consent_contact, consent_at, created_at)
    SELECT i.contact_id, i.contact_name, i.contact_phone, i.contact_email, i.consent,
           CASE WHEN i.consent THEN i.received_at END, i.received_at
    FROM input i JOIN ins USING (source_key)
    WHERE i.contact_id IS NOT NULL
), new_messages AS (
    INSERT INTO messages (case_id, direction, channel, external_id, text, public, raw, created_at)
    SELECT ins.id, 'in', i.channel, i.external_id, i.body, true, i.raw, i.received_at
    FROM input i JOIN ins USING (source_key)
)
SELECT i.source_key, coalesce(ins.id, c.id) AS id,
       coalesce(ins.tracking_code, c.tracking_code) AS tracking_code,
       coalesce(ins.status, c.status) AS status,
       coalesce(ins.received_at, c.received_at) AS received_at,
       ins.id IS NOT NULL AS created
FROM input i LEFT JOIN ins USING (source_key)
LEFT JOIN LATERAL (
    -- Only a key that was not inserted (a retry) looks up the case it already has. OFFSET 0
    -- keeps this a per-row lookup: joined flat, a plan made while `cases` was nearly empty
    -- scans the whole table for every batch until the next ANALYZE.
    SELECT id, tracking_code, status, received_at FROM cases
    WHERE ins.id IS NULL AND cases.source_key = i.source_key
    OFFSET 0
) c ON true
"""


class PostgresCaseStore:
    """One statement per batch on the connection the store holds."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._conn = HeldConnection(engine)

    async def write(self, items: Sequence[NewCase]) -> list[StoredCase]:
        pending = _unique(items)
        found: dict[str, StoredCase] = {}
        for _ in range(MAX_CODE_DRAWS):
            rows = await self._conn.fetch(_PG_BATCH, _encode_rows(pending).decode())
            for row in rows:
                if row["id"] is not None:
                    found[row["source_key"]] = StoredCase(
                        case_id=row["id"],
                        tracking_code=row["tracking_code"],
                        status=row["status"],
                        received_at=row["received_at"],
                        created=row["created"],
                    )
            # No row for a key: it lost a tracking-code collision; draw again.
            pending = [
                msgspec.structs.replace(i, tracking_code=new_tracking_code())
                for i in pending
                if i.source_key not in found
            ]
            if not pending:
                return _in_order(items, found)
        raise RuntimeError("could not draw unique tracking codes")

    async def close(self) -> None:
        await self._conn.close()


class SqliteCaseStore:
    """One transaction per batch on a private `sqlite3` connection, in its own thread."""

    def __init__(self, path: str) -> None:
        self._db = HeldSqlite(path, "sqlite-intake")

    async def write(self, items: Sequence[NewCase]) -> list[StoredCase]:
        batch = list(items)
        found = await self._db.transaction(
            lambda conn: {item.source_key: self._write_one(conn, item) for item in _unique(batch)}
        )
        return _in_order(batch, found)

    async def close(self) -> None:
        await self._db.close()

    @staticmethod
    def _write_one(conn: sqlite3.Connection, item: NewCase) -> StoredCase:
        at = sqlite_time(item.received_at)
        contact_id = None
        if item.has_contact:
            contact_id = conn.execute(
                "INSERT INTO contacts (display_name, phone, email, consent_contact, consent_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    item.contact_name,
                    item.contact_phone,
                    item.contact_email,
                    item.consent,
                    at if item.consent else None,
                    at,
                ),
            ).fetchone()[0]
        code = item.tracking_code
        for _ in range(MAX_CODE_DRAWS):
            inserted = conn.execute(
                "INSERT INTO cases (tracking_code, source_key, channel, commune_code, province_code,"
                " contact_id, summary, search_text, status, urgent, needs_review, received_at,"
                " last_inbound_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new', 0, 0, ?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING id",
                (
                    code,
                    item.source_key,
                    item.channel,
                    item.commune_code,
                    item.province_code,
                    contact_id,
                    item.text[:280],
                    item.search_text,
                    at,
                    at,
                    at,
                ),
            ).fetchone()
            if inserted is not None:
                break
            existing = conn.execute(  # the key's case from an earlier delivery (a retry)
                "SELECT id, tracking_code, status, received_at FROM cases WHERE source_key = ?",
                (item.source_key,),
            ).fetchone()
            if existing is not None:
                if contact_id is not None:  # the retry's copy of the contact is not needed
                    conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
                return StoredCase(
                    case_id=existing[0],
                    tracking_code=existing[1],
                    status=existing[2],
                    received_at=datetime.fromisoformat(existing[3]).replace(tzinfo=UTC),
                    created=False,
                )
            code = new_tracking_code()  # collision with an existing code: draw again
        else:
            raise RuntimeError("could not draw a unique tracking code")
        conn.execute(
            "INSERT INTO messages (case_id, direction, channel, external_id, text, public, raw, created_at)"
            " VALUES (?, 'in', ?, ?, ?, 1, ?, ?)",
            (
                inserted[0],
                item.channel,
                item.external_id,
                item.text,
                json.dumps(item.raw, ensure_ascii=False) if item.raw is not None else None,
                at,
            ),
        )
        return StoredCase(
            case_id=inserted[0],
            tracking_code=code,
            status="new",
            received_at=item.received_at,
            created=True,
        )
