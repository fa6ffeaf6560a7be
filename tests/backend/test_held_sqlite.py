"""The embedded shape's intake connection: a batch is one transaction, all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from backend.db.held import HeldSqlite


async def test_a_failing_batch_leaves_nothing_and_the_next_one_commits(tmp_path: Path) -> None:
    path = tmp_path / "intake.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE items (name TEXT PRIMARY KEY)")
    held = HeldSqlite(str(path), "test-intake")

    def two_then_a_duplicate(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO items VALUES ('a')")
        conn.execute("INSERT INTO items VALUES ('b')")
        conn.execute("INSERT INTO items VALUES ('a')")

    try:
        with pytest.raises(sqlite3.IntegrityError):
            await held.transaction(two_then_a_duplicate)
        added = await held.transaction(lambda conn: conn.execute("INSERT INTO items VALUES ('c')"))
        assert added.rowcount == 1
    finally:
        await held.close()
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT name FROM items").fetchall() == [("c",)]
