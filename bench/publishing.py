"""Publishing content through the database (docs/content.md): how long a
publication takes to reach another instance, and what the serial check and
a cold start cost.

Two apps on one SQLite database stand for two instances (each its own
engine, its own library and page caches), in-process through Flask's test
client (the server's own work, no network). Prints:

- the time for a published change to reach the second instance, which
  asks for the serial at most once a second (so up to about 1 s; five
  changes, the median and the worst),
- the cost of the serial check on a request: a content page served whole
  with the check skipped (within the second), and with the serial read on
  every request (its query alone, and whole requests),
- the time to import the shipped content/ folder into an empty database
  (``content import``: check, then publish every file, each audited),
- a content page rendered from a cold snapshot: a new instance's first
  request, which reads and parses every published version,
- what the approval page's diff costs (``rules.line_diff`` then
  ``rules.marked_diff``) for the largest text the editor takes (100,000
  characters): one digit changed in one long line, every word of one long
  line changed, every paragraph rewritten, and every line changed (the
  worst cases for comparing lines, and for marking words).

    .venv/bin/python bench/publishing.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp import create_app, db  # noqa: E402
from webapp.content import CONTENT_DIR  # noqa: E402
from webapp.rules import publishing as rules  # noqa: E402
from webapp.staff import publishing  # noqa: E402

PAGE = "/clares-law"


def make(folder: str, name: str, content: Path | None = None):
    config = {
        "INSTANCE_PATH": f"{folder}/{name}",
        "SECRET_KEY": "bench-" + "x" * 32,
        "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
        "RATELIMIT_ENABLED": False,
    }
    if content is not None:
        config["CONTENT_DIR"] = str(content)
    return create_app(config)


def milliseconds(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def import_shipped(folder: str) -> float:
    """An empty content folder first (the migration loads nothing), then
    the shipped one imported; ms."""
    empty = Path(folder, "empty")
    empty.mkdir()
    app = make(folder, "importer", empty)
    db.upgrade(app.extensions["db_engine"])
    site = app.config["SITE"]
    with app.app_context():
        session = db.session()
        started = time.perf_counter()
        errors, versions = publishing.import_folder(
            session,
            CONTENT_DIR,
            "bench",
            datetime.now(UTC),
            site.languages,
            datetime.now(UTC).date(),
            site.areas,
        )
        session.commit()
        took = milliseconds(started)
    assert not errors, errors
    print(
        f"import of the shipped content/ ({len(versions)} files) into an empty database: "
        f"{took:.0f} ms"
    )
    app.extensions["db_engine"].dispose()
    return took


def cold_page(folder: str) -> None:
    app = make(folder, "cold")
    client = app.test_client()
    started = time.perf_counter()
    response = client.get(PAGE)
    took = milliseconds(started)
    assert response.status_code == 200
    versions = len(app.extensions["content"].snapshot().documents)
    print(
        f"a content page from a cold snapshot ({versions} published versions read and "
        f"parsed): {took:.0f} ms"
    )


def serial_check(folder: str) -> None:
    app = make(folder, "serial")
    client = app.test_client()
    client.get(PAGE)
    library = app.extensions["content"]
    times = []
    for _ in range(2000):
        library.forget()
        started = time.perf_counter()
        library.snapshot()
        times.append(milliseconds(started))
    print(
        f"the serial check itself (one SELECT, serial unchanged): median "
        f"{statistics.median(times) * 1000:.0f} µs"
    )
    for label, interval in (
        ("within the second (no check)", 1.0),
        ("with the serial read on every request", 0.0),
    ):
        library.interval = interval
        times = []
        for _ in range(1000):
            started = time.perf_counter()
            client.get(PAGE)
            times.append(milliseconds(started))
        print(
            f"a content page served whole, {label}: median {statistics.median(times) * 1000:.0f} µs"
        )


def reach(folder: str) -> None:
    staff, public = make(folder, "staff"), make(folder, "public")
    reader = public.test_client()
    reader.get(PAGE)
    site = staff.config["SITE"]
    waits = []
    for number in range(5):
        time.sleep(0.37 * number % 1)  # publish at different points of the reader's second
        text = None
        with staff.app_context():
            session = db.session()
            text = publishing.published(session, "pages", "clares-law", "en").text
            text += f"\nChange {number}.\n"
            at = datetime.now(UTC)
            draft = publishing.save_draft(
                session, "pages", "clares-law", "en", text, "amira@example.org", at
            )
            publishing.submit(session, draft, "amira@example.org", at)
            checked = publishing.check(
                session, "pages", "clares-law", "en", text, site.languages, at.date()
            )
            publishing.approve(session, draft.id, "bea@example.org", at, True, checked)
            session.commit()
        started = time.perf_counter()
        while f"Change {number}." not in reader.get(PAGE).get_data(as_text=True):
            time.sleep(0.005)
        waits.append(milliseconds(started))
    print(
        f"an approved change seen by a second instance after: median "
        f"{statistics.median(waits):.0f} ms, worst {max(waits):.0f} ms (5 changes)"
    )


def diff_cost() -> None:
    """The approval page's diff, worst cases at the editor's size limit."""
    words = ["call", "the", "team", "on", "0800", "for", "help", "any", "day", "safe"]

    def text(count: int, shift: int = 0) -> str:
        return " ".join(words[(n * 7 + shift * (n % 2)) % len(words)] for n in range(count))

    line = text(15_000)[:99_000]
    cases = {
        "one digit changed in a 99,000-character line": (line + " 0800 1", line + " 0800 2"),
        "every other word of a 99,000-character line changed": (line, text(15_000, 3)[:99_000]),
        "1,100 paragraphs rewritten, empty lines between": (
            "\n\n".join(f"Paragraph {n} of the old text, which says so." for n in range(1_100)),
            "\n\n".join(f"Paragraph {n} of the new text, rewritten." for n in range(1_100)),
        ),
        "one-letter lines between empty lines, all changed": ("x\n\n" * 21_000, "y\n\n" * 21_000),
        "all 1,600 lines of 60 characters changed": (
            "\n".join(text(10) for _ in range(1_600)),
            "\n".join(text(10, 1) for _ in range(1_600)),
        ),
    }
    for name, (old, new) in cases.items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            rules.marked_diff(rules.line_diff(old, new))
            times.append(milliseconds(started))
        print(f"approval diff, {name}: median {statistics.median(times):.0f} ms")


def main() -> None:
    diff_cost()
    with tempfile.TemporaryDirectory() as folder:
        import_shipped(folder)
        cold_page(folder)
        serial_check(folder)
        reach(folder)


if __name__ == "__main__":
    main()
