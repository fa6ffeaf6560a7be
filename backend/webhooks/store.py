"""The batch writer behind every channel's intake: many events, one transaction, no ORM.

Each event is unique on (channel, external_id) — Zalo `msg_id`, Messenger `mid`, e-mail
`Message-ID` (DESIGN §4 rule 2) — so a provider's redelivery, even to another process at the
same moment, stores nothing new. PostgreSQL writes a batch in one statement (unnest + ON
CONFLICT DO NOTHING); SQLite in one `sqlite3` transaction on its own thread, like the web intake.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.held import HeldConnection, HeldSqlite, sqlite_time
from channels.base import InboundEvent


class InboundStore(Protocol):
    async def write(self, events: Sequence[InboundEvent]) -> list[bool]:
        """Store the events; True for each one stored now, False for a duplicate."""
        ...

    async def close(self) -> None: ...


def inbound_store(engine: AsyncEngine) -> InboundStore:
    """The batch writer for this engine's database."""
    if engine.dialect.name == "postgresql":
        return PostgresInboundStore(engine)
    if engine.dialect.name == "sqlite":
        return SqliteInboundStore(str(engine.url.database))
    raise ValueError(f"no inbound event store for {engine.dialect.name}")


def _key(event: InboundEvent) -> tuple[str, str]:
    return event.channel, event.external_id


def _created(events: Sequence[InboundEvent], inserted: set[tuple[str, str]]) -> list[bool]:
    """Only the first of several identical keys in one batch counts as stored now."""
    seen: set[tuple[str, str]] = set()
    results = []
    for event in events:
        key = _key(event)
        results.append(key in inserted and key not in seen)
        seen.add(key)
    return results


def encode_event(event: InboundEvent) -> str:
    """The payload column: the normalized event as JSON text."""
    return msgspec.json.encode(event).decode()


_PG_INSERT = """
INSERT INTO inbound_events (channel, external_id, kind, payload, received_at, attempts)
SELECT t.channel, t.external_id, t.kind, t.payload::jsonb, now(), 0
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY
     AS t(channel, external_id, kind, payload, position)
ORDER BY t.position
ON CONFLICT (channel, external_id) DO NOTHING
RETURNING channel, external_id
"""


class PostgresInboundStore:
    """One statement per batch on the connection the store holds."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._conn = HeldConnection(engine)

    async def write(self, events: Sequence[InboundEvent]) -> list[bool]:
        first: dict[tuple[str, str], InboundEvent] = {}
        for event in events:  # in arrival order: one citizen's messages are applied in it
            first.setdefault(_key(event), event)
        unique = list(first.values())
        rows = await self._conn.fetch(
            _PG_INSERT,
            [e.channel for e in unique],
            [e.external_id for e in unique],
            [e.kind.value for e in unique],
            [encode_event(e) for e in unique],
        )
        return _created(events, {(row["channel"], row["external_id"]) for row in rows})

    async def close(self) -> None:
        await self._conn.close()


class SqliteInboundStore:
    """One transaction per batch on a private `sqlite3` connection, in its own thread."""

    def __init__(self, path: str) -> None:
        self._db = HeldSqlite(path, "sqlite-inbound")

    async def write(self, events: Sequence[InboundEvent]) -> list[bool]:
        rows = [(e.channel, e.external_id, e.kind.value, encode_event(e)) for e in events]
        return _created(events, await self._db.transaction(lambda conn: _insert(conn, rows)))

    async def close(self) -> None:
        await self._db.close()


def _insert(
    conn: sqlite3.Connection, rows: list[tuple[str, str, str, str]]
) -> set[tuple[str, str]]:
    now = sqlite_time(datetime.now(UTC))
    inserted: set[tuple[str, str]] = set()
    for channel, external_id, kind, payload in rows:
        row = conn.execute(
            "INSERT INTO inbound_events (channel, external_id, kind, payload, received_at,"
            " attempts) VALUES (?, ?, ?, ?, ?, 0)"
            " ON CONFLICT (channel, external_id) DO NOTHING RETURNING id",
            (channel, external_id, kind, payload, now),
        ).fetchone()
        if row is not None:
            inserted.add((channel, external_id))
    return inserted
