"""Connections a single-writer store keeps between its batches: PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

T = TypeVar("T")


class HeldConnection:
    """Raw asyncpg access on a connection taken once from the engine's pool.

    A group committer writes one batch at a time, so one connection is enough, and keeping it
    saves the pool's check-out and pre-ping round trip on every batch. Each statement runs in
    autocommit (one statement, one transaction). After any error the connection is returned
    and a fresh one is taken for the next batch.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        if self._conn is None:
            self._conn = await self._engine.connect()
        try:
            raw = await self._conn.get_raw_connection()
            rows: list[Any] = await raw.driver_connection.fetch(query, *args)  # type: ignore[union-attr]
        except BaseException:
            await self.close()
            raise
        return rows

    async def close(self) -> None:
        """Give the connection back to the engine's pool."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()


class HeldSqlite:
    """A private `sqlite3` connection on its own thread, one transaction per batch.

    The embedded shape's group committers write here instead of through the async engine: a
    batch is one `BEGIN IMMEDIATE … COMMIT` run off the event loop, rolled back on any error.
    """

    def __init__(self, path: str, thread_name: str) -> None:
        self._path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        self._conn: sqlite3.Connection | None = None

    async def transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` inside one transaction, on the connection's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._run, work)

    async def close(self) -> None:
        def close_connection() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        await asyncio.get_running_loop().run_in_executor(self._thread, close_connection)
        self._thread.shutdown(wait=True)

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return result

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, isolation_level=None, timeout=5.0)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._conn = conn
        return self._conn


def sqlite_time(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime type reads and writes (naive UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
