"""Casework and what feeds on it: contact attempts, sealed notes, closing a
referral, the notification outbox, API tokens, and the anonymous facts kept
after a referral is purged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from webapp.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("first_contact_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(24), nullable=True))
    op.create_table(
        "contact_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "referral_id",
            sa.Integer(),
            sa.ForeignKey("referral.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("officer_id", sa.Integer(), sa.ForeignKey("staff_user.id"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("override", sa.String(32), nullable=False, server_default=""),
        sa.Column("sealed_reason", sa.LargeBinary(), nullable=True),
    )
    op.create_index("ix_contact_attempt_referral_id", "contact_attempt", ["referral_id"])
    op.create_table(
        "referral_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "referral_id",
            sa.Integer(),
            sa.ForeignKey("referral.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("officer_id", sa.Integer(), sa.ForeignKey("staff_user.id"), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_referral_note_referral_id", "referral_note", ["referral_id"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(7), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_try_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=False, server_default=""),
        sa.UniqueConstraint("channel", "event", "reference", name="uq_notification_once"),
    )
    op.create_index("ix_notification_pending", "notification", ["sent_at", "next_try_at"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "referral_fact",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("contactable", sa.Boolean(), nullable=False),
        sa.Column("contacted_within_promise", sa.Boolean(), nullable=False),
        sa.Column("minutes_to_first_contact", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(24), nullable=True),
    )


def downgrade():
    op.drop_table("referral_fact")
    op.drop_table("api_token")
    op.drop_index("ix_notification_pending", "notification")
    op.drop_table("notification")
    op.drop_index("ix_referral_note_referral_id", "referral_note")
    op.drop_table("referral_note")
    op.drop_index("ix_contact_attempt_referral_id", "contact_attempt")
    op.drop_table("contact_attempt")
    with op.batch_alter_table("referral") as batch:
        batch.drop_column("outcome")
        batch.drop_column("closed_at")
        batch.drop_column("first_contact_at")
