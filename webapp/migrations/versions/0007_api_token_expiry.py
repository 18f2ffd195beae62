"""API tokens expire, and may read only open referrals: ``expires_at`` and
``scope`` on ``api_token``. Tokens made before this migration expire 90 days
after it runs (docs/deploy.md says so), and keep reading every referral.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from webapp.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

EXISTING_TOKENS_LAST = timedelta(days=90)


def upgrade():
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("scope", sa.String(16), nullable=False, server_default="all"))
    token = sa.table("api_token", sa.column("expires_at", UTCDateTime()))
    op.execute(
        token.update()
        .where(token.c.expires_at.is_(None))
        .values(expires_at=datetime.now(UTC) + EXISTING_TOKENS_LAST)
    )
    with op.batch_alter_table("api_token") as batch:
        batch.alter_column("expires_at", existing_type=UTCDateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("scope")
        batch.drop_column("expires_at")
