"""cases: a partial index of the answered cases by answer time

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 07:00:00

The satisfaction statistics read the cases answered in a window; no index had the answer time,
so the whole country's figures scanned every case (0.3-0.8 s over 1,000,000 cases). Only
answered cases are indexed, so intake never writes to it; it carries the case id (the join to
the ratings) and the scope and grouping columns, for index-only scans on PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    answered = sa.text("answered_at IS NOT NULL")
    op.create_index(
        "ix_cases_answered",
        "cases",
        ["answered_at"],
        postgresql_include=["id", "province_code", "commune_code", "topic"],
        postgresql_where=answered,
        sqlite_where=answered,
    )


def downgrade() -> None:
    op.drop_index("ix_cases_answered", table_name="cases")
