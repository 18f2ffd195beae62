"""Both journeys in a real Chromium: with and without JavaScript, on a phone,
in Arabic; the history stays one entry; the quick exit works on every step."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser
axe = Axe()


def go_on(page, error=False):
    """Press the page's button; wait for the next page, or for the error summary."""
    before = page.url
    page.get_by_role("button", name=re.compile("Continue|Send|متابعة|إرسال")).click()
    if error:
        page.locator("#error-summary").wait_for()
    else:
        page.wait_for_url(lambda url: url != before)
        page.wait_for_load_state()


def no_axe_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"


def no_sideways_scroll(page):
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth"), page.url


def ask_by_text(page, check_each=False):
    """Ask for help by text message, as someone on a phone would."""
    page.get_by_role("link", name="Start now").click()
    page.wait_for_url("**/ask/danger")
    page.get_by_role("radio", name="No", exact=True).check()
    go_on(page)
    page.wait_for_url("**/ask/contact")
    go_on(page, error=True)  # forgot to choose: the error summary says so
    assert page.locator("#error-summary").is_visible()
    assert page.evaluate("document.activeElement.id") in ("error-summary", "")
    if check_each:
        no_axe_violations(page)
    page.get_by_label("A text message").check()
    go_on(page)
    page.wait_for_url("**/ask/phone")
    page.get_by_label("Phone number").fill("020 7946 0018")
    go_on(page)
    page.wait_for_url("**/ask/safe-times")
    page.get_by_label("Any time is safe").check()
    go_on(page)
    page.wait_for_url("**/ask/messages")
    page.get_by_label("No, never leave a message").check()
    go_on(page)
    while "/check" not in page.url:
        if check_each:
            no_axe_violations(page)
            no_sideways_scroll(page)
        go_on(page)
    assert "020 7946 0018" in page.inner_text("main")
    if check_each:
        no_axe_violations(page)
    go_on(page)
    page.wait_for_url("**/ask/sent")
    return page.inner_text("main")


def test_ask_with_javascript_on_a_phone(new_page, live_server):
    page = new_page(width=360, height=740)
    page.goto("/")
    page.get_by_role("link", name="Ask for help for yourself").click()
    page.wait_for_url("**/ask")
    length = page.evaluate("history.length")
    text = ask_by_text(page, check_each=True)
    assert "We will text you" in text
    assert re.search(r"[346789BCDFGHJKMNPQRTVWXY]{3}-[346789BCDFGHJKMNPQRTVWXY]{3}", text)
    assert page.evaluate("history.length") == length  # the whole journey: no new entry
    no_axe_violations(page)
    no_sideways_scroll(page)


def test_ask_without_javascript(new_page):
    page = new_page(javascript=False, width=360)
    page.goto("/ask")
    assert "We will text you" in ask_by_text(page)


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_concern_in_arabic(new_page, javascript):
    page = new_page(javascript=javascript, width=360)

    def looks_right():
        if javascript:  # axe and layout checks run scripts in the page
            no_axe_violations(page)
            no_sideways_scroll(page)

    page.goto("/ar/concern")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("a.button").click()
    page.locator("#danger-1").check()
    go_on(page)
    page.locator("#relationship-2").check()
    go_on(page)
    go_on(page, error=True)  # nothing typed: the one required answer
    assert page.locator("#error-summary").is_visible()
    looks_right()
    page.locator("#seen").fill("صراخ كل ليلة")
    go_on(page)
    while "/your-details" not in page.url:
        go_on(page)
    page.locator("#method-0").check()  # anonymous
    go_on(page)
    assert "صراخ كل ليلة" in page.inner_text("main")
    go_on(page)
    page.wait_for_url("**/ar/concern/sent")
    looks_right()


def test_back_links_go_back_without_adding_history(page):
    page.goto("/concern")
    page.locator("a.button").click()
    page.wait_for_url("**/concern/danger")
    length = page.evaluate("history.length")
    go_on(page)
    page.wait_for_url("**/concern/relationship")
    page.get_by_role("link", name="Back").click()
    page.wait_for_url("**/concern/danger")
    assert page.evaluate("history.length") == length


def test_quick_exit_in_the_middle_of_a_journey(page, neutral, live_server):
    page.goto(f"{neutral}/start?to={live_server}/concern")
    page.click("#go")
    page.wait_for_url("**/concern")
    page.locator("a.button").click()
    page.wait_for_url("**/concern/danger")
    go_on(page)
    go_on(page)
    page.wait_for_url("**/concern/what-happened")
    page.locator("#seen").fill("Something I saw")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(f"{neutral}/neutral")
    page.go_back()
    assert page.url.startswith(f"{neutral}/start")
    page.goto(f"{live_server}/concern/check")  # the session went with the exit
    assert page.url.endswith("/concern")
