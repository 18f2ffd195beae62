"""Pages, campaigns and local services kept in the database, shared by every
instance (docs/content.md): each version of one language of one document in
``content_version``, its text exactly as a ``SLUG.LANG.md`` file holds it;
``published_content``, the view of what is published, which is all a public
instance's database user may read of them; ``content_serial``, moved on by
every publication, which each worker looks at (at most once a second) to
learn that its pages are out of date.

On first start the files in the content folder (the shipped ones, or
``QD_CONTENT_DIR``) are loaded as published versions, as written "by files".
Nothing stored before changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# As webapp/content/library.py names files; kept here so that this migration
# reads the same files whatever later code does.
NAME = re.compile(r"(?P<slug>[a-z0-9][a-z0-9-]{2,79})\.(?P<lang>[a-z]{2,3})\.md")
KINDS = ("pages", "campaigns", "services")
SHIPPED = Path(__file__).resolve().parents[3] / "content"


def upgrade():
    version = op.create_table(
        "content_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("authors", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("approver", sa.String(254)),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("ended_by", sa.String(254)),
        sa.Column("based_on", sa.Integer, sa.ForeignKey("content_version.id")),
    )
    op.create_index("ix_content_version_document", "content_version", ["kind", "slug", "lang"])
    # At most one published version of a language of a document, and at most
    # one draft (being written or waiting for approval): two people editing
    # at once work on the same draft, and two approvals cannot both publish.
    op.create_index(
        "uq_content_published",
        "content_version",
        ["kind", "slug", "lang"],
        unique=True,
        sqlite_where=sa.text("state = 'published'"),
        postgresql_where=sa.text("state = 'published'"),
    )
    op.create_index(
        "uq_content_open",
        "content_version",
        ["kind", "slug", "lang"],
        unique=True,
        sqlite_where=sa.text("state IN ('draft', 'waiting')"),
        postgresql_where=sa.text("state IN ('draft', 'waiting')"),
    )
    serial = op.create_table(
        "content_serial",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.execute(
        "CREATE VIEW published_content AS SELECT id, kind, slug, lang, text, approved_at "
        "FROM content_version WHERE state = 'published'"
    )
    rows = shipped_rows()
    if rows:
        op.bulk_insert(version, rows)
    op.bulk_insert(serial, [{"id": 1, "value": 1}])


def shipped_rows() -> list[dict]:
    """The content folder's files, as published versions; a file that cannot
    be read as UTF-8 is left out (``flask content check`` names it)."""
    root = Path(os.environ.get("QD_CONTENT_DIR") or SHIPPED)
    context = op.get_context()
    root = Path(context.config.attributes.get("content_dir") or root) if context.config else root
    at = datetime.now(UTC)
    naive = at.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else at
    rows = []
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            match = NAME.fullmatch(path.name)
            if match is None:
                continue
            try:
                text = path.read_text(encoding="utf-8").replace("\r\n", "\n").lstrip("\ufeff")
            except (OSError, UnicodeDecodeError):
                continue
            rows.append(
                {
                    "kind": kind,
                    "slug": match["slug"],
                    "lang": match["lang"],
                    "text": text,
                    "state": "published",
                    "authors": "files",
                    "created_at": naive,
                    "updated_at": naive,
                    "submitted_at": naive,
                    "approver": "files",
                    "approved_at": naive,
                }
            )
    return rows


def downgrade():
    op.execute("DROP VIEW published_content")
    op.drop_table("content_serial")
    op.drop_index("uq_content_open", "content_version")
    op.drop_index("uq_content_published", "content_version")
    op.drop_index("ix_content_version_document", "content_version")
    op.drop_table("content_version")
