"""evidence files, and several obstacles per horizon target

Photos, documents and voice notes sent while reporting are kept as evidence of the
measure, office and round (Telegram's ids, name, type, size, who and when, and where the
downloaded copy lies). An answer may name several obstacles (``staff,other``) and a few
words for "Sonstiges"; the single obstacle of earlier answers is carried over as it was.
A draft remembers the message that asks its current question, to collapse it when the
answer is typed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_id", sa.String(length=200), nullable=False),
        sa.Column("file_unique_id", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_path", sa.String(length=500), nullable=True),
        sa.Column("copy_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_evidence_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_evidence_measure_id_measures")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_evidence_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_evidence_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_evidence_round_id_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )  # fmt: skip
    for column in ("report_id", "round_id", "measure_id", "office_id"):
        op.create_index(op.f(f"ix_evidence_{column}"), "evidence", [column], unique=False)

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_message_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("target_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("obstacles", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("obstacle_note", sa.Text(), nullable=True))
    op.execute("UPDATE target_answers SET obstacles = obstacle WHERE obstacle IS NOT NULL")
    with op.batch_alter_table("target_answers", schema=None) as batch_op:
        batch_op.drop_column("obstacle")


def downgrade() -> None:
    with op.batch_alter_table("target_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("obstacle", sa.String(length=20), nullable=True))
    # one obstacle per answer before 0008: the first one named is kept
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, obstacles FROM target_answers WHERE obstacles <> ''")
    ).all()
    for answer_id, obstacles in rows:
        bind.execute(
            sa.text("UPDATE target_answers SET obstacle = :first WHERE id = :id"),
            {"first": obstacles.split(",")[0], "id": answer_id},
        )
    with op.batch_alter_table("target_answers", schema=None) as batch_op:
        batch_op.drop_column("obstacle_note")
        batch_op.drop_column("obstacles")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("question_message_id")
    for column in ("report_id", "round_id", "measure_id", "office_id"):
        op.drop_index(op.f(f"ix_evidence_{column}"), table_name="evidence")
    op.drop_table("evidence")
