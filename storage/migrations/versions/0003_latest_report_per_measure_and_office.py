"""latest report per measure and office

The current-state views read one row per measure and office instead of searching the
whole history; existing reports are ranked once to fill the table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


BACKFILL = """
INSERT INTO latest_reports (measure_id, office_id, report_id, round_id, submitted_at)
SELECT measure_id, office_id, id, round_id, submitted_at FROM (
    SELECT r.id, r.measure_id, r.office_id, r.round_id, r.submitted_at,
           ROW_NUMBER() OVER (
               PARTITION BY r.measure_id, r.office_id ORDER BY o.opens_on DESC, r.version DESC
           ) AS rank
    FROM reports r JOIN rounds o ON o.id = r.round_id
    WHERE r.submitted_at IS NOT NULL
) ranked
WHERE rank = 1
"""


def upgrade() -> None:
    op.create_table(
        "latest_reports",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_latest_reports_measure_id_measures")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_latest_reports_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_latest_reports_report_id_reports")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_latest_reports_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("measure_id", "office_id", name=op.f("pk_latest_reports")),
    )
    with op.batch_alter_table("latest_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_latest_reports_round_id"), ["round_id"], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("latest_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_latest_reports_round_id"))

    op.drop_table("latest_reports")
