"""notices keep their message until delivered, so a crash mid-broadcast loses none

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_notices_delivered_at"), ["delivered_at"])
    # every notice so far was sent when it was claimed
    op.execute("UPDATE notices SET delivered_at = sent_at")


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_delivered_at"))
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("body")
        batch_op.drop_column("chat_id")
