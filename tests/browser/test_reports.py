"""The reports page in Chromium, with a year of referrals: axe finds nothing,
the chart fits a phone without sideways scrolling, its text is not too
small, and nothing loads from another origin."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import _serve, staff_sign_in
from tests.integration.test_reports import insert
from tests.staff import PASSWORD, add_officer, secret
from webapp import create_app, db

pytestmark = pytest.mark.browser
WIDTHS = (360, 1280)


def manager(width):
    """One account a width: a one-time code works once, and both sign in at once."""
    return f"reports.{width}@example.org"


@pytest.fixture(scope="module")
def reports_site(tmp_path_factory):
    """A site of its own, so that its referrals stay out of the other tests' queue."""
    folder = tmp_path_factory.mktemp("reports")
    app = create_app({"INSTANCE_PATH": str(folder), "SECRET_KEY": uuid.uuid4().hex,
                      "DATABASE_URL": f"sqlite:///{folder / 'reports.sqlite3'}"})
    db.upgrade(app.extensions["db_engine"])
    now = datetime.now(UTC)
    for width in WIDTHS:
        add_officer(app, manager(width), {"now": now}, role="manager")
    shuffle = random.Random(14)
    for week in range(60):
        for _ in range(shuffle.choice([0, 2, 6, 9, 12, 15])):
            received = now - timedelta(weeks=week, hours=shuffle.randint(1, 160))
            insert(app, received, kind=shuffle.choice(["self", "self", "concern"]),
                   language=shuffle.choice(["en"] * 8 + ["gu", "pl"]),
                   contacted_after=shuffle.choice([None, timedelta(hours=2),
                                                   timedelta(hours=30)]))
    server = _serve(app)
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["db_engine"].dispose()


def signed_in(browser, reports_site, width):
    app, base = reports_site
    context = browser.new_context(base_url=base, viewport={"width": width, "height": 800})
    page = staff_sign_in(context.new_page(), manager(width), secret(app, manager(width)),
                         PASSWORD)
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_the_reports_page_reads_well_on_a_phone_and_a_desk(browser, reports_site, width):
    context, page = signed_in(browser, reports_site, width)
    elsewhere = []
    page.on("request", lambda request: request.url.startswith(reports_site[1])
            or elsewhere.append(request.url))
    for weeks in ("4", "13", "52", "all"):
        page.goto(f"/staff/reports?weeks={weeks}")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert not page.evaluate("document.documentElement.scrollWidth > innerWidth"), weeks
        chart = page.get_by_role("img", name="Referrals a week, and the share contacted")
        box = chart.bounding_box()
        assert box["width"] <= width and box["height"] > 150
        sizes = page.locator("svg.chart text").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().height)")
        assert min(sizes) >= 12, f"chart text {min(sizes):.1f}px high at {width}px"
    page.get_by_label("Period").select_option("4")
    page.get_by_role("button", name="Show").click()
    assert page.url.endswith("/staff/reports?weeks=4")
    assert page.locator("table").first.locator("tbody tr").count() == 4
    assert elsewhere == []
    context.close()
