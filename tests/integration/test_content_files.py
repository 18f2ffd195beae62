"""Content as files and in the database (docs/content.md): ``flask content
import`` publishes a folder all or nothing, audited as the operator's;
``content export`` writes what is published back to files; ``content check``
checks both and says which is which. On SQLite and (when set) PostgreSQL."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select, text, update

from webapp import db
from webapp.content.models import ContentSerial, ContentVersion
from webapp.rules.sealing import generate_keypair
from webapp.staff.models import AuditEntry

pytestmark = pytest.mark.db

CAMPAIGN = """---
title: Safe at Home Week
summary: A week about staying safe at home.
publish_from: 2026-11-25
publish_until: 2026-11-30
banner: "Safe at Home Week: read what we can do"
---
Read [what we can do](/what-we-can-do). Call {team_phone}.
"""


def folder(root):
    for kind in ("pages", "campaigns", "services"):
        (root / kind).mkdir(parents=True, exist_ok=True)
    (root / "pages" / "what-we-can-do.en.md").write_text(
        "---\ntitle: What we can do\nsummary: Help.\norder: 1\n---\nWe can help.\n"
    )
    (root / "pages" / "clares-law.en.md").write_text(
        "---\ntitle: Clare's Law\nsummary: The right to ask.\n---\nYou can ask the police.\n"
    )
    return root


@pytest.fixture
def staff_app(make_app, database_url, tmp_path, clock):
    from datetime import UTC, datetime

    clock["now"] = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    app = make_app(
        database_url, CONTENT_DIR=str(folder(tmp_path / "content")), CLOCK=lambda: clock["now"]
    )
    db.upgrade(app.extensions["db_engine"])  # publishes its content folder
    app.extensions["content"].interval = 0
    return app


def run(app, *args):
    return app.test_cli_runner().invoke(args=["content", *args])


def serial(app) -> int:
    with app.app_context():
        return db.session().scalar(select(ContentSerial.value))


def published(app) -> dict:
    with app.app_context():
        return {
            f"{v.kind}/{v.filename}": v.text
            for v in db.session().scalars(select(ContentVersion).filter_by(state="published"))
        }


def audit_entries(app, action="content.import") -> list[AuditEntry]:
    with app.app_context():
        return list(db.session().scalars(select(AuditEntry).filter_by(action=action)))


def test_the_migration_published_the_content_folder(staff_app):
    assert set(published(staff_app)) == {"pages/what-we-can-do.en.md", "pages/clares-law.en.md"}
    assert staff_app.test_client().get("/clares-law").status_code == 200


def test_import_publishes_each_changed_file_and_the_site_shows_it(staff_app, tmp_path):
    incoming = folder(tmp_path / "incoming")
    (incoming / "campaigns" / "safe.en.md").write_text(CAMPAIGN)
    (incoming / "pages" / "clares-law.en.md").write_text(
        "---\ntitle: Clare's Law\nsummary: The right to ask.\n---\nYou can ask us.\n"
    )
    client = staff_app.test_client()
    assert client.get("/campaigns/safe").status_code == 404
    before = serial(staff_app)
    result = run(staff_app, "import", str(incoming))
    assert result.exit_code == 0, result.output
    assert "published campaigns/safe.en.md" in result.output
    assert "published pages/clares-law.en.md" in result.output
    assert "2 version(s) published" in result.output
    assert serial(staff_app) == before + 1
    page = client.get("/campaigns/safe").get_data(as_text=True)
    assert "<h1>Safe at Home Week</h1>" in page
    assert "You can ask us." in client.get("/clares-law").get_data(as_text=True)
    # The version it replaced is kept, as history.
    with staff_app.app_context():
        states = (
            db.session()
            .scalars(
                select(ContentVersion.state)
                .filter_by(slug="clares-law")
                .order_by(ContentVersion.id)
            )
            .all()
        )
    assert states == ["replaced", "published"]


def test_each_imported_version_is_audited_as_the_operators(staff_app, tmp_path):
    incoming = folder(tmp_path / "incoming")
    (incoming / "campaigns" / "safe.en.md").write_text(CAMPAIGN)
    assert run(staff_app, "import", str(incoming)).exit_code == 0
    entries = audit_entries(staff_app)
    assert len(entries) == 1
    assert entries[0].actor.startswith("cli:")
    assert entries[0].detail.startswith("campaigns/safe.en.md #")
    with staff_app.app_context():
        version = db.session().scalar(
            select(ContentVersion).filter_by(slug="safe", state="published")
        )
    assert version.approver == entries[0].actor and version.authors == "files"
    verify = staff_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_a_broken_file_refuses_the_whole_import(staff_app, tmp_path):
    incoming = folder(tmp_path / "incoming")
    (incoming / "campaigns" / "safe.en.md").write_text(CAMPAIGN)  # good
    (incoming / "pages" / "broken.en.md").write_text(
        "---\ntitle: Broken\nsummary: y\norder: first\n---\nBody.\n"
    )
    (incoming / "pages" / "hostile.en.md").write_text(
        "---\ntitle: x\nsummary: y\n---\nok\n\n<script>alert(1)</script>\n"
    )
    before, shown = serial(staff_app), published(staff_app)
    result = run(staff_app, "import", str(incoming))
    assert result.exit_code == 1
    assert "incoming/pages/broken.en.md:4: order must be a whole number" in result.output
    assert "incoming/pages/hostile.en.md:7: " in result.output and "unsafe" in result.output
    assert "Nothing was published: 2 error(s)" in result.output
    assert published(staff_app) == shown and serial(staff_app) == before
    assert audit_entries(staff_app) == []
    client = staff_app.test_client()
    assert client.get("/campaigns/safe").status_code == 404
    assert client.get("/hostile").status_code == 404


def test_importing_unchanged_files_publishes_nothing(staff_app, tmp_path):
    incoming = folder(tmp_path / "incoming")
    (incoming / "campaigns" / "safe.en.md").write_text(CAMPAIGN)
    assert run(staff_app, "import", str(incoming)).exit_code == 0
    before, versions = serial(staff_app), len(audit_entries(staff_app))
    again = run(staff_app, "import", str(incoming))
    assert again.exit_code == 0, again.output
    assert "0 version(s) published" in again.output
    assert serial(staff_app) == before  # no instance throws its pages away for nothing
    assert len(audit_entries(staff_app)) == versions
    with staff_app.app_context():
        assert db.session().scalar(select(func.count()).select_from(ContentVersion)) == 3


def test_export_then_import_is_the_same_content(staff_app, make_app, tmp_path):
    incoming = folder(tmp_path / "incoming")
    (incoming / "campaigns" / "safe.en.md").write_text(CAMPAIGN)
    (incoming / "campaigns" / "safe.cy.md").write_text(
        CAMPAIGN.replace("Safe at Home Week", "Wythnos Diogel"), encoding="utf-8"
    )
    assert run(staff_app, "import", str(incoming)).exit_code == 0
    exported = tmp_path / "exported"
    result = run(staff_app, "export", str(exported))
    assert result.exit_code == 0, result.output
    assert "4 file(s) written" in result.output
    files = {str(p.relative_to(exported)): p.read_bytes() for p in exported.rglob("*.md")}
    assert files == {str(p.relative_to(incoming)): p.read_bytes() for p in incoming.rglob("*.md")}
    # Imported again: nothing to publish; exported again: the same bytes.
    before = serial(staff_app)
    assert "0 version(s) published" in run(staff_app, "import", str(exported)).output
    assert serial(staff_app) == before
    again = tmp_path / "again"
    assert run(staff_app, "export", str(again)).exit_code == 0
    assert {str(p.relative_to(again)): p.read_bytes() for p in again.rglob("*.md")} == files


def test_the_shipped_content_goes_round_unchanged(make_app, tmp_path):
    """Every shipped file, exported from a new database, is the file itself."""
    app = make_app()  # migrated: the shipped content/ is what is published
    exported = tmp_path / "exported"
    assert run(app, "export", str(exported)).exit_code == 0
    shipped = app.extensions["content_files"].root
    ours = {
        str(p.relative_to(shipped)): p.read_text(encoding="utf-8") for p in shipped.glob("*/*.md")
    }
    theirs = {
        str(p.relative_to(exported)): p.read_text(encoding="utf-8") for p in exported.rglob("*.md")
    }
    assert theirs == {
        name: text.replace("\r\n", "\n").lstrip("\ufeff") for name, text in ours.items()
    }
    assert "0 version(s) published" in run(app, "import", str(exported)).output


def test_the_public_role_has_no_import_or_export(make_app, tmp_path):
    generate_keypair(tmp_path / "instance")
    public = make_app(QD_ROLE="public")
    assert set(public.cli.commands["content"].commands) == {"check"}
    runner = public.test_cli_runner()
    for args in (["content", "import", str(tmp_path)], ["content", "export", str(tmp_path)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 2 and "No such command" in result.output, args
    assert runner.invoke(args=["content", "check"]).exit_code == 0


def test_the_check_says_which_is_the_file_and_which_the_database(staff_app):
    result = run(staff_app, "check")
    assert result.exit_code == 0, result.output
    assert "2 file(s) in" in result.output
    assert "database: 2 published version(s) checked: 0 error(s)" in result.output
    # Changed behind the site's back: the database's copy is broken, the file is not.
    with staff_app.extensions["db_engine"].begin() as connection:
        connection.execute(
            update(ContentVersion)
            .where(ContentVersion.slug == "clares-law")
            .where(ContentVersion.state == "published")
            .values(text="---\ntitle: x\nsummary: y\norder: first\n---\nz\n")
        )
    result = run(staff_app, "check")
    assert result.exit_code == 1
    assert (
        "error: database: pages/clares-law.en.md:4: order must be a whole number" in result.output
    )
    assert "error: content/" not in result.output
    assert "2 file(s) in" in result.output and ": 0 error(s)" in result.output


def test_the_check_of_a_database_not_migrated_still_checks_the_files(make_app, tmp_path):
    app = make_app(migrate=False, CONTENT_DIR=str(folder(tmp_path / "content")))
    result = run(app, "check")
    assert result.exit_code == 0, result.output
    assert "2 file(s) in" in result.output
    assert "database: not checked, it holds no content yet" in result.output
    assert "db upgrade" in result.output
    with app.extensions["db_engine"].connect() as connection:  # the check made nothing
        assert not connection.execute(
            text("SELECT name FROM sqlite_master WHERE name = 'content_version'")
        ).all()


def test_an_import_folder_is_not_the_content_folder(staff_app, tmp_path):
    """Files copied into the content folder are not published: the database
    is what residents see (docs/content.md); import publishes them."""
    content = staff_app.extensions["content_files"].root
    shutil.copy(content / "pages" / "clares-law.en.md", content / "pages" / "copied.en.md")
    assert staff_app.test_client().get("/copied").status_code == 404
    assert run(staff_app, "import", str(content)).exit_code == 0
    assert staff_app.test_client().get("/copied").status_code == 200


def test_unpublish_takes_a_document_down_at_once_audited(staff_app):
    """What the editor cannot reach (a local service, such as the demo's
    examples) is taken down from the command line; the English takes every
    language down; something not published is said plainly."""
    client = staff_app.test_client()
    assert client.get("/clares-law").status_code == 200
    before = serial(staff_app)
    taken = run(staff_app, "unpublish", "pages", "clares-law")
    assert taken.exit_code == 0, taken.output
    assert "taken down pages/clares-law.en.md" in taken.output
    assert serial(staff_app) == before + 1
    assert client.get("/clares-law").status_code == 404
    assert "pages/clares-law.en.md" not in published(staff_app)
    entries = audit_entries(staff_app, "content.unpublish")
    assert len(entries) == 1 and entries[0].actor.startswith("cli:")
    again = run(staff_app, "unpublish", "pages", "clares-law")
    assert again.exit_code != 0 and "Nothing published as pages/clares-law.en.md" in again.output
    assert run(staff_app, "unpublish", "referrals", "x").exit_code != 0  # not a kind
