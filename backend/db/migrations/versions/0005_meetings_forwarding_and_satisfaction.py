"""meetings, forwarding and satisfaction

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC = backend.db.types.UtcDateTime(timezone=True)


def _string(length: int | None = None) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_key", _string(100), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", _string(300), nullable=False),
        sa.Column("commune_code", _string(5), nullable=False),
        sa.Column("province_code", _string(2), nullable=False),
        sa.Column("organizer", _string(300), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=False),
        sa.Column("delegates", JSON, nullable=True),
        sa.Column("source", _string(10), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["commune_code"], ["communes.code"]),
        sa.ForeignKeyConstraint(["province_code"], ["provinces.code"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_key"),
    )
    op.create_index("ix_meetings_commune_held", "meetings", ["commune_code", "held_on"])
    op.create_index("ix_meetings_province_code", "meetings", ["province_code"])
    op.create_table(
        "meeting_opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("key", _string(120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("speaker", _string(200), nullable=True),
        sa.Column("text", _string(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "key"),
    )
    op.create_index("ix_meeting_opinions_meeting_id", "meeting_opinions", ["meeting_id"])
    op.create_index("ix_meeting_opinions_case_id", "meeting_opinions", ["case_id"])
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_code", _string(2), nullable=False),
        sa.Column("code", _string(40), nullable=False),
        sa.Column("name", _string(200), nullable=False),
        sa.ForeignKeyConstraint(["province_code"], ["provinces.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("province_code", "code"),
    )
    op.create_index("ix_departments_province_code", "departments", ["province_code"])
    op.create_table(
        "department_members",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("department_id", "user_id"),
    )
    op.create_table(
        "forwardings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("commune_code", _string(5), nullable=True),
        sa.Column("province_code", _string(2), nullable=False),
        sa.Column("target_kind", _string(12), nullable=False),
        sa.Column("target_commune_code", _string(5), nullable=True),
        sa.Column("target_department_id", sa.Integer(), nullable=True),
        sa.Column("target_province_code", _string(2), nullable=False),
        sa.Column("note", _string(), nullable=False),
        sa.Column("escalation", sa.Boolean(), nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("state", _string(10), nullable=False),
        sa.Column("forwarded_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("answer_text", _string(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["group_id"], ["issue_groups.id"]),
        sa.ForeignKeyConstraint(["commune_code"], ["communes.code"]),
        sa.ForeignKeyConstraint(["province_code"], ["provinces.code"]),
        sa.ForeignKeyConstraint(["target_commune_code"], ["communes.code"]),
        sa.ForeignKeyConstraint(["target_department_id"], ["departments.id"]),
        sa.ForeignKeyConstraint(["target_province_code"], ["provinces.code"]),
        sa.ForeignKeyConstraint(["forwarded_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["answered_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in (
        "case_id",
        "group_id",
        "target_commune_code",
        "target_department_id",
        "target_province_code",
        "forwarded_by",
    ):
        op.create_index(f"ix_forwardings_{column}", "forwardings", [column])
    op.create_index("ix_forwardings_open_due", "forwardings", ["state", "due_at"])
    op.create_table(
        "forward_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forwarding_id", sa.Integer(), nullable=False),
        sa.Column("day", _string(10), nullable=False),
        sa.Column("kind", _string(10), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["forwarding_id"], ["forwardings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("forwarding_id", "day"),
    )
    op.create_index("ix_forward_reminders_forwarding_id", "forward_reminders", ["forwarding_id"])
    op.create_table(
        "case_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("comment", _string(), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_index("ix_case_ratings_at", "case_ratings", ["at"])


def downgrade() -> None:
    op.drop_table("case_ratings")
    op.drop_table("forward_reminders")
    op.drop_table("forwardings")
    op.drop_table("department_members")
    op.drop_table("departments")
    op.drop_table("meeting_opinions")
    op.drop_table("meetings")
