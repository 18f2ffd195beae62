"""The "is this abuse?" check in a real Chromium, on a phone, in English and
Arabic, with and without JavaScript: the answer comes at the same address
under the same title, danger first; with JavaScript the history gains no
entry; no cookie is ever set; axe finds nothing (with JavaScript only: axe
waits for ever in a page without scripts)."""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser
axe = Axe()


def place(page):
    """What the history list keeps of the page: its address and its title."""
    return urlsplit(page.url).path, page.title()


def looks_right(page, javascript):
    if javascript:
        results = axe.run(page)
        assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"
        assert not page.evaluate("document.documentElement.scrollWidth > innerWidth"), page.url


def send(page):
    """Press the check's button and wait for the answer (its "what you can
    do" links; the address stays the same)."""
    page.locator("main form button[type=submit]").click()
    page.locator("main .paths").wait_for()
    page.wait_for_load_state()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_is_this_abuse_on_a_phone(new_page, lang, javascript):
    page = new_page(javascript=javascript, width=360, height=740)
    home = "/" if lang == "en" else f"/{lang}/"
    page.goto(home)
    page.locator('main a[href$="/is-this-abuse"]').click()
    page.wait_for_url("**/is-this-abuse")
    if lang == "ar":
        assert page.locator("html").get_attribute("dir") == "rtl"
    check = place(page)
    length = page.evaluate("history.length")
    looks_right(page, javascript)

    page.locator("#tick-decides").check()
    page.locator("#tick-neck").check()
    send(page)
    assert place(page) == check  # the history list keeps nothing of the answers
    if javascript:
        assert page.evaluate("history.length") == length
    main = page.locator("main")
    danger = main.locator("#danger-heading")
    assert danger.is_visible()
    # Danger first: 999 and 55 before what the ticks mean.
    order = page.evaluate("""() => {
        const box = document.querySelector('main .danger-box');
        const first = document.querySelector('main h2:not(#danger-heading)');
        return !!(box.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert order
    box = main.locator(".danger-box").inner_text()
    assert "999" in box and "55" in box
    assert main.locator("h3").count() >= 2  # the forms of abuse ticked, and next steps
    help_near = "/help-near-you" if lang == "en" else f"/{lang}/help-near-you"
    assert main.locator(f'a[href="{help_near}"]').count() == 1
    looks_right(page, javascript)

    # Back to the list, and this time nothing ticked: a friendly answer.
    page.locator("main .again a").click()
    page.wait_for_url("**/is-this-abuse")
    assert not page.locator("#tick-neck").is_checked()
    send(page)
    assert place(page) == check
    assert page.locator("#danger-heading").count() == 0
    assert page.locator("#error-summary").count() == 0
    if lang == "en":
        assert "You did not tick anything" in page.inner_text("main")
    if javascript:
        assert page.evaluate("history.length") == length
        page.reload()  # the address is the check's: reloading shows the empty check
        assert place(page) == check
        assert page.locator("#tick-neck").count() == 1
        assert page.evaluate("history.length") == length
    assert page.context.cookies() == []


def test_worried_about_someone_leads_to_a_concern(new_page):
    page = new_page(width=360, height=740)
    page.goto("/concern")
    page.locator('main a[href="/is-this-abuse/someone-else"]').click()
    page.wait_for_url("**/is-this-abuse/someone-else")
    check = place(page)
    assert check[1].startswith("Are they being abused?")
    length = page.evaluate("history.length")
    looks_right(page, True)
    page.locator("#tick-injuries").check()
    page.locator("#tick-fear_life").check()
    send(page)
    assert place(page) == check and page.evaluate("history.length") == length
    text = page.inner_text("main")
    assert text.index("They may be in danger") < text.index("What this means")
    looks_right(page, True)
    page.get_by_role("link", name="Tell us what you have noticed", exact=True).click()
    page.wait_for_url("**/concern")
    assert page.evaluate("history.length") == length
    assert page.context.cookies() == []
