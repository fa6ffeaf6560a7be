"""daily topic counts for the dashboards' long windows

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 00:30:00

The national view of a year of monthly trends read every case of the year (half a million on
the benchmark's data, 0.7 s). Classified cases per local day × topic, per province and for the
whole country, are refreshed by the worker (backend.synthesis.rollup); the dashboards read them
for the days they cover and the cases themselves for the last two days.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import backend.db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_topic_counts",
        sa.Column("province_code", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("province_code", "day", "topic"),
    )
    op.create_table(
        "rollup_state",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("complete_before", sa.Date(), nullable=True),
        sa.Column("refreshed_at", backend.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("rebuilt_at", backend.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("rollup_state")
    op.drop_table("daily_topic_counts")
