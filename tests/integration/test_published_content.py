"""What residents see comes from what the database publishes
(webapp/content/published.py): each instance asks for the serial at most
once a second, and reads the published versions again only when it moved; a
change approved on one instance reaches another within that second; a
broken published row is left out, by name; a database that goes away leaves
the last content served; the page caches follow the serial."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, event, update
from sqlalchemy.orm import Session

from tests.content import publish
from webapp import clock as site_clock
from webapp import db
from webapp.content.models import ContentVersion
from webapp.staff import publishing

PAGE = (
    "---\ntitle: Clare's Law\nsummary: The right to ask.\norder: 5\n---\nYou can ask the police.\n"
)


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    for kind in ("pages", "campaigns"):
        (root / kind).mkdir(parents=True)
    (root / "pages" / "clares-law.en.md").write_text(PAGE)
    (root / "pages" / "what-we-can-do.en.md").write_text(
        "---\ntitle: What we can do\nsummary: Help.\norder: 1\n---\nWe can help.\n"
    )
    return root


class Ticks:
    """A monotonic clock for the library, moved on by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def instances(make_app, content):
    """Two instances of the site on one database, each with its own clock
    for the serial check (the interval stays one second)."""
    made = []
    for _ in range(2):
        app = make_app(CONTENT_DIR=str(content))  # the same tmp_path: the same database
        app.extensions["content"].clock = Ticks()
        made.append(app)
    return made


def queries(engine) -> list[str]:
    seen = []
    event.listen(
        engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: seen.append(statement)
    )
    return seen


def approve_edit(app, slug: str, text: str) -> None:
    """One comms officer edits a page and asks for approval; another approves."""
    site = app.config["SITE"]
    with app.app_context():
        session = db.session()
        at = site_clock.now()
        draft = publishing.save_draft(session, "pages", slug, "en", text, "amira@example.org", at)
        publishing.submit(session, draft, "amira@example.org", at)
        session.commit()
        checked = publishing.check(
            session, "pages", slug, "en", text, site.languages, site_clock.today()
        )
        publishing.approve(session, draft.id, "bea@example.org", at, True, checked)
        session.commit()


def test_the_serial_is_read_at_most_once_a_second(instances):
    app, _ = instances
    library, ticks = app.extensions["content"], app.extensions["content"].clock
    seen = queries(app.extensions["db_engine"])
    client = app.test_client()
    for _ in range(5):
        assert client.get("/clares-law").status_code == 200
    serial = [q for q in seen if "content_serial" in q]
    rows = [q for q in seen if "published_content" in q]
    assert len(serial) == 1 and len(rows) == 1  # the first request read everything
    ticks.now += 0.9
    for path in ("/", "/clares-law", "/campaigns/"):
        client.get(path)
    assert len([q for q in seen if "content_serial" in q]) == 1
    ticks.now += 0.1  # a second on
    client.get("/clares-law")
    client.get("/")
    assert len([q for q in seen if "content_serial" in q]) == 2
    assert len([q for q in seen if "published_content" in q]) == 1  # it had not moved
    assert library.snapshot().version == 1


def test_an_approval_on_one_instance_shows_on_the_other_within_the_second(instances):
    staff, public = instances
    reader, ticks = public.test_client(), public.extensions["content"].clock
    assert "ask the police" in reader.get("/clares-law").get_data(as_text=True)
    approve_edit(staff, "clares-law", PAGE.replace("ask the police", "ask us"))
    # Its own instance sees it at once; the other within the second.
    assert "ask us" in staff.test_client().get("/clares-law").get_data(as_text=True)
    ticks.now += 0.5
    assert "ask the police" in reader.get("/clares-law").get_data(as_text=True)
    ticks.now += 0.5
    assert "ask us" in reader.get("/clares-law").get_data(as_text=True)


def test_only_the_changed_version_is_parsed_again(instances, monkeypatch):
    staff, public = instances
    library = public.extensions["content"]
    first = library.snapshot()
    parsed = []
    from webapp.content import published

    real = published.read
    monkeypatch.setattr(published, "read", lambda row: parsed.append(row.slug) or real(row))
    approve_edit(staff, "clares-law", PAGE.replace("ask the police", "ask us"))
    library.clock.now += 1
    second = library.snapshot()
    assert parsed == ["clares-law"]
    assert second.version == first.version + 1
    assert (
        second.documents[("pages", "what-we-can-do", "en")]
        is first.documents[("pages", "what-we-can-do", "en")]
    )


