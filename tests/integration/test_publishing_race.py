"""Approvals at the same moment (webapp/staff/publishing.py): two people
approving one waiting draft publish it once, and move the serial once; two
drafts of different documents approved at once both publish. Each approval
runs in its own thread with its own database session, as two requests to
the staff site would. On PostgreSQL (row locks) and SQLite (its write lock)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from webapp import db
from webapp.content.models import ContentSerial, ContentVersion
from webapp.staff import publishing
from webapp.staff.models import AuditEntry

pytestmark = pytest.mark.db

AUTHOR = "amira@example.org"


@pytest.fixture
def staff(make_app, database_url):
    app = make_app(database_url, QD_ROLE="all")
    db.upgrade(app.extensions["db_engine"])  # the shipped content is published
    return app


def waiting_draft(app, slug: str, words: str) -> int:
    """A change to a page, waiting for approval; its version id."""
    with app.app_context():
        session = db.session()
        at = datetime.now(UTC)
        text = publishing.published(session, "pages", slug, "en").text + f"\n{words}\n"
        draft = publishing.save_draft(session, "pages", slug, "en", text, AUTHOR, at)
        publishing.submit(session, draft, AUTHOR, at)
        session.commit()
        return draft.id


def approve_at_once(app, approvals: list[tuple[int, str]]) -> list[object]:
    """Each (version id, approver) in its own thread and session, all let go
    together; what each got: the version published, or the Refused."""
    site = app.config["SITE"]
    ready = threading.Barrier(len(approvals))
    results: list[object] = [None] * len(approvals)

    def approve(index: int, version_id: int, who: str) -> None:
        with app.app_context():
            session = db.session()  # one per thread (scoped)
            try:
                draft = session.get(ContentVersion, version_id)
                checked = publishing.check(
                    session,
                    draft.kind,
                    draft.slug,
                    draft.lang,
                    draft.text,
                    site.languages,
                    datetime.now(UTC).date(),
                )
                session.rollback()  # as a request ends: nothing held while waiting
                ready.wait(timeout=10)
                version = publishing.approve(
                    session, version_id, who, datetime.now(UTC), True, checked
                )
                session.commit()
                results[index] = ("published", version.id)
            except publishing.Refused as refused:
                session.rollback()
                results[index] = ("refused", refused.reason)
            except Exception as problem:  # reported by the test
                session.rollback()
                results[index] = ("failed", repr(problem))

    threads = [threading.Thread(target=approve, args=(i, *a)) for i, a in enumerate(approvals)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def state(app, slug: str) -> tuple[int, int, int]:
    """(published versions of the page, the serial, approvals audited)."""
    with app.app_context():
        session = db.session()
        published = session.scalar(
            select(func.count())
            .select_from(ContentVersion)
            .filter_by(slug=slug, lang="en", state="published")
        )
        serial = session.scalar(select(ContentSerial.value))
        approvals = session.scalar(
            select(func.count()).select_from(AuditEntry).filter_by(action="content.approve")
        )
        return published, serial, approvals


def test_two_people_approving_one_draft_at_once_publish_it_once(staff):
    draft = waiting_draft(staff, "clares-law", "Approved once.")
    _, before, _ = state(staff, "clares-law")
    results = approve_at_once(staff, [(draft, "bea@example.org"), (draft, "carl@example.org")])
    assert sorted(kind for kind, _ in results) == ["published", "refused"], results
    assert ("published", draft) in results and ("refused", "gone") in results
    assert state(staff, "clares-law") == (1, before + 1, 1)
    with staff.app_context():
        version = db.session().get(ContentVersion, draft)
        assert version.state == "published" and version.approver in (
            "bea@example.org",
            "carl@example.org",
        )
        assert "Approved once." in version.text
    staff.extensions["content"].forget()
    assert "Approved once." in staff.test_client().get("/clares-law").get_data(as_text=True)


def test_drafts_of_different_pages_approved_at_once_both_publish(staff):
    first = waiting_draft(staff, "clares-law", "First change.")
    second = waiting_draft(staff, "safe-spaces", "Second change.")
    _, before, _ = state(staff, "clares-law")
    results = approve_at_once(staff, [(first, "bea@example.org"), (second, "carl@example.org")])
    assert sorted(results) == [("published", first), ("published", second)], results
    assert state(staff, "clares-law") == (1, before + 2, 2)
    assert state(staff, "safe-spaces")[0] == 1
    staff.extensions["content"].forget()
    client = staff.test_client()
    assert "First change." in client.get("/clares-law").get_data(as_text=True)
    assert "Second change." in client.get("/safe-spaces").get_data(as_text=True)
