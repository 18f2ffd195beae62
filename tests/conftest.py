"""Fixtures every test can use: an app on a temporary instance folder, and its
client, which checks every page it fetches for the things every HTML page must
get right (tests/pages.py)."""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from tests.pages import check_response, is_page
from webapp import create_app, db
from webapp.rules import sealing

LANGUAGES = ("en", "cy", "pl", "ro", "pa", "ur", "pt", "es", "ar", "bn", "gu", "it")


@pytest.fixture
def make_app(tmp_path, request):
    """Build an app with its own instance folder; ``SITE`` overrides settings.
    Its test clients check every page they fetch (``CheckedClient``)."""

    apps = []

    def make(database_url: str | None = None, **config):
        config.setdefault("TESTING", True)
        config.setdefault("RATELIMIT_ENABLED", False)
        config.setdefault("INSTANCE_PATH", str(tmp_path / "instance"))
        config.setdefault("SECRET_KEY", "test-" + uuid.uuid4().hex)
        config.setdefault("DATABASE_URL",
                          database_url or f"sqlite:///{tmp_path / 'test.sqlite3'}")
        apps.append(checked(create_app(config), request))
        return apps[-1]

    yield make
    for made in apps:
        made.extensions["db_engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


# ---------------------------------------------------------------------------
# Databases: SQLite always; PostgreSQL when TEST_POSTGRES_URL is set. Each
# PostgreSQL test makes its own database and drops it afterwards.


def _postgres_database():
    import psycopg

    admin_url = os.environ["TEST_POSTGRES_URL"].replace("postgresql+psycopg://", "postgresql://")
    name = "qd_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin_url.rpartition("/")
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    if not os.environ.get("TEST_POSTGRES_URL"):
        pytest.skip("PostgreSQL tests need TEST_POSTGRES_URL, "
                    "e.g. postgresql://127.0.0.1:5432/test (.ci/run sets it)")
    yield from _postgres_database()


# ---------------------------------------------------------------------------
# What every HTML page must get right: tests/pages.py, run by the test client
# on every page it fetches.


class CheckedClient(FlaskClient):
    """A test client that checks every final HTML response it gets, error
    pages included, with tests/pages.py. ``client.get(path, check=False)``
    skips one request: only for what is deliberately not a page. A test
    marked ``@pytest.mark.unchecked`` gets clients that check nothing."""

    checking = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._depth = 0  # a followed redirect opens again, inside this open

    def open(self, *args, check: bool = True, **kwargs):
        self._depth += 1
        try:
            response = super().open(*args, **kwargs)
        finally:
            self._depth -= 1
        response.application = self.application
        if check and self.checking and self._depth == 0 and is_page(response):
            response.page = check_response(response, self.application)
        return response


class UncheckedClient(CheckedClient):
    checking = False


def checked(app, request=None):
    """Give ``app`` the checking test client (unless the test is marked
    ``unchecked``)."""
    unchecked = request is not None and request.node.get_closest_marker("unchecked")
    app.test_client_class = UncheckedClient if unchecked else CheckedClient
    return app


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "unchecked: the test client does not check the pages this test fetches "
                   "(tests/pages.py); for tests that fetch broken things on purpose")


def check_page(response):
    """Assert the page is sound, and return it parsed (its ``tags``, ...).
    The test client already does this for every page it fetches; this is for
    a response it was told not to check."""
    if getattr(response, "page", None) is not None:
        return response.page
    return check_response(response, response.application)


@pytest.fixture
def page_checks():
    return check_page


# ---------------------------------------------------------------------------
# Walking a referral journey through the test client, as a browser would.

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Walker:
    """GET a page, then POST its form with the page's CSRF token."""

    def __init__(self, client):
        self.client = client

    def answer(self, path, data=None, follow=False):
        page = self.client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        token = CSRF.search(page.get_data(as_text=True)).group(1)
        return self.client.post(path, data={"csrf_token": token, **(data or {})},
                                follow_redirects=follow)

    def walk(self, prefix, steps):
        """Answer each (slug, data) in turn; each must lead on to the next."""
        response = None
        for slug, data in steps:
            response = self.answer(f"{prefix}/{slug}", data)
            assert response.status_code == 302, (slug, response.status_code,
                                                 response.get_data(as_text=True)[-3000:])
        return response


ASK_BY_PHONE = [
    ("danger", {"danger": "no"}),
    ("contact", {"method": "call"}),
    ("phone", {"phone": "020 7946 0018", "phone_own": "yes"}),
    ("safe-times", {"days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                    "bands": ["morning", "afternoon"]}),
    ("messages", {"voicemail": "no"}),
    ("withheld-number", {"withheld": "yes"}),
    ("someone-else", {"cover_story": "Say it is about the boiler", "ask_for": "Sam"}),
    ("code-word", {"code_word": "pineapple"}),
    ("letters", {"post_safe": "no"}),
    ("trusted-person", {}),
    ("language", {"language": "pl", "interpreter": "yes"}),
    ("speaking-to", {"officer_gender": "woman"}),
    ("accessibility", {}),
    ("what-would-help", {"help": ["security", "money"], "help_more": "zebra-quartz-7731"}),
    ("about-you", {"name": "Alex"}),
]

CONCERN_ANONYMOUS = [
    ("danger", {"danger": "no"}),
    ("relationship", {"relationship": "neighbour"}),
    ("what-happened", {"seen": "Shouting and a crash most nights"}),
    ("the-person", {"person_name": "Jo Marwick", "person_address": "Flat 3"}),
    ("do-they-know", {"person_knows": "no"}),
    ("not-safe", {"not_safe": "Her partner"}),
    ("reaching-them", {"reach": "She walks the dog at 8am"}),
    ("your-details", {"method": "none"}),
]


@pytest.fixture
def walker(client):
    return Walker(client)


@pytest.fixture
def migrated(app):
    from webapp import db

    db.upgrade(app.extensions["db_engine"])
    return app


@pytest.fixture
def clock():
    """The time the app sees; tests move it on by hand."""
    return {"now": datetime.now(UTC)}


@pytest.fixture
def site(make_app, clock, database_url):
    """A migrated app on the test clock, with one officer (tests/staff.py), on
    SQLite and (when TEST_POSTGRES_URL is set) on PostgreSQL."""
    from tests.staff import OFFICER, add_officer

    app = make_app(database_url, CLOCK=lambda: clock["now"])
    db.upgrade(app.extensions["db_engine"])
    add_officer(app, OFFICER, clock)
    return app


@pytest.fixture
def keys(tmp_path):
    """A key pair made as docs/deploy.md says: on the staff side only."""
    folder = tmp_path / "staff-keys"
    public_key = sealing.encode_key(sealing.generate_keypair(str(folder)))
    return {"public": public_key, "private_file": str(folder / sealing.PRIVATE_KEY_FILE)}


@pytest.fixture
def instances(make_app, tmp_path, keys, monkeypatch, database_url, clock):
    """A public and a staff instance on one database, as in production
    (tests/integration/test_roles.py)."""
    monkeypatch.setenv("QD_PUBLIC_KEY", keys["public"])
    public = make_app(database_url, QD_ROLE="public",
                      INSTANCE_PATH=str(tmp_path / "public-instance"))
    monkeypatch.setenv("QD_PRIVATE_KEY_FILE", keys["private_file"])
    staff = make_app(database_url, QD_ROLE="staff", CLOCK=lambda: clock["now"],
                     INSTANCE_PATH=str(tmp_path / "staff-instance"))
    db.upgrade(staff.extensions["db_engine"])
    return public, staff
