"""revision counter for incremental views

Each submission bumps revisions["reports"] and stamps its latest_reports row, so a
cached view refreshes only the measures that changed; existing rows start at 0.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revisions",
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_revisions")),
    )
    op.execute("INSERT INTO revisions (name, value) VALUES ('reports', 0)")
    with op.batch_alter_table("latest_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.create_index(batch_op.f("ix_latest_reports_revision"), ["revision"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("latest_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_latest_reports_revision"))
        batch_op.drop_column("revision")

    op.drop_table("revisions")
