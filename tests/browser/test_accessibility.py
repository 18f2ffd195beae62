"""axe finds nothing on the public pages; nothing scrolls sideways on a phone;
no request leaves for another origin."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import LANGUAGES
from tests.integration.test_pages import PAGES, localised

pytestmark = pytest.mark.browser
axe = Axe()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violations(new_page, lang):
    page = new_page()
    for path in (*PAGES, "/no-such-page"):
        page.goto(localised(path, lang))
        results = axe.run(page)
        assert results.violations_count == 0, f"{path}: {results.generate_report()}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_sideways_scrolling_at_360px(new_page, lang):
    page = new_page(width=360, height=740)
    for path in PAGES:
        page.goto(localised(path, lang))
        page.locator("details.browser").evaluate_all("els => els.forEach(e => e.open = true)")
        assert not page.evaluate("document.documentElement.scrollWidth > innerWidth"), path


def test_no_request_to_another_origin(new_page, live_server):
    page = new_page()
    elsewhere = []
    page.on("request", lambda request: request.url.startswith(live_server)
            or elsewhere.append(request.url))
    for path in PAGES:
        page.goto(path)
    page.goto("/ar/")
    assert elsewhere == []


def test_right_to_left_mirrors_the_quick_exit(new_page):
    page = new_page(width=1280)
    page.goto("/")
    ltr_x = page.locator("#quick-exit").bounding_box()["x"]
    page.goto("/ar/")
    rtl_x = page.locator("#quick-exit").bounding_box()["x"]
    assert ltr_x > 640 > rtl_x  # at the end of the line: right in English, left in Arabic
