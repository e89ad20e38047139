"""support requests that stay open until a coordinator resolves them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("horizon_target_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["horizon_target_id"], ["horizon_targets.id"],
            name=op.f("fk_support_requests_horizon_target_id_horizon_targets"),
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_support_requests_measure_id_measures")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_support_requests_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_support_requests_report_id_reports")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["contacts.id"],
            name=op.f("fk_support_requests_requested_by_id_contacts"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["contacts.id"],
            name=op.f("fk_support_requests_taken_by_id_contacts"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["contacts.id"],
            name=op.f("fk_support_requests_resolved_by_id_contacts"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_requests")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_support_requests_measure_id"), "support_requests", ["measure_id"], unique=False
    )
    op.create_index(
        op.f("ix_support_requests_office_id"), "support_requests", ["office_id"], unique=False
    )
    op.create_index(
        op.f("ix_support_requests_resolved_at"), "support_requests", ["resolved_at"], unique=False
    )
    op.create_table(
        "support_messages",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["support_requests.id"],
            name=op.f("fk_support_messages_request_id_support_requests"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name=op.f("pk_support_messages")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_support_messages_request_id"), "support_messages", ["request_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_support_messages_request_id"), table_name="support_messages")
    op.drop_table("support_messages")
    for column in ("resolved_at", "office_id", "measure_id"):
        op.drop_index(op.f(f"ix_support_requests_{column}"), table_name="support_requests")
    op.drop_table("support_requests")
