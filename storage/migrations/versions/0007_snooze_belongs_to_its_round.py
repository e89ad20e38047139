"""snooze belongs to its round; absence

"Später erinnern" names the round it was pressed in, so that it does not carry over into
the next one; existing snoozes are dropped (the next reminder comes as planned). A contact
can be absent until a day: no reminders until then.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE contacts SET snoozed_until = NULL")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snoozed_round_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("absent_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("absent_until")
        batch_op.drop_column("snoozed_round_id")