def test_a_broken_published_row_is_left_out_by_name_and_the_rest_serve(instances, caplog):
    app, _ = instances
    client = app.test_client()
    assert client.get("/clares-law").status_code == 200
    # Someone with the database's password changes it behind the site's back.
    hostile = PAGE + "\n<script>alert('stolen')</script>\n"
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(
            update(ContentVersion).where(ContentVersion.slug == "clares-law").values(text=hostile)
        )
        publishing.move_serial(Session(bind=connection))
    caplog.set_level(logging.ERROR)
    app.extensions["content"].clock.now += 1
    assert client.get("/clares-law").status_code == 404
    assert client.get("/what-we-can-do").status_code == 200
    home = client.get("/")
    assert home.status_code == 200 and 'href="/what-we-can-do"' in home.get_data(as_text=True)
    assert "clares-law.en.md" in caplog.text and "unsafe" in caplog.text
    assert "alert" not in caplog.text and "stolen" not in caplog.text


def test_the_database_going_away_keeps_the_last_content(instances, caplog, tmp_path):
    app, _ = instances
    library = app.extensions["content"]
    client = app.test_client()
    assert "ask the police" in client.get("/clares-law").get_data(as_text=True)
    library.engine = create_engine(f"sqlite:///{tmp_path}/gone/nowhere.sqlite3")
    caplog.set_level(logging.ERROR)
    library.clock.now += 5
    for path in ("/clares-law", "/what-we-can-do"):
        assert client.get(path).status_code == 200
    assert "ask the police" in client.get("/clares-law").get_data(as_text=True)
    assert "content could not be read from the database" in caplog.text
    home = client.get("/").get_data(as_text=True)
    assert 'href="/clares-law"' in home  # the footer's pages are still there


def test_a_database_not_yet_migrated_publishes_nothing_and_says_no_error(
        make_app, caplog):
    """No content tables yet (``db upgrade`` not run): nothing is published,
    quietly; every page without content still serves, a content page is not
    found, with the quick exit; once migrated, the content is there."""
    app = make_app(migrate=False)
    caplog.set_level(logging.WARNING)
    client = app.test_client()
    home = client.get("/")
    assert home.status_code == 200 and 'href="/clares-law"' not in home.get_data(as_text=True)
    missing = client.get("/clares-law")
    assert missing.status_code == 404
    assert 'id="quick-exit"' in missing.get_data(as_text=True)
    assert caplog.text == ""
    from webapp import db

    db.upgrade(app.extensions["db_engine"])
    app.extensions["content"].forget()
    assert "ask the police" in client.get("/clares-law").get_data(as_text=True)


def test_a_new_instance_without_its_database_serves_the_rest(make_app, tmp_path, caplog):
    """Nothing read yet and no database at all: pages without content still
    serve, without the footer's pages; a content page is the error page."""
    app = make_app(migrate=False)
    app.extensions["content"].engine = create_engine(
        f"sqlite:///{tmp_path}/gone/nowhere.sqlite3")
    caplog.set_level(logging.ERROR)
    client = app.test_client()
    assert client.get("/").status_code == 200
    error = client.get("/clares-law")  # the error page, with the quick exit
    assert error.status_code in (500, 503)
    assert 'id="quick-exit"' in error.get_data(as_text=True)
    assert len(app.extensions["pages"]) == 0  # nothing kept while it cannot say


def test_the_page_caches_serve_the_new_version_once_the_serial_moves(instances):
    staff, public = instances
    ticks = public.extensions["content"].clock
    reader = public.test_client()
    runs = []
    from flask import request_started

    request_started.connect(lambda sender, **_: runs.append(1), public, weak=False)
    home = reader.get("/").get_data(as_text=True)
    page = reader.get("/clares-law").get_data(as_text=True)
    assert reader.get("/").get_data(as_text=True) == home  # kept whole: Flask not run
    assert len(runs) == 2
    approve_edit(staff, "clares-law", PAGE.replace("Clare's Law", "Ask the police"))
    assert reader.get("/").get_data(as_text=True) == home  # within the second: as it was
    ticks.now += 1
    fresh = reader.get("/").get_data(as_text=True)
    assert "Ask the police" in fresh and fresh != home
    assert "Ask the police" in reader.get("/clares-law").get_data(as_text=True) != page
    assert len(runs) == 4


def test_publish_helper_moves_nothing_when_nothing_changed(instances):
    app, _ = instances
    version = app.extensions["content"].snapshot().version
    assert publish(app) == 0
    app.extensions["content"].clock.now += 1
    assert app.extensions["content"].snapshot().version == version


def test_the_migration_loads_the_app_content_folder(instances):
    app, _ = instances
    with app.app_context():
        found = publishing.all_published(db.session())
    assert set(found) == {("pages", "clares-law", "en"), ("pages", "what-we-can-do", "en")}
    assert all(v.authors == "files" and v.approver == "files" for v in found.values())
    assert all(v.approved_at <= datetime.now(UTC) for v in found.values())
