"""an offer's decision day and its acceptance

Revision ID: 0003_offers
Revises: 0002_export
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_offers"
down_revision: str | None = "0002_export"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decide_by", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("offer_accepted_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_column("offer_accepted_at")
        batch_op.drop_column("decide_by")
