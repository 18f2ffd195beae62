"""Breach warnings for the resident's news on the way back: ``about`` on
``notification``, part of its unique constraint, so that one referral can be
warned of once per news due time. Rows stored before read the same: ``about``
is empty for them, and so for every "new", "breach" and "update" row, which
stay one per channel, event and reference.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("about", sa.String(32), nullable=False, server_default=""))
        batch.drop_constraint("uq_notification_once", type_="unique")
        batch.create_unique_constraint(
            "uq_notification_once", ["channel", "event", "reference", "about"]
        )


def downgrade():
    op.execute("DELETE FROM notification WHERE event = 'news-breach'")
    with op.batch_alter_table("notification") as batch:
        batch.drop_constraint("uq_notification_once", type_="unique")
        batch.create_unique_constraint("uq_notification_once", ["channel", "event", "reference"])
        batch.drop_column("about")
