"""paused drafts, and the answer being changed

A draft paused with /abbrechen (or "Später") takes no free text as an answer until the
person resumes it; existing drafts start unpaused. ``editing`` names the question a
person chose to answer again, which keeps its answer until a new one is given.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("editing", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("editing")
        batch_op.drop_column("paused_at")
