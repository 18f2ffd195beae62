"""A border landlord's site in a real browser: both nations' helplines in
the box beside 999, each labelled; axe finds nothing, and nothing scrolls
sideways on a phone, in English, Welsh and Arabic."""

from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import _serve
from webapp import create_app, db

pytestmark = pytest.mark.browser
axe = Axe()
PATHS = ("/", "/ask", "/clares-law", "/cy/", "/cy/ask", "/ar/", "/ar/other-help")


@pytest.fixture(scope="module")
def border_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("border")
    app = create_app({
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": uuid.uuid4().hex,
        "DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}",
        "SITE": {"nations": ["wales", "england"]},
    })
    db.upgrade(app.extensions["db_engine"])
    server = _serve(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["db_engine"].dispose()


@pytest.fixture
def border_page(browser, border_site):
    contexts = []

    def make(width=1280, height=800):
        context = browser.new_context(base_url=border_site, viewport={"width": width,
                                                                      "height": height})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_both_helplines_show_labelled_and_axe_finds_nothing(border_page):
    page = border_page()
    page.goto("/cy/")
    box = page.locator("aside.emergency")
    assert box.get_by_role("link", name="0808 80 10 800", exact=True).is_visible()
    assert box.get_by_role("link", name="0808 2000 247", exact=True).is_visible()
    assert "Byw Heb Ofn" in box.inner_text()
    for path in PATHS:
        page.goto(path)
        results = axe.run(page)
        assert results.violations_count == 0, f"{path}: {results.generate_report()}"


def test_nothing_scrolls_sideways_on_a_phone(border_page):
    page = border_page(width=360, height=740)
    for path in PATHS:
        page.goto(path)
        assert not page.evaluate("document.documentElement.scrollWidth > innerWidth"), path
