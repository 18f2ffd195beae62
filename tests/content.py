"""Content in tests, as residents get it: from what is published in the
app's database (webapp/content/published.py), not from files.

``publish(app)`` makes what the database publishes exactly the files of a
folder (by default the app's content folder), as the staff site or ``flask
content import`` would leave it: a test writes a file, publishes, and the
site shows it without a restart.
It checks nothing, on purpose: a broken or hostile file is published as a
database changed behind the site's back could hold it, and the site must
still leave it out (the staff side and the import refuse such a text:
tests/integration/test_content_files.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import db
from webapp.content.library import KINDS
from webapp.content.models import ContentVersion
from webapp.staff.publishing import move_serial


def migrate(app) -> None:
    """Bring the app's database to the newest migration: on the first
    upgrade, the app's content folder is loaded as published versions."""
    db.upgrade(app.extensions["db_engine"])


def published_version(kind, slug, lang, text, who, at, old=None) -> ContentVersion:
    """A published version, written straight into the database: no check."""
    return ContentVersion(
        kind=kind,
        slug=slug,
        lang=lang,
        text=text,
        state="published",
        authors=who,
        created_at=at,
        updated_at=at,
        submitted_at=at,
        approver=who,
        approved_at=at,
        based_on=old.id if old else None,
    )


def publish_rows(app, rows, who: str = "test") -> None:
    """Add published versions ``(kind, slug, lang, text)`` behind the site's
    back, whatever they hold, and move the serial."""
    at = datetime.now(UTC)
    with Session(app.extensions["db_engine"]) as session:
        move_serial(session)
        for kind, slug, lang, text in rows:
            session.add(published_version(kind, slug, lang, text, who, at))
        session.commit()


def publish(app, root: Path | None = None, who: str = "test") -> int:
    """Publish the files under ``root`` (the app's content folder by
    default) in the app's database, migrating it first; a file gone is
    unpublished. Moves the serial when anything changed, as every
    publication does. The number of versions published or taken down."""
    migrate(app)
    root = Path(root or app.extensions["content_files"].root)
    files = {}
    for kind in KINDS:
        for path in sorted((root / kind).glob("*.md")):
            slug, _, rest = path.name.partition(".")
            lang = rest.removesuffix(".md")
            text = path.read_bytes().decode("utf-8", errors="replace")
            files[(kind, slug, lang)] = text.replace("\r\n", "\n").lstrip("\ufeff")
    at = datetime.now(UTC)
    changed = 0
    with Session(app.extensions["db_engine"]) as session:
        move_serial(session)
        current = {
            (v.kind, v.slug, v.lang): v
            for v in session.scalars(select(ContentVersion).filter_by(state="published"))
        }
        for key, version in current.items():
            if files.get(key) != version.text:
                gone = key not in files
                version.state = "unpublished" if gone else "replaced"
                version.ended_at, version.ended_by = at, who
                changed += gone
        session.flush()
        for (kind, slug, lang), text in files.items():
            old = current.get((kind, slug, lang))
            if old is not None and old.text == text:
                continue
            session.add(published_version(kind, slug, lang, text, who, at, old))
            changed += 1
        if changed:
            session.commit()
        else:
            session.rollback()  # the serial stays where it was
    app.extensions["content"].forget()  # this instance sees it at once
    return changed
