"""The quick exit, the way a frightened person would use it."""

import re

import pytest

pytestmark = pytest.mark.browser


def arrive(page, neutral, live_server, path="/"):
    """Come to our site from a neutral page, as from a search result."""
    page.goto(f"{neutral}/start?to={live_server}{path}")
    page.click("#go")
    page.wait_for_url(f"{live_server}{path}")


def assert_left(page, neutral):
    page.wait_for_url(f"{neutral}/neutral")
    assert page.locator("h1").inner_text() == "Weather"


def assert_back_does_not_return(page, neutral, live_server):
    page.go_back()
    assert page.url.startswith(f"{neutral}/start")  # where they were before our site
    assert not page.url.startswith(live_server)


def test_click_leaves_and_back_does_not_return(page, neutral, live_server):
    arrive(page, neutral, live_server)
    page.locator("footer").get_by_role("link", name="What we can do").click()
    page.wait_for_url("**/what-we-can-do")
    page.click("#quick-exit")
    assert_left(page, neutral)
    assert_back_does_not_return(page, neutral, live_server)


def test_moving_between_our_pages_adds_no_history(page, neutral, live_server):
    arrive(page, neutral, live_server)
    length = page.evaluate("history.length")
    for name in ("Recognising abuse", "Other help", "Using this site safely"):
        page.locator("footer").get_by_role("link", name=name).click()
        page.wait_for_load_state()
    page.get_by_role("link", name="Cymraeg").click()
    page.wait_for_url("**/cy/**")
    assert page.evaluate("history.length") == length


def test_content_is_hidden_before_the_navigation(page, live_server):
    page.goto("/")
    hidden = page.evaluate("""() => {
        document.getElementById('quick-exit').click();
        return getComputedStyle(document.body).display;
    }""")
    assert hidden == "none"


def test_shift_three_times(page, neutral, live_server):
    arrive(page, neutral, live_server)
    for _ in range(3):
        page.keyboard.press("Shift")
    assert_left(page, neutral)
    assert_back_does_not_return(page, neutral, live_server)


def test_shift_works_inside_a_text_field(page, live_server, neutral):
    page.goto("/")
    page.evaluate("""() => {
        const input = document.createElement('input');
        input.id = 'probe'; input.setAttribute('aria-label', 'probe');
        document.querySelector('main').prepend(input);
    }""")
    page.focus("#probe")
    page.keyboard.type("hello")
    for _ in range(3):
        page.keyboard.press("Shift")
    assert_left(page, neutral)


def test_capital_letters_do_not_count(page, live_server):
    page.goto("/")
    page.keyboard.press("Shift+A")
    page.keyboard.press("Shift+B")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url == f"{live_server}/"


def test_another_key_starts_the_count_again(page, live_server):
    page.goto("/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("x")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url == f"{live_server}/"


def test_screen_reader_hears_how_many_presses_are_left(page, live_server):
    page.goto("/")
    status = page.locator("#exit-status")
    assert status.get_attribute("aria-live") == "assertive"
    page.keyboard.press("Shift")
    assert status.inner_text() == "Press Shift 2 more times to leave this site."
    page.keyboard.press("Shift")
    assert status.inner_text() == "Press Shift 1 more time to leave this site."


def test_escape_twice(page, neutral, live_server):
    arrive(page, neutral, live_server)
    page.keyboard.press("Escape")
    assert page.locator("#exit-status").inner_text() == "Press Escape once more to leave this site."
    page.keyboard.press("Escape")
    assert_left(page, neutral)
    assert_back_does_not_return(page, neutral, live_server)


def test_one_escape_does_not_leave(page, live_server):
    page.goto("/")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url == f"{live_server}/"


def test_late_presses_do_not_cancel_the_exit(page, neutral, live_server):
    arrive(page, neutral, live_server)
    page.evaluate("""() => {
        document.getElementById('quick-exit').click();
        for (const key of ['Escape', 'Escape', 'a']) {
            document.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
        }
        window.stop();  // what a late Escape does to a page load
    }""")
    # The stopped navigation is started again; wait for it to arrive.
    for _ in range(50):
        if page.url == f"{neutral}/neutral":
            break
        page.wait_for_timeout(200)
    assert_left(page, neutral)


def test_without_javascript(new_page, neutral, live_server):
    page = new_page(javascript=False)
    page.goto("/ar/")
    exit_link = page.locator("#quick-exit")
    assert exit_link.get_attribute("href") == "/exit"
    assert re.search(r"\S", exit_link.inner_text())
    assert exit_link.inner_text() != "Leave this site now"  # in the visitor's language
    exit_link.click()
    assert_left(page, neutral)


def test_quick_exit_is_first_in_the_tab_order(page):
    page.goto("/safety-online")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/neutral$"))


@pytest.mark.parametrize("path", ["/", "/ar/safety-online", "/no-such-page"])
def test_always_in_view_on_a_phone(new_page, path):
    page = new_page(width=360, height=640)
    page.goto(path)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator("#quick-exit").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert box["height"] >= 24  # WCAG 2.2 target size


def test_exit_clears_what_the_site_left_in_the_browser(page, neutral, live_server):
    page.goto("/")
    page.evaluate("""() => {
        document.cookie = 'probe=1; path=/';
        localStorage.setItem('probe', '1');
        sessionStorage.setItem('probe', '1');
    }""")
    page.click("#quick-exit")
    assert_left(page, neutral)
    page.goto(f"{live_server}/")
    left = page.evaluate("() => [document.cookie, localStorage.length, sessionStorage.length]")
    assert left == ["", 0, 0]


def test_same_page_links_add_no_history(page, neutral, live_server):
    arrive(page, neutral, live_server, "/ask")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.click("#quick-exit")
    assert_left(page, neutral)
    assert_back_does_not_return(page, neutral, live_server)
