"""received updates: the webhook's update ids, so a redelivered update is handled once and a
user's updates keep their order across replicas

Revision ID: 0006_received_updates
Revises: 0005_send_slots
Create Date: 2026-12-03 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_received_updates"
down_revision: str | None = "0005_send_slots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "received_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index("ix_received_updates_received_at", "received_updates", ["received_at"])
    op.create_index("ix_received_updates_user", "received_updates", ["user_id", "update_id"])


def downgrade() -> None:
    op.drop_index("ix_received_updates_user", table_name="received_updates")
    op.drop_index("ix_received_updates_received_at", table_name="received_updates")
    op.drop_table("received_updates")
