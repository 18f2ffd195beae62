"""Help near you on a phone, as a resident would use it: she taps her area in
the list and lands on its services, with JavaScript (no history entry, axe
clean) and without; in English and in Arabic; no sideways scroll, no cookie."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser
axe = Axe()

PHONE = {"width": 360, "height": 740}


def address(lang: str) -> str:
    return "/help-near-you" if lang == "en" else f"/{lang}/help-near-you"


def focused(page, element_id: str) -> None:
    page.wait_for_function(f"document.activeElement?.id === '{element_id}'")


def in_view(page, selector: str) -> bool:
    """On screen, and below the quick exit (which stays at the top), not under it."""
    return page.locator(selector).evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " const bar = document.querySelector('.exit-bar').getBoundingClientRect();"
        " return r.top >= bar.bottom - 1 && r.bottom <= innerHeight; }")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_with_javascript_her_area_is_one_tap_away_and_leaves_no_history(new_page, lang):
    page = new_page(**PHONE)
    page.goto(address(lang))
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth")
    entries = page.evaluate("history.length")
    assert not in_view(page, "#area-eastfield")
    page.locator('a[href="#area-eastfield"]').click()
    focused(page, "area-eastfield")
    assert in_view(page, "#area-eastfield")
    assert page.evaluate("history.length") == entries
    # The services under it are hers; the example is marked as one.
    area = page.locator("section.area", has=page.locator("#area-eastfield"))
    assert area.locator(".example-tag").count() == 1
    assert area.locator('a.tel[href="tel:01134960001"]').count() == 1
    page.locator('a[href="#national"]').click()
    focused(page, "national")
    assert page.evaluate("history.length") == entries
    assert page.context.cookies() == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_without_javascript_the_list_still_jumps_to_her_area(new_page, lang):
    page = new_page(javascript=False, **PHONE)
    page.goto(address(lang))
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth")
    assert page.locator("#quick-exit").is_visible()
    assert not in_view(page, "#area-millbrook")
    page.locator('a[href="#area-millbrook"]').click()
    page.wait_for_url("**#area-millbrook")
    assert in_view(page, "#area-millbrook")
    assert page.context.cookies() == []
