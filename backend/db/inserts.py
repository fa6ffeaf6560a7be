"""INSERT … ON CONFLICT for the two databases we run on (both speak the same clause)."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def _dialect_insert(dialect: str, table: sa.Table) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"no INSERT … ON CONFLICT for {dialect}")


def insert_or_ignore(
    conn: AsyncConnection, table: sa.Table, returning: sa.Column[Any] | None = None
) -> Any:
    """INSERT that does nothing when any unique constraint would be violated; execute it with
    the row's values as parameters (`conn.execute(statement, {column: value, …})`).

    Built once per table: hot paths (the inbound consumer) run it for every event, and
    building an INSERT with its values costs about as much as running it.
    """
    return _ignoring_conflicts(conn.dialect.name, table, returning)


@functools.cache
def _ignoring_conflicts(dialect: str, table: sa.Table, returning: sa.Column[Any] | None) -> Any:
    statement = _dialect_insert(dialect, table).on_conflict_do_nothing()
    return statement if returning is None else statement.returning(returning)


def upsert(conn: AsyncConnection, table: sa.Table, keys: list[str], **values: Any) -> Any:
    """INSERT, or UPDATE the other columns when the row with these key columns exists."""
    statement = _dialect_insert(conn.dialect.name, table).values(**values)
    changes = {name: value for name, value in values.items() if name not in keys}
    return statement.on_conflict_do_update(index_elements=keys, set_=changes)
