"""held updates: each webhook update's body and the moment its replica's hold on it lapses, so
an update a killed replica had answered but not handled is handled by another

Revision ID: 0007_held_updates
Revises: 0006_received_updates
Create Date: 2026-12-03 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_held_updates"
down_revision: str | None = "0006_received_updates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNHANDLED = "handled_at IS NULL"


def upgrade() -> None:
    op.add_column("received_updates", sa.Column("payload", sa.Text(), nullable=True))
    op.add_column(
        "received_updates", sa.Column("held_until", sa.DateTime(timezone=True), nullable=True)
    )
    # only the few updates in flight: what a sweep for lapsed holds reads
    op.create_index(
        "ix_received_updates_unhandled",
        "received_updates",
        ["held_until"],
        sqlite_where=sa.text(UNHANDLED),
        postgresql_where=sa.text(UNHANDLED),
    )


def downgrade() -> None:
    op.drop_index("ix_received_updates_unhandled", table_name="received_updates")
    with op.batch_alter_table("received_updates") as batch:
        batch.drop_column("held_until")
        batch.drop_column("payload")
