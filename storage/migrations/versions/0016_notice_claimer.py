"""notices and summaries name the process that claimed them: a dead one's are taken over

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("weekly_summaries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("weekly_summaries", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
