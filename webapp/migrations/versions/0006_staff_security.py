"""Staff access that holds when something leaks: sessions kept on the server,
failed sign-ins counted per account and client, room for sealed one-time-code
seeds and salted recovery codes, and a keyed audit chain whose head carries
its count and a MAC.

Nothing is rewritten here: the seeds are sealed by ``flask staff seal-seeds``
and old recovery codes stop working until ``flask staff recovery-codes`` gives
new ones (both need the staff secret, which the database never holds; see
docs/deploy.md).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from webapp.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_session",
        sa.Column("id", sa.String(64), primary_key=True),  # SHA-256 of the cookie's id
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("staff_user.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "staff_sign_in_failure",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("staff_user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("client", sa.String(32), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
    )
    with op.batch_alter_table("staff_user") as batch:
        batch.alter_column("totp_secret", type_=sa.String(255), existing_type=sa.String(64))
    with op.batch_alter_table("staff_recovery_code") as batch:
        batch.alter_column("code_hash", type_=sa.String(255), existing_type=sa.String(64))
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(
            sa.Column("keyed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("mac", sa.String(64), nullable=True))


def downgrade():
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("mac")
        batch.drop_column("count")
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("keyed")
    with op.batch_alter_table("staff_recovery_code") as batch:
        batch.alter_column("code_hash", type_=sa.String(64), existing_type=sa.String(255))
    with op.batch_alter_table("staff_user") as batch:
        batch.alter_column("totp_secret", type_=sa.String(64), existing_type=sa.String(255))
    op.drop_table("staff_sign_in_failure")
    op.drop_table("staff_session")
