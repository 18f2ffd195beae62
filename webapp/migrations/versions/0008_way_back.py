"""The way back (docs/way-back.md): a referral's locks, the entries sealed to
the resident and to the staff key, failed tries per reference, and visits in
progress. Nothing stored before changes: a referral without a ``way_back``
row has none, and reads as it always did.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from webapp.db import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "way_back",
        sa.Column("referral_id", sa.Integer(), sa.ForeignKey("referral.id"), primary_key=True),
        sa.Column("reference", sa.String(7), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("ops", sa.Integer(), nullable=False),
        sa.Column("mem", sa.Integer(), nullable=False),
        sa.Column("lock", sa.LargeBinary(), nullable=False),
        sa.Column("pressure_lock", sa.LargeBinary(), nullable=False),
        sa.Column("write_here", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "way_back_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "referral_id", sa.Integer(), sa.ForeignKey("referral.id"), nullable=False, index=True
        ),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("by_resident", sa.Boolean(), nullable=False),
        sa.Column("for_resident", sa.LargeBinary(), nullable=True),
        sa.Column("for_staff", sa.LargeBinary(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True, index=True),
        sa.Column("dealt_at", UTCDateTime(), nullable=True),
        sa.Column("dealt_by", sa.Integer(), sa.ForeignKey("staff_user.id"), nullable=True),
    )
    op.create_table(
        "way_back_try",
        sa.Column("reference", sa.String(7), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("shut_until", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "return_visit",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("referral_id", sa.Integer(), sa.ForeignKey("referral.id"), nullable=False),
        sa.Column("locked", sa.LargeBinary(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("state", sa.LargeBinary(), nullable=True),
    )


def downgrade():
    op.drop_table("return_visit")
    op.drop_table("way_back_try")
    op.drop_table("way_back_entry")
    op.drop_table("way_back")
