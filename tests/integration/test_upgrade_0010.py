"""A site upgraded to 0010 (content kept in the database): what was stored
before reads the same, the shipped content is loaded as published and
served, and the downgrade to 0009 gives the database back as it was. On
SQLite and (when set) PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text

from tests.conftest import ASK_BY_PHONE, Walker
from webapp import db
from webapp.content.library import KINDS
from webapp.referrals.models import Referral

pytestmark = pytest.mark.db

CONTENT_TABLES = {"content_version", "content_serial"}


def referrals(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            text("SELECT * FROM referral ORDER BY id")).all()]


def at_0009_with_a_referral(app) -> list[tuple]:
    """The app's database at 0009, with one referral sent the usual way;
    the referral's row as stored."""
    engine = app.extensions["db_engine"]
    db.upgrade(engine, "0009")
    resident = Walker(app.test_client())
    resident.walk("/ask", ASK_BY_PHONE)
    assert resident.send("/ask").status_code == 302
    before = referrals(engine)
    assert len(before) == 1
    return before


def test_a_site_at_0009_upgrades_and_serves_its_shipped_content(make_app, database_url, clock):
    app = make_app(database_url, CLOCK=lambda: clock["now"])
    engine = app.extensions["db_engine"]
    before = at_0009_with_a_referral(app)
    assert not CONTENT_TABLES & set(inspect(engine).get_table_names())

    db.upgrade(engine)

    assert referrals(engine) == before  # stored before, read the same
    with app.app_context():
        session = db.session()
        assert session.scalars(select(Referral)).one().id == before[0][0]
        count = session.execute(text("SELECT count(*) FROM published_content")).scalar()
        states = session.execute(text(
            "SELECT DISTINCT state, authors, approver FROM content_version")).all()
        serial = session.execute(text("SELECT value FROM content_serial")).scalar()
    shipped = app.extensions["content_files"].root
    files = sum(1 for kind in KINDS for _ in (shipped / kind).glob("*.md"))
    assert count == files > 100
    assert [tuple(row) for row in states] == [("published", "files", "files")]
    assert serial == 1
    app.extensions["content"].forget()
    client = app.test_client()
    page = client.get("/clares-law")
    assert page.status_code == 200 and "Clare" in page.get_data(as_text=True)
    assert client.get("/cy/clares-law").status_code == 200
    assert 'href="/clares-law"' in client.get("/").get_data(as_text=True)


def test_downgrade_to_0009_removes_the_content_and_keeps_the_rest(make_app, database_url):
    app = make_app(database_url)
    engine = app.extensions["db_engine"]
    before = at_0009_with_a_referral(app)
    db.upgrade(engine)
    db.downgrade(engine, "0009")
    assert not CONTENT_TABLES & set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        views = inspect(connection).get_view_names()
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert "published_content" not in views and version == "0009"
    assert referrals(engine) == before
    # And up again: the content is loaded afresh, once.
    db.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text(
            "SELECT count(*) FROM content_version")).scalar() == connection.execute(
            text("SELECT count(*) FROM published_content")).scalar() > 100


def test_the_upgrade_loads_the_sites_own_content_folder(make_app, database_url, tmp_path):
    root = tmp_path / "landlord-content"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "our-page.en.md").write_text(
        "---\ntitle: Our page\nsummary: Ours.\n---\nOurs.\n")
    (root / "pages" / "not-a-page.txt").write_text("ignored")
    (root / "pages" / "latin1.en.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    app = make_app(database_url, CONTENT_DIR=str(root))
    db.upgrade(app.extensions["db_engine"])
    with app.extensions["db_engine"].connect() as connection:
        slugs = connection.execute(text("SELECT slug FROM published_content")).scalars().all()
    assert slugs == ["our-page"]  # not the shipped folder; a file not UTF-8 left for the check
    assert app.test_client().get("/our-page").status_code == 200
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert "latin1.en.md:1: the file is not UTF-8 text" in result.output
