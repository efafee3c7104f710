"""job clubs: schedule, posts, reports, leads, buddies

Revision ID: 0004_clubs
Revises: 0003_offers
Create Date: 2026-12-02 17:37:08.635266
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_clubs"
down_revision: str | None = "0003_offers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "club_leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("club_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("link", sa.String(length=2048), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["club_id"], ["clubs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("club_leads", schema=None) as batch_op:
        batch_op.create_index("ix_club_leads_club_when", ["club_id", "created_at"], unique=False)

    op.create_table(
        "club_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("club_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text", sa.String(length=8192), nullable=False),
        sa.Column("markup", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["club_id"], ["clubs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("club_id", "chat_id", "kind", "key"),
    )
    with op.batch_alter_table("club_posts", schema=None) as batch_op:
        batch_op.create_index("ix_club_posts_message", ["club_id", "message_id"], unique=False)
        batch_op.create_index("ix_club_posts_pending", ["state", "due_at"], unique=False)

    op.create_table(
        "club_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["club_posts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "user_id"),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_applications_user_lead", ["user_id", "lead_id"])
        batch_op.create_foreign_key(
            "fk_applications_lead", "club_leads", ["lead_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("club_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("celebrate", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("wants_buddy", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("buddy_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("goal_set_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("goal_reminded_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_club_members_user", ["user_id"], unique=False)
        # the weekly goal is the user's own (users.weekly_goal), the same in every club
        batch_op.drop_column("weekly_goal")

    with op.batch_alter_table("clubs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("buddies", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("thread_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("added_by", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("next_checkin_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_checkin_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_clubs_next_checkin", ["active", "next_checkin_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("clubs", schema=None) as batch_op:
        batch_op.drop_index("ix_clubs_next_checkin")
        batch_op.drop_column("last_checkin_at")
        batch_op.drop_column("next_checkin_at")
        batch_op.drop_column("added_by")
        batch_op.drop_column("thread_id")
        batch_op.drop_column("buddies")

    with op.batch_alter_table("club_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weekly_goal", sa.INTEGER(), nullable=True))
        batch_op.drop_index("ix_club_members_user")
        batch_op.drop_column("goal_reminded_at")
        batch_op.drop_column("goal_set_at")
        batch_op.drop_column("buddy_id")
        batch_op.drop_column("wants_buddy")
        batch_op.drop_column("celebrate")

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_constraint("fk_applications_lead", type_="foreignkey")
        batch_op.drop_constraint("uq_applications_user_lead", type_="unique")
        batch_op.drop_column("lead_id")

    op.drop_table("club_reports")
    with op.batch_alter_table("club_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_club_posts_pending")
        batch_op.drop_index("ix_club_posts_message")

    op.drop_table("club_posts")
    with op.batch_alter_table("club_leads", schema=None) as batch_op:
        batch_op.drop_index("ix_club_leads_club_when")

    op.drop_table("club_leads")
