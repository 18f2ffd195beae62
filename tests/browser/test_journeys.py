"""Both journeys in a real Chromium: with and without JavaScript, on a phone,
in Arabic; the history stays one entry, and every page of a journey has the
same address and title whatever was answered; the quick exit works on every
step."""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
axe = Axe()
ASK = ("/ask/questions", "Ask for help for yourself – Northgate Homes (demo)")


def place(page):
    """What the history list keeps of the page: its address and its title."""
    return urlsplit(page.url).path, page.title()


def heading(page):
    return page.locator("main h1")


def go_on(page, error=False, trail=None):
    """Press the page's button; wait for the next page (its own <h1>: the
    address stays the same), or for the error summary. ``trail`` collects
    (address, title) after each page."""
    before = heading(page).inner_text()
    page.get_by_role("button", name=re.compile("^(Continue|Send|متابعة|إرسال)$")).click()
    if error:
        page.locator("#error-summary").wait_for()
    else:
        expect(heading(page)).not_to_have_text(before)
        page.wait_for_load_state()
    if trail is not None:
        trail.add(place(page))


def no_axe_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"


def no_sideways_scroll(page):
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth"), page.url


def ask_by_text(page, check_each=False):
    """Ask for help by text message, as someone on a phone would. Every page
    after the start is at one address, under the journey's title."""
    trail = set()
    page.get_by_role("link", name="Start now").click()
    expect(heading(page)).to_have_text("Are you in danger right now?")
    page.wait_for_load_state()  # site.js has run (see test_back_buttons_go_back...)
    trail.add(place(page))
    page.get_by_role("radio", name="No", exact=True).check()
    go_on(page, trail=trail)
    expect(heading(page)).to_have_text("How can we contact you safely?")
    go_on(page, error=True)  # forgot to choose: the error summary says so
    assert page.locator("#error-summary").is_visible()
    assert page.evaluate("document.activeElement.id") in ("error-summary", "")
    assert page.title() == f"Error: {ASK[1]}"
    if check_each:
        no_axe_violations(page)
    page.get_by_label("A text message").check()
    go_on(page, trail=trail)
    expect(heading(page)).to_have_text("Your phone number")
    page.get_by_label("Phone number").fill("020 7946 0018")
    go_on(page, trail=trail)
    expect(heading(page)).to_have_text("When is it safe to contact you?")
    page.get_by_label("Any time is safe").check()
    go_on(page, trail=trail)
    expect(heading(page)).to_have_text(
        "If you do not answer, can we leave a voicemail or a message?")
    page.get_by_label("No, never leave a message").check()
    go_on(page, trail=trail)
    while heading(page).inner_text() != "Check your answers":
        if check_each:
            no_axe_violations(page)
            no_sideways_scroll(page)
        go_on(page, trail=trail)
    assert "020 7946 0018" in page.inner_text("main")
    if check_each:
        no_axe_violations(page)
    go_on(page, trail=trail)
    expect(heading(page)).to_have_text("We have your request")
    assert trail == {ASK}, trail  # the history list: one address, the journey's title
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
    title = page.title()  # the journey's name, in Arabic
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
    while not page.locator("#method-0").count():  # on to "can we contact you?"
        go_on(page)
    page.locator("#method-0").check()  # anonymous
    go_on(page)
    assert page.locator("#way_back-1").is_checked()  # a way back: offered, "no" by default
    looks_right()
    go_on(page)
    assert "صراخ كل ليلة" in page.inner_text("main")
    go_on(page)
    assert page.locator(".reference").is_visible()
    assert place(page) == ("/ar/concern/questions", title)
    looks_right()


def test_back_buttons_go_back_without_adding_history(page):
    page.goto("/concern")
    page.locator("a.button").click()
    expect(heading(page)).to_have_text("Is the person in danger right now?")
    # The heading shows before site.js (at the end of the body) has run; a
    # press before then is an ordinary form post, which adds an entry.
    page.wait_for_load_state()
    length = page.evaluate("history.length")
    go_on(page)
    expect(heading(page)).to_have_text("Who are they to you?")
    page.get_by_role("button", name="Back").click()
    expect(heading(page)).to_have_text("Is the person in danger right now?")
    assert page.evaluate("history.length") == length
    page.get_by_role("button", name="Back").click()  # from the first page: the start page
    page.wait_for_url("**/concern")
    assert page.evaluate("history.length") == length


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_in_danger_and_a_meeting_place_leave_nothing_in_the_history_list(new_page, javascript):
    """The answers that used to name pages (/ask/in-danger, /ask/meeting-place):
    the address and the title stay the journey's, through Back, Change, a
    reload, the browser's Back and Forward, Send and the confirmation."""
    page = new_page(javascript=javascript)
    page.goto("/ask")
    page.get_by_role("link", name="Start now").click()
    trail = {place(page)}
    page.get_by_role("radio", name="Yes", exact=True).check()
    go_on(page, trail=trail)
    expect(heading(page)).to_have_text("If you are in danger now, call 999")
    go_on(page, trail=trail)
    page.get_by_label("In person, somewhere safe").check()
    go_on(page, trail=trail)
    expect(heading(page)).to_have_text("Where would be safe to meet?")
    page.get_by_role("button", name="Back").click()
    expect(heading(page)).to_have_text("How can we contact you safely?")
    go_on(page, trail=trail)
    page.get_by_label("Where would be safe to meet?").fill("The library")
    page.get_by_label("How can we get in touch to arrange it?").fill("Text 07700 900123")
    go_on(page, trail=trail)
    page.reload()
    expect(heading(page)).to_have_text("When is it safe to contact you?")  # the same page
    trail.add(place(page))
    page.get_by_label("Any time is safe").check()
    while heading(page).inner_text() != "Check your answers":
        go_on(page, trail=trail)
    page.get_by_role("button", name=re.compile("^Change Where would be safe to meet")).click()
    expect(heading(page)).to_have_text("Where would be safe to meet?")
    go_on(page, trail=trail)
    expect(heading(page)).to_have_text("Check your answers")  # straight back
    if not javascript:
        # Every entry the journey added is this same address: the browser's
        # Back shows the page the draft is at, and the page's own Back button
        # goes back a question (with JavaScript there are no entries to go to).
        page.go_back()
        expect(heading(page)).to_have_text("Check your answers")
        page.go_forward()
        expect(heading(page)).to_have_text("Check your answers")
        trail.add(place(page))
    go_on(page, trail=trail)
    expect(heading(page)).to_have_text("We have your request")
    page.reload()  # shown once, then gone
    expect(heading(page)).to_have_text("Are you in danger right now?")
    trail.add(place(page))
    assert trail == {ASK}, trail
    page.goto("/ask/meeting-place")  # an address from before: the start page
    assert place(page) == ("/ask", ASK[1])


def test_quick_exit_in_the_middle_of_a_journey(page, neutral, live_server):
    page.goto(f"{neutral}/start?to={live_server}/concern")
    page.click("#go")
    page.wait_for_url("**/concern")
    page.locator("a.button").click()
    expect(heading(page)).to_have_text("Is the person in danger right now?")
    page.wait_for_load_state()  # site.js has run: Shift leaves
    go_on(page)
    go_on(page)
    expect(heading(page)).to_have_text("What have you seen or heard?")
    page.locator("#seen").fill("Something I saw")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(f"{neutral}/neutral")
    page.go_back()
    assert page.url.startswith(f"{neutral}/start")
    page.goto(f"{live_server}/concern/questions")  # the session went with the exit
    expect(heading(page)).to_have_text("Is the person in danger right now?")
