"""INSERT … ON CONFLICT for the two databases we run on (both speak the same clause)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def _insert(conn: AsyncConnection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"no INSERT … ON CONFLICT for {conn.dialect.name}")


def insert_or_ignore(conn: AsyncConnection, table: sa.Table, **values: Any) -> Any:
    """INSERT that does nothing when any unique constraint would be violated."""
    return _insert(conn, table).values(**values).on_conflict_do_nothing()


def upsert(conn: AsyncConnection, table: sa.Table, keys: list[str], **values: Any) -> Any:
    """INSERT, or UPDATE the other columns when the row with these key columns exists."""
    statement = _insert(conn, table).values(**values)
    changes = {name: value for name, value in values.items() if name not in keys}
    return statement.on_conflict_do_update(index_elements=keys, set_=changes)
