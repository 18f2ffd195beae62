"""Who a referral is assigned to.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("assigned_to", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_referral_assigned_to", "staff_user", ["assigned_to"], ["id"])
        batch.create_index("ix_referral_assigned_to", ["assigned_to"])


def downgrade():
    with op.batch_alter_table("referral") as batch:
        batch.drop_index("ix_referral_assigned_to")
        batch.drop_constraint("fk_referral_assigned_to", type_="foreignkey")
        batch.drop_column("assigned_to")
