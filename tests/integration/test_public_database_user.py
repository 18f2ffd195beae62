"""The public instance's own PostgreSQL user (flask db grant-public): it
keeps drafts and adds referrals, and can read, change or delete nothing
else, so a public server taken over exposes and loses nothing stored."""

import uuid
from datetime import UTC, datetime

import pytest

from tests.conftest import ASK_BY_PHONE, Walker
from tests.staff import OFFICER, REFERENCE_LINK, add_officer, sign_in

psycopg = pytest.importorskip("psycopg")


@pytest.fixture
def public_user(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("database users are PostgreSQL's; SQLite has none")
    admin = database_url.replace("postgresql+psycopg://", "postgresql://")
    name = "qd_public_" + uuid.uuid4().hex[:8]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
    yield name, admin.replace("postgres@", f"{name}@", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {name}")  # its grants in this database
        conn.execute(f"DROP ROLE {name}")


def test_the_public_user_adds_referrals_and_reads_none(instances, public_user, make_app,
                                                        clock, monkeypatch, tmp_path):
    _, staff = instances
    name, public_url = public_user
    granted = staff.test_cli_runner().invoke(args=["db", "grant-public", name])
    assert granted.exit_code == 0, granted.output
    monkeypatch.setenv("NOTIFY_CHANNELS", "email,webhook")  # notifications are added too
    public = make_app(public_url, QD_ROLE="public", INSTANCE_PATH=str(tmp_path / "limited"))

    resident = Walker(public.test_client())
    resident.walk("/ask", ASK_BY_PHONE)
    sent = resident.send("/ask", follow=True)
    assert sent.status_code == 200 and "Your reference is" in sent.get_data(as_text=True)

    add_officer(staff, OFFICER, clock)
    officer = staff.test_client()
    sign_in(staff, officer, clock)
    assert len(REFERENCE_LINK.findall(officer.get("/staff/").get_data(as_text=True))) == 1

    with psycopg.connect(public_url, autocommit=True) as conn:
        for statement in ("SELECT reference FROM referral", "SELECT sealed FROM referral",
                          "UPDATE referral SET status = 'closed'", "DELETE FROM referral",
                          "SELECT * FROM staff_user", "SELECT * FROM audit_entry",
                          "SELECT * FROM notification", "DELETE FROM notification",
                          "SELECT * FROM contact_attempt", "SELECT * FROM api_token"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_grant_public_names_a_missing_role(site):
    if not site.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("database users are PostgreSQL's; SQLite has none")
    result = site.test_cli_runner().invoke(args=["db", "grant-public", "no_such_role_qd"])
    assert result.exit_code == 1 and 'role "no_such_role_qd" does not exist' in result.output


def test_grant_public_refuses_sqlite(app):
    result = app.test_cli_runner().invoke(args=["db", "grant-public", "anyone"])
    assert result.exit_code == 1 and "SQLite has no users" in result.output



def test_the_public_user_reads_what_is_published_and_no_draft_history_or_author(
        instances, public_user, make_app, tmp_path):
    """Of the content it reads the published view and the serial, and serves
    the pages from them; never a draft, an old version or who wrote it, and
    it can change none of it."""
    from webapp import db
    from webapp.staff import publishing

    _, staff = instances
    name, public_url = public_user
    granted = staff.test_cli_runner().invoke(args=["db", "grant-public", name])
    assert granted.exit_code == 0, granted.output
    with staff.app_context():
        session = db.session()
        text = publishing.published(session, "pages", "clares-law", "en").text
        publishing.save_draft(session, "pages", "clares-law", "en",
                              text.replace("police", "secret draft words"),
                              "amira@example.org", datetime.now(UTC))
        session.commit()
    public = make_app(public_url, QD_ROLE="public", INSTANCE_PATH=str(tmp_path / "limited"))
    client = public.test_client()
    page = client.get("/clares-law").get_data(as_text=True)
    assert "Clare" in page and "police" in page
    assert "secret draft words" not in page
    home = client.get("/").get_data(as_text=True)
    assert 'href="/clares-law"' in home  # the footer's pages, from the database

    with psycopg.connect(public_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM published_content").fetchone()[0] > 100
        assert conn.execute("SELECT value FROM content_serial").fetchone()[0] >= 1
        columns = [c.name for c in conn.execute("SELECT * FROM published_content").description]
        assert "authors" not in columns and "approver" not in columns
        for statement in (
                "SELECT * FROM content_version", "SELECT text FROM content_version",
                "SELECT authors, approver FROM content_version",
                "INSERT INTO content_version (kind, slug, lang, text, state, authors, "
                "created_at, updated_at) VALUES ('pages', 'evil', 'en', 'x', 'published', "
                "'x', now(), now())",
                "UPDATE content_version SET state = 'published'", "DELETE FROM content_version",
                "UPDATE published_content SET text = 'x'", "DELETE FROM published_content",
                "INSERT INTO published_content (kind, slug, lang, text) "
                "VALUES ('pages', 'evil', 'en', 'x')",
                "UPDATE content_serial SET value = value + 1", "DELETE FROM content_serial",
                "INSERT INTO content_serial (id, value) VALUES (2, 1)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
