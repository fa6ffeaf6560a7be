"""The batch writer behind every channel's intake: many events, one transaction, no ORM.

Each event is unique on (channel, external_id) — Zalo `msg_id`, Messenger `mid`, e-mail
`Message-ID` (DESIGN §4 rule 2) — so a provider's redelivery, even to another process at the
same moment, stores nothing new. PostgreSQL writes a batch in one statement (unnest + ON
CONFLICT DO NOTHING); SQLite in one `sqlite3` transaction on its own thread, like the web intake.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(channel, external_id, kind, payload)
ON CONFLICT (channel, external_id) DO NOTHING
RETURNING channel, external_id
"""


class PostgresInboundStore:
    """One statement per batch on one connection the store keeps (no pool round trips).

    The group committer writes one batch at a time, so one connection is enough; it is
    dropped after any error and taken afresh from the pool for the next batch.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def write(self, events: Sequence[InboundEvent]) -> list[bool]:
        unique = list({_key(e): e for e in reversed(events)}.values())
        driver = await self._driver()
        try:
            rows = await driver.fetch(
                _PG_INSERT,
                [e.channel for e in unique],
                [e.external_id for e in unique],
                [e.kind.value for e in unique],
                [encode_event(e) for e in unique],
            )
        except BaseException:
            await self.close()
            raise
        return _created(events, {(row["channel"], row["external_id"]) for row in rows})

    async def close(self) -> None:
        """Give the connection back to the engine's pool."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def _driver(self) -> Any:
        if self._conn is None:
            self._conn = await self._engine.connect()
        raw = await self._conn.get_raw_connection()
        return raw.driver_connection


class SqliteInboundStore:
    """One transaction per batch on a private `sqlite3` connection, in its own thread."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-inbound")
        self._conn: sqlite3.Connection | None = None

    async def write(self, events: Sequence[InboundEvent]) -> list[bool]:
        rows = [(e.channel, e.external_id, e.kind.value, encode_event(e)) for e in events]
        loop = asyncio.get_running_loop()
        inserted = await loop.run_in_executor(self._thread, self._write, rows)
        return _created(events, inserted)

    async def close(self) -> None:
        def close_connection() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        await asyncio.get_running_loop().run_in_executor(self._thread, close_connection)
        self._thread.shutdown(wait=True)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, isolation_level=None, timeout=5.0)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._conn = conn
        return self._conn

    def _write(self, rows: list[tuple[str, str, str, str]]) -> set[tuple[str, str]]:
        conn = self._connection()
        # The format SQLAlchemy's SQLite DateTime type reads and writes (naive UTC).
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        inserted: set[tuple[str, str]] = set()
        conn.execute("BEGIN IMMEDIATE")
        try:
            for channel, external_id, kind, payload in rows:
                row = conn.execute(
                    "INSERT INTO inbound_events (channel, external_id, kind, payload, received_at,"
                    " attempts) VALUES (?, ?, ?, ?, ?, 0)"
                    " ON CONFLICT (channel, external_id) DO NOTHING RETURNING id",
                    (channel, external_id, kind, payload, now),
                ).fetchone()
                if row is not None:
                    inserted.add((channel, external_id))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return inserted
