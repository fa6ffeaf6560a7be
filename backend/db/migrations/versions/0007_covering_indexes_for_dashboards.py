"""covering indexes for the dashboards

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 21:50:00

The dashboard queries read, for the cases of a scope and a time window, only a few columns
(bench/dashboards.py). On PostgreSQL the scope + time indexes carry those columns (INCLUDE),
so the statistics come from index-only scans instead of a heap visit per case; the national
view gets its own time index. SQLite has no INCLUDE: it gets the plain time index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

DASHBOARD_COLUMNS = [
    "topic",
    "status",
    "group_id",
    "due_at",
    "first_response_at",
    "answered_at",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.create_index("ix_cases_received", "cases", ["received_at"])
        return
    op.drop_index("ix_cases_province_received", table_name="cases")
    op.create_index(
        "ix_cases_province_received",
        "cases",
        ["province_code", "received_at"],
        postgresql_include=["commune_code", *DASHBOARD_COLUMNS],
    )
    op.drop_index("ix_cases_commune_received", table_name="cases")
    op.create_index(
        "ix_cases_commune_received",
        "cases",
        ["commune_code", "received_at"],
        postgresql_include=DASHBOARD_COLUMNS,
    )
    op.create_index(
        "ix_cases_received",
        "cases",
        ["received_at"],
        postgresql_include=["province_code", "commune_code", *DASHBOARD_COLUMNS],
    )


def downgrade() -> None:
    op.drop_index("ix_cases_received", table_name="cases")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_cases_commune_received", table_name="cases")
    op.create_index("ix_cases_commune_received", "cases", ["commune_code", "received_at"])
    op.drop_index("ix_cases_province_received", table_name="cases")
    op.create_index("ix_cases_province_received", "cases", ["province_code", "received_at"])
