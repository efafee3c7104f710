"""send slots: the Bot API budget that replicas on one database share

Revision ID: 0005_send_slots
Revises: 0004_clubs
Create Date: 2026-12-03 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_send_slots"
down_revision: str | None = "0004_clubs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_slots",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("freed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_send_slots_scope_taken", "send_slots", ["scope", "taken_at"])


def downgrade() -> None:
    op.drop_index("ix_send_slots_scope_taken", table_name="send_slots")
    op.drop_table("send_slots")
