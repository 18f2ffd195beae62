"""Fixtures every test can use: an app on a temporary instance folder, and its
client, which checks every page it fetches for the things every HTML page must
get right (tests/pages.py)."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from tests.pages import check_response, is_page
from webapp import create_app, db
from webapp.rules import sealing

LANGUAGES = ("en", "cy", "pl", "ro", "pa", "ur", "pt", "es", "ar", "bn", "gu", "it")


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A SQLite database at the newest migration, the shipped content
    published in it, made once: each app gets a copy (a migration takes a
    tenth of a second or more)."""
    folder = tmp_path_factory.mktemp("migrated")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder / "instance"),
                      "SECRET_KEY": "test-" + uuid.uuid4().hex,
                      "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"})
    db.upgrade(app.extensions["db_engine"])
    app.extensions["db_engine"].dispose()  # SQLite folds its journal back in
    return folder / "db.sqlite3"


@pytest.fixture
def make_app(tmp_path, request, migrated_database):
    """Build an app with its own instance folder; ``SITE`` overrides settings.
    Its test clients check every page they fetch (``CheckedClient``).

    Without ``database_url``, its SQLite database is migrated, as a deployed
    site's always is, so that it serves what is published there: the
    shipped content, or its ``CONTENT_DIR``'s (tests/content.py publishes
    changes). ``migrate=False`` leaves a new database empty."""

    apps = []

    def make(database_url: str | None = None, migrate: bool = True, **config):
        config.setdefault("TESTING", True)
        config.setdefault("RATELIMIT_ENABLED", False)
        config.setdefault("INSTANCE_PATH", str(tmp_path / "instance"))
        config.setdefault("SECRET_KEY", "test-" + uuid.uuid4().hex)
        database = tmp_path / "test.sqlite3"
        config.setdefault("DATABASE_URL", database_url or f"sqlite:///{database}")
        fresh = migrate and database_url is None and not database.exists()
        if fresh and "CONTENT_DIR" not in config:
            shutil.copyfile(migrated_database, database)
            database.chmod(0o600)
        apps.append(checked(create_app(config), request))
        if fresh and "CONTENT_DIR" in config:
            db.upgrade(apps[-1].extensions["db_engine"])  # loads its content folder
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
# Which page a journey page is: the first form on it (its Back button, else its
# own form) says, as each form does, which page it was on.
SHOWN = re.compile(r'name="step" value="([^"]+)"')


class Walker:
    """A visitor going through a journey (``journey`` is ``/ask``, ``/cy/concern``...).

    Every page of a journey is at one address, ``{journey}/questions``: a GET
    shows the page the visitor's draft is at, and each form posts there,
    saying which page it was on (``step``) and, for Back, Change and Send,
    what it asks for (``go``)."""

    def __init__(self, client):
        self.client = client

    def page(self, journey):
        """The page shown at the journey's address: (a step's slug, "check",
        or None for the confirmation; its HTML)."""
        response = self.client.get(f"{journey}/questions")
        assert response.status_code == 200, (journey, response.status_code,
                                             response.headers.get("Location"))
        html = response.get_data(as_text=True)
        shown = SHOWN.search(html)
        return (shown.group(1) if shown else None), html

    def post(self, journey, html, data, follow=False):
        """Post ``data`` with the token of the page ``html``, as its form would."""
        token = CSRF.search(html).group(1)
        return self.client.post(f"{journey}/questions", data={"csrf_token": token, **data},
                                follow_redirects=follow)

    def answer(self, journey, slug, data=None, follow=False):
        """Answer the page ``slug``, which must be the one the journey shows."""
        shown, html = self.page(journey)
        assert shown == slug, f"expected the page {slug!r}, the journey shows {shown!r}"
        return self.post(journey, html, {"step": slug, **(data or {})}, follow)

    def walk(self, journey, steps):
        """Answer each (slug, data) in turn; each must lead on, at the same address."""
        response = None
        for slug, data in steps:
            response = self.answer(journey, slug, data)
            assert response.status_code == 302, (slug, response.status_code,
                                                 response.get_data(as_text=True)[-3000:])
            assert response.headers["Location"] == f"{journey}/questions", slug
        return response

    def send(self, journey, follow=False):
        """Press Send on the check page, which must be the one shown."""
        return self.answer(journey, "check", {"go": "send"}, follow)

    def back(self, journey):
        """Press the Back button of the page shown."""
        shown, html = self.page(journey)
        return self.post(journey, html, {"go": "back", "step": shown})

    def change(self, journey, slug):
        """Press the check page's Change button for the page ``slug``."""
        shown, html = self.page(journey)
        assert shown == "check", f"Change is on the check page; the journey shows {shown!r}"
        button = rf'name="go" value="change">\s*<input type="hidden" name="step" value="{slug}">'
        assert re.search(button, html), f"no Change button for {slug!r}"
        return self.post(journey, html, {"go": "change", "step": slug})


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
    ("way-back", {"way_back": "no"}),
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
    ("way-back", {"way_back": "no"}),
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
