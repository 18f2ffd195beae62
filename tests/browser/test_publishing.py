"""Publishing from the staff site in Chromium, as a comms officer would (issue
17, "Done means"): she signs in, writes a new campaign in English with a
banner and dates starting tomorrow, previews it, adds the Welsh and asks for
approval; a second comms user sees the change and approves it; it is listed
as scheduled. With the clock moved to its start date, a public instance on
PostgreSQL through its limited database user and a second public instance
both show the banner and the page in English and Welsh. She fixes a typo, it
is approved, and both instances show the fix within seconds; she restores
the earlier version. axe finds nothing on the editor's pages."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import _serve
from tests.conftest import _postgres_database
from webapp import create_app, db
from webapp.rules import sealing

pytestmark = pytest.mark.browser
psycopg = pytest.importorskip("psycopg")

PASSWORD = "a long pass phrase"
AUTHOR, APPROVER = "comms.author@example.org", "comms.approver@example.org"
SLUG = "winter-nights"
BANNER = "Long winter nights: we are here"
BANNER_CY = "Nosweithiau hir y gaeaf: rydyn ni yma"
TYPO, FIXED = "Your not alone", "You are not alone"
axe = Axe()


def clean(page):
    results = axe.run(page)
    assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth"), page.url


@pytest.fixture
def database():
    if not os.environ.get("TEST_POSTGRES_URL"):
        pytest.skip("publishing to a public instance's limited database user needs "
                    "TEST_POSTGRES_URL (PostgreSQL; .ci/run sets it)")
    yield from _postgres_database()


@pytest.fixture
def limited_user(database):
    admin = database.replace("postgresql+psycopg://", "postgresql://")
    name = "qd_public_" + uuid.uuid4().hex[:8]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
    yield name, database.replace("postgres@", f"{name}@", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {name}")
        conn.execute(f"DROP ROLE {name}")


@pytest.fixture
def sites(tmp_path, monkeypatch, database, limited_user, neutral):
    """A staff instance (the real time) and two public instances (on the
    public clock, which the test moves), all on one PostgreSQL database; the
    first public instance through the user ``db grant-public`` limits."""
    folder = tmp_path / "keys"
    monkeypatch.setenv("QD_PUBLIC_KEY", sealing.encode_key(sealing.generate_keypair(str(folder))))
    monkeypatch.setenv("QD_PRIVATE_KEY_FILE", str(folder / sealing.PRIVATE_KEY_FILE))
    public_clock = {"now": datetime.now(UTC)}
    made = []

    def make(name, url, role, **config):
        app = create_app({"INSTANCE_PATH": str(tmp_path / name), "SECRET_KEY": uuid.uuid4().hex,
                          "DATABASE_URL": url, "QD_ROLE": role,
                          "SITE": {"exit_url": neutral + "/neutral"}, **config})
        made.append(app)
        return app

    staff = make("staff", database, "staff")
    db.upgrade(staff.extensions["db_engine"])
    name, limited_url = limited_user
    granted = staff.test_cli_runner().invoke(args=["db", "grant-public", name])
    assert granted.exit_code == 0, granted.output
    first = make("public-1", limited_url, "public", CLOCK=lambda: public_clock["now"])
    second = make("public-2", limited_url, "public", CLOCK=lambda: public_clock["now"])
    servers = [_serve(app) for app in (staff, first, second)]
    urls = [f"http://127.0.0.1:{server.server_port}" for server in servers]
    yield {"staff": staff, "urls": urls, "clock": public_clock}
    for server in servers:
        server.shutdown()
    for app in made:
        app.extensions["db_engine"].dispose()


def comms_user(staff_app, email):
    result = staff_app.test_cli_runner().invoke(
        args=["staff", "create", email, "--role", "comms"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    return result.output.split("TOTP secret: ")[1].split()[0]


def signed_in(browser, base_url, email, secret, width=1280):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto("/staff/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/**")
    return page


def resident(browser, base_url):
    return browser.new_context(base_url=base_url).new_page()


def tomorrow():
    return (datetime.now(UTC) + timedelta(days=1)).date()
