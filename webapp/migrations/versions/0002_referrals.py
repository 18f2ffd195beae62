"""Referrals (sealed answers, due times) and drafts (answers between pages).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from webapp.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "draft",
        sa.Column("id", sa.String(43), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("locked", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_draft_updated_at", "draft", ["updated_at"])
    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(7), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("promise_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("window_end", UTCDateTime(), nullable=True),
        sa.Column("flags", sa.String(200), nullable=False, server_default=""),
        sa.Column("priority", sa.Integer(), nullable=False, server_default="2"),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("contact_method", sa.String(16), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_referral_status_due", "referral", ["status", "due_at"])


def downgrade():
    op.drop_index("ix_referral_status_due", "referral")
    op.drop_table("referral")
    op.drop_index("ix_draft_updated_at", "draft")
    op.drop_table("draft")
