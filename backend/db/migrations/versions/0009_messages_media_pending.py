"""messages.media_pending: the work list of fetch_media

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 04:30:00

fetch_media found pending image downloads by scanning the newest 5,000 messages, so an image
that arrived in a busier stretch was never fetched (its CDN link then expires). A message now
says when it has an image link to download, under a partial index; inbound messages with
attachments are marked for one look by the job, which clears what is not pending.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(
            sa.Column("media_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE messages SET media_pending = true"
        " WHERE direction = 'in' AND attachments IS NOT NULL"
    )
    op.create_index(
        "ix_messages_media_pending",
        "messages",
        ["id"],
        postgresql_where=sa.text("media_pending"),
        sqlite_where=sa.text("media_pending"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_media_pending", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("media_pending")
