"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "catalogue_info",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_catalogue_info")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum("coordinator", "contact", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_contacts_telegram_user_id")),
    )
    op.create_table(
        "fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("numeral", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fields")),
        sa.UniqueConstraint("numeral", name=op.f("uq_fields_numeral")),
    )
    op.create_table(
        "horizon_terms",
        sa.Column("term", sa.String(length=10), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_horizon_terms")),
    )
    op.create_table(
        "offices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offices")),
        sa.UniqueConstraint("name", name=op.f("uq_offices_name")),
    )
    op.create_table(
        "contact_offices",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_offices_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_contact_offices_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", "office_id", name=op.f("pk_contact_offices")),
    )
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["field_id"], ["fields.id"], name=op.f("fk_goals_field_id_fields")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("code", name=op.f("uq_goals_code")),
    )
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goals_field_id"), ["field_id"], unique=False)

    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum("coordinator", "contact", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["contacts.id"],
            name=op.f("fk_invitations_created_by_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_invitations_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"],
            ["contacts.id"],
            name=op.f("fk_invitations_used_by_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["contacts.id"],
            name=op.f("fk_rounds_opened_by_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("opens_on", name=op.f("uq_rounds_opens_on")),
    )
    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], name=op.f("fk_measures_goal_id_goals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
        sa.UniqueConstraint("code", name=op.f("uq_measures_code")),
    )
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measures_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "horizon_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.String(length=30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measures.id"],
            name=op.f("fk_horizon_targets_measure_id_measures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_horizon_targets")),
        sa.UniqueConstraint("measure_id", "terms", name=op.f("uq_horizon_targets_measure_id")),
    )
    op.create_table(
        "measure_offices",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measures.id"],
            name=op.f("fk_measure_offices_measure_id_measures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_measure_offices_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("measure_id", "office_id", name=op.f("pk_measure_offices")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("indicator_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["contacts.id"],
            name=op.f("fk_reports_author_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_reports_measure_id_measures")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_reports_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_reports_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "round_id", "measure_id", "office_id", "version", name=op.f("uq_reports_round_id")
        ),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_office_id"), ["office_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_round_id"), ["round_id"], unique=False)

    op.create_table(
        "target_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("horizon_target_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "achieved",
                "on_track",
                "delayed",
                "at_risk",
                "not_started",
                "dropped",
                name="status",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("carried_over", sa.Boolean(), nullable=False),
        sa.Column("progress_note", sa.Text(), nullable=True),
        sa.Column(
            "obstacle",
            sa.Enum(
                "staff",
                "funding",
                "legal",
                "cooperation",
                "data",
                "other",
                name="obstacle",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("support_requested", sa.Boolean(), nullable=True),
        sa.Column("support_note", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["horizon_target_id"],
            ["horizon_targets.id"],
            name=op.f("fk_target_answers_horizon_target_id_horizon_targets"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_target_answers_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_answers")),
        sa.UniqueConstraint(
            "report_id", "horizon_target_id", name=op.f("uq_target_answers_report_id")
        ),
    )
    with op.batch_alter_table("target_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_target_answers_horizon_target_id"), ["horizon_target_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("target_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_target_answers_horizon_target_id"))

    op.drop_table("target_answers")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_round_id"))
        batch_op.drop_index(batch_op.f("ix_reports_office_id"))
        batch_op.drop_index(batch_op.f("ix_reports_measure_id"))

    op.drop_table("reports")
    op.drop_table("measure_offices")
    op.drop_table("horizon_targets")
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measures_goal_id"))

    op.drop_table("measures")
    op.drop_table("rounds")
    op.drop_table("invitations")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goals_field_id"))

    op.drop_table("goals")
    op.drop_table("contact_offices")
    op.drop_table("offices")
    op.drop_table("horizon_terms")
    op.drop_table("fields")
    op.drop_table("contacts")
    op.drop_table("catalogue_info")
