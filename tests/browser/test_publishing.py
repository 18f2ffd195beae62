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
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import _serve, staff_sign_in
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
    return staff_sign_in(context.new_page(), email, secret, PASSWORD, landing="**/staff/**")


def resident(browser, base_url):
    return browser.new_context(base_url=base_url).new_page()


def tomorrow():
    return (datetime.now(UTC) + timedelta(days=1)).date()


def shows(browser, urls, path, text, timeout=5_000):
    """Every public instance shows ``text`` at ``path`` within ``timeout`` ms
    (each worker looks at the content serial at most once a second)."""
    for url in urls:
        page = resident(browser, url)
        deadline = time.monotonic() + timeout / 1000
        while True:
            answer = page.goto(path)
            if answer.status == 200 and text in page.inner_text("body"):
                break
            assert time.monotonic() < deadline, f"{url}{path} does not show {text!r}"
            page.wait_for_timeout(200)
        page.context.close()


def write(page, **fields):
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)


def ask_for_approval(page):
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.locator("main")).to_contain_text("Sent for approval")


def approve(page, title, diff=None):
    page.goto("/staff/content/")
    page.locator("#waiting ~ ul").get_by_role("link", name=title).first.click()
    clean(page)
    if diff:
        removed, added = diff
        expect(page.locator("ol.diff del")).to_contain_text(removed)
        expect(page.locator("ol.diff ins")).to_contain_text(added)
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator("main")).to_contain_text("Approved and published")


def test_a_campaign_written_previewed_translated_approved_scheduled_fixed_and_restored(
        browser, sites):
    staff_url, *public = sites["urls"]
    author_secret = comms_user(sites["staff"], AUTHOR)
    approver_secret = comms_user(sites["staff"], APPROVER)
    start = tomorrow()

    # She writes the campaign in English, with a banner and dates from tomorrow.
    author = signed_in(browser, staff_url, AUTHOR, author_secret)
    author.goto("/staff/content/")
    clean(author)
    author.get_by_role("link", name="New page or campaign").click()
    clean(author)
    author.get_by_label("A campaign").check()
    author.get_by_label("Address").fill(SLUG)
    author.get_by_role("button", name="Continue to the English").click()
    author.wait_for_url(f"**/staff/content/campaigns/{SLUG}/en")
    clean(author)
    write(author, **{
        "Title": "Winter nights", "Summary": "Help is here on the longest nights.",
        "First day it shows": start.isoformat(),
        "Last day it shows": (start + timedelta(days=20)).isoformat(),
        "Banner on the home page": BANNER,
        "Text": f"## {TYPO}\n\nCall {{team_phone}} or read [Clare's Law](/clares-law)."})
    author.get_by_role("button", name="Preview").click()
    expect(author.locator("h1").last).to_contain_text("Winter nights")
    expect(author.locator("body")).to_contain_text(TYPO)
    clean(author)
    author.get_by_role("button", name="Back to editing").click()
    ask_for_approval(author)

    # The Welsh: its dates are the English's.
    author.goto(f"/staff/content/campaigns/{SLUG}/cy")
    write(author, **{"Title": "Nosweithiau'r gaeaf",
                     "Summary": "Mae help yma ar y nosweithiau hiraf.",
                     "Banner on the home page": BANNER_CY,
                     "Text": "## Nid ydych ar eich pen eich hun\n\nFfoniwch {team_phone}."})
    author.get_by_role("button", name="Preview").click()
    assert author.locator("[lang=cy]").count()
    author.get_by_role("button", name="Back to editing").click()
    ask_for_approval(author)
    # The author cannot approve her own change.
    author.goto(f"/staff/content/campaigns/{SLUG}/en/approve")
    expect(author.get_by_role("button", name="Approve and publish")).to_have_count(0)

    # A second comms user sees both waiting and approves them, English first.
    approver = signed_in(browser, staff_url, APPROVER, approver_secret)
    approver.goto("/staff/content/")
    waiting = approver.locator("#waiting ~ ul")
    expect(waiting).to_contain_text("Winter nights")
    expect(waiting).to_contain_text("Nosweithiau'r gaeaf")
    approve(approver, "Winter nights")
    approve(approver, "Nosweithiau'r gaeaf")
    approver.goto("/staff/content/")
    row = approver.get_by_role("row").filter(has_text="Winter nights")
    expect(row).to_contain_text("Scheduled")

    # Not before its first day; on it, on both public instances.
    for url in public:
        page = resident(browser, url)
        assert page.goto(f"/campaigns/{SLUG}").status == 404
        assert BANNER not in page.goto("/").text()
        page.context.close()
    sites["clock"]["now"] += timedelta(days=1)
    shows(browser, public, "/", BANNER)
    shows(browser, public, "/cy/", BANNER_CY)
    shows(browser, public, f"/campaigns/{SLUG}", TYPO)
    shows(browser, public, f"/cy/campaigns/{SLUG}", "Nid ydych ar eich pen eich hun")

    # She fixes the typo; once approved both instances show it within seconds.
    author.goto(f"/staff/content/campaigns/{SLUG}/en")
    body = author.get_by_label("Text", exact=True)
    body.fill(body.input_value().replace(TYPO, FIXED))
    ask_for_approval(author)
    approve(approver, "Winter nights", diff=(TYPO, FIXED))
    approved = time.monotonic()
    shows(browser, public, f"/campaigns/{SLUG}", FIXED)
    seen_after = time.monotonic() - approved
    print(f"the fix reached both public instances {seen_after:.2f} s after approval")
    assert seen_after < 5, seen_after

    # She restores the earlier version: a draft, approved like any other.
    author.goto(f"/staff/content/campaigns/{SLUG}/en/history")
    clean(author)
    author.get_by_role("button", name=re.compile(r"Restore version \d+ as a draft")).last.click()
    expect(author.get_by_label("Text", exact=True)).to_have_value(re.compile(re.escape(TYPO)))
    ask_for_approval(author)
    approve(approver, "Winter nights", diff=(FIXED, TYPO))
    shows(browser, public, f"/campaigns/{SLUG}", TYPO)
    author.goto(f"/staff/content/campaigns/{SLUG}/en/history")
    expect(author.locator("table")).to_contain_text(APPROVER)
