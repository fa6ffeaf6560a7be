"""web push subscriptions, campaigns and follow-ups

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _utc(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, backend.db.types.UtcDateTime(timezone=True), nullable=nullable)


def _text(name: str, length: int | None, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("endpoint", 1000),
        _text("p256dh", 120),
        _text("auth", 40),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("communes", JSON, nullable=True),
        sa.Column("topics", JSON, nullable=True),
        _utc("created_at", nullable=False),
        _utc("last_success_at"),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("endpoint"),
    )
    op.create_index("ix_push_subscriptions_user_id", "push_subscriptions", ["user_id"])
    op.create_index("ix_push_subscriptions_case_id", "push_subscriptions", ["case_id"])
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("title", 120),
        _text("body", 1000),
        _text("url", 500, nullable=True),
        sa.Column("communes", JSON, nullable=True),
        sa.Column("roles", JSON, nullable=True),
        sa.Column("topics", JSON, nullable=True),
        _text("province_code", 2, nullable=True),
        _utc("send_at"),
        sa.Column("repeat_days", sa.Integer(), nullable=True),
        _utc("repeat_until"),
        _text("quiet_start", 5, nullable=True),
        _text("quiet_end", 5, nullable=True),
        _text("state", 10),
        _utc("next_run_at"),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        _utc("created_at", nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_campaigns_created_by", "campaigns", ["created_by"])
    op.create_index("ix_campaigns_due", "campaigns", ["state", "next_run_at"])
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _text("note", 500),
        _utc("due_at", nullable=False),
        _text("tracking_code", 16, nullable=True),
        _text("state", 10),
        _utc("created_at", nullable=False),
        _utc("sent_at"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_follow_ups_user_id", "follow_ups", ["user_id"])
    op.create_index("ix_follow_ups_due", "follow_ups", ["state", "due_at"])
    # A push is a delivery without a message: the subscription and the notice take its place.
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("message_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("subscription_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("notice", JSON, nullable=True))
        batch_op.add_column(sa.Column("push_ttl", sa.Integer(), nullable=True))
        batch_op.add_column(_text("push_urgency", 10, nullable=True))
        batch_op.create_foreign_key(
            "fk_deliveries_subscription_id",
            "push_subscriptions",
            ["subscription_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            "fk_deliveries_campaign_id", "campaigns", ["campaign_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_deliveries_follow_up_id",
            "follow_ups",
            ["follow_up_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_deliveries_campaign_id", ["campaign_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM deliveries WHERE message_id IS NULL OR case_id IS NULL")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_campaign_id")
        batch_op.drop_constraint("fk_deliveries_follow_up_id", type_="foreignkey")
        batch_op.drop_constraint("fk_deliveries_campaign_id", type_="foreignkey")
        batch_op.drop_constraint("fk_deliveries_subscription_id", type_="foreignkey")
        batch_op.drop_column("push_urgency")
        batch_op.drop_column("push_ttl")
        batch_op.drop_column("notice")
        batch_op.drop_column("follow_up_id")
        batch_op.drop_column("campaign_id")
        batch_op.drop_column("subscription_id")
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("message_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_follow_ups_due", table_name="follow_ups")
    op.drop_index("ix_follow_ups_user_id", table_name="follow_ups")
    op.drop_table("follow_ups")
    op.drop_index("ix_campaigns_due", table_name="campaigns")
    op.drop_index("ix_campaigns_created_by", table_name="campaigns")
    op.drop_table("campaigns")
    op.drop_index("ix_push_subscriptions_case_id", table_name="push_subscriptions")
    op.drop_index("ix_push_subscriptions_user_id", table_name="push_subscriptions")
    op.drop_table("push_subscriptions")
