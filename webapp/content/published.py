"""What residents see: the published versions in the database, shared by
every instance (docs/content.md).

Each worker keeps the documents it parsed and asks the database for the
content serial at most once every ``interval`` seconds; only when the serial
has moved does it read the published versions again (and parse only those it
has not parsed before). The serial is the content version the page caches
are keyed by (``webapp/pages.py``), so an approval reaches every instance's
pages within about a second, with no restart. A public instance's database
user reads only the view of published versions and the serial
(``flask db grant-public``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, inspect, text

from webapp.content.library import KINDS, ContentError, Document, Questions, Snapshot, parse_text

log = logging.getLogger(__name__)

SERIAL = text("SELECT value FROM content_serial WHERE id = 1")
PUBLISHED = text("SELECT id, kind, slug, lang, text FROM published_content")


class Published(Questions):
    """The published documents, as the database holds them."""

    def __init__(
        self, engine: Engine, interval: float = 1.0, clock: Callable[[], float] = time.monotonic
    ):
        self.engine, self.interval, self.clock = engine, interval, clock
        # By version id, with the text it was parsed from: a published row
        # changed in place (behind the site's back) is read again.
        self._parsed: dict[int, tuple[str, Document | ContentError]] = {}
        self._snapshot: Snapshot | None = None
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """The documents as of the latest serial seen. Raises when the
        database cannot be read and nothing was read before (the callers
        leave the content out, or answer with an error page)."""
        now = self.clock()
        if self._checked_at is None or now - self._checked_at >= self.interval:
            with self._lock:
                if self._checked_at is None or now - self._checked_at >= self.interval:
                    try:
                        self._refresh()
                    except Exception:
                        never_read = self._snapshot is None or self._snapshot.version == 0
                        if never_read and self._no_content_tables():
                            # Not migrated yet: nothing is published (the
                            # journeys say loudly that the schema is missing).
                            if self._snapshot is None:
                                log.info("no content in the database yet: flask db upgrade")
                            self._snapshot = Snapshot({}, {}, 0)
                        elif self._snapshot is None:
                            raise
                        else:
                            # Keep showing what was read; try again in a second.
                            log.exception("content could not be read from the database")
                    self._checked_at = now
        return self._snapshot

    def _no_content_tables(self) -> bool:
        try:
            return not inspect(self.engine).has_table("content_serial")
        except Exception:  # the database does not answer at all
            return False

    def forget(self) -> None:
        """Look at the serial again on the next question (tests, commands)."""
        self._checked_at = None

    def _refresh(self) -> None:
        with self.engine.connect() as connection:
            serial = connection.scalar(SERIAL)
            if self._snapshot is not None and serial == self._snapshot.version:
                return
            rows = connection.execute(PUBLISHED).all()
        parsed: dict[int, tuple[str, Document | ContentError]] = {}
        for row in rows:
            if row.kind not in KINDS:
                continue
            kept = self._parsed.get(row.id)
            parsed[row.id] = kept if kept and kept[0] == row.text else (row.text, read(row))
        self._parsed = parsed
        documents, problems = {}, {}
        for _text, found in parsed.values():
            if isinstance(found, ContentError):
                problems[found.path] = found
            else:
                documents[(found.kind, found.slug, found.lang)] = found
        self._snapshot = Snapshot(documents, problems, serial or 0)


def read(row) -> Document | ContentError:
    """A published version as a document; one that cannot be read is left
    out and logged by name, never by content (approval refuses a broken
    draft, but the database can be changed behind the site's back)."""
    name = f"{row.slug}.{row.lang}.md"
    try:
        return parse_text(name, row.text, row.kind)
    except ContentError as problem:
        reason = problem
    except Exception as problem:
        reason = ContentError(1, f"cannot be read ({type(problem).__name__})")
    # On one line: a reason can quote a few characters of the text.
    log.error("published %s %s left out: %s", row.kind, name, " ".join(str(reason).split()))
    reason.path = f"{row.kind}/{name}"
    return reason
