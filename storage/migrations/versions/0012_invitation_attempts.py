"""failed invitation attempts, to slow down guessing invitation links

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitation_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_attempts")),
    )
    with op.batch_alter_table("invitation_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitation_attempts_telegram_user_id"), ["telegram_user_id"]
        )
        batch_op.create_index(batch_op.f("ix_invitation_attempts_attempted_at"), ["attempted_at"])


def downgrade() -> None:
    with op.batch_alter_table("invitation_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_attempts_attempted_at"))
        batch_op.drop_index(batch_op.f("ix_invitation_attempts_telegram_user_id"))
    op.drop_table("invitation_attempts")
