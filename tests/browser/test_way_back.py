"""The way back in Chromium, as a resident and an officer would use it
(issue 15, "Done means"): she asks to be written to on this site with a
passphrase; the officer sees it due and writes a reply; she comes back with
her reference and passphrase, reads it, sees "We wrote to you here" in what
has happened, writes back and changes her safe days; the officer sees her
news at the top of the queue and the changed rule. Wrong, unknown and closed
look the same; the sixth try is refused. No page adds a history entry, axe
finds nothing, nothing scrolls sideways at 360 px, in English and in Urdu."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import staff_sign_in

pytestmark = pytest.mark.browser

PASSPHRASE = "lantern orchard quietly humming"
OFFICER = "way.back.officer@example.org"
axe = Axe()


def clean(page):
    results = axe.run(page)
    assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth"), page.url


def heading(page):
    return page.locator("main h1")


def officer_page(live_app, new_page):
    result = live_app.test_cli_runner().invoke(
        args=["staff", "create", OFFICER, "--role", "officer"],
        input="a long pass phrase\na long pass phrase\n")
    assert result.exit_code == 0, result.output
    secret = result.output.split("TOTP secret: ")[1].split()[0]
    return staff_sign_in(new_page(), OFFICER, secret)


def ask_to_be_written_to(page):
    page.goto("/ask")
    page.get_by_role("link", name="Start now").click()
    expect(heading(page)).to_have_text("Are you in danger right now?")
    page.wait_for_load_state()  # site.js has run: the journey adds no history
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("How can we contact you safely?")
    page.get_by_label("Write to me on this site").check()
    page.get_by_role("button", name="Continue").click()
    # The next question is shown before the loop reads its heading.
    expect(heading(page)).not_to_have_text("How can we contact you safely?")
    for _ in range(12):
        if heading(page).inner_text() == "Your way back to this request":
            break
        before = heading(page).inner_text()
        page.get_by_role("button", name="Continue").click()
        expect(heading(page)).not_to_have_text(before)
    clean(page)
    reserved = page.locator(".reference").inner_text()
    page.get_by_label("Choose a passphrase").fill("short")
    page.get_by_label("Type your passphrase again").fill("short")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#error-summary")).to_contain_text("at least 10 characters")
    assert page.get_by_label("Choose a passphrase").input_value() == ""
    clean(page)
    page.get_by_label("Choose a passphrase").fill(PASSPHRASE)
    page.get_by_label("Type your passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Check your answers")
    assert "Chosen (it is never shown)" in page.inner_text("main")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(heading(page)).to_have_text("We have your request")
    reference = page.locator(".reference").inner_text()
    assert reference == reserved
    assert "We will write to you here by" in page.inner_text("main")
    return reference


def come_back(page, reference, passphrase=PASSPHRASE, path="/return"):
    page.goto(path)
    page.locator("input[name=reference]").fill(reference)
    page.locator("input[name=passphrase]").fill(passphrase)
    page.evaluate("document.body.dataset.before = 'yes'")
    page.locator("form.question button[type=submit]").click()
    expect(page.locator("body[data-before]")).to_have_count(0)  # the answer replaced it


def test_a_written_conversation(live_app, new_page):
    resident = new_page(width=360, height=740)
    reference = ask_to_be_written_to(resident)

    officer = officer_page(live_app, new_page)
    officer.get_by_role("link", name=reference).first.click()
    officer.wait_for_url(f"**/staff/referral/{reference}")
    officer.get_by_label("Your reply").fill("Thank you for writing. When is a good time to talk?")
    officer.get_by_role("button", name="Add the reply for them to read").click()
    expect(officer.locator("main")).to_contain_text("When is a good time to talk?")

    start = resident.evaluate("history.length")
    come_back(resident, reference)
    expect(heading(resident)).to_have_text("Your request")
    main = resident.inner_text("main")
    assert "When is a good time to talk?" in main and "We wrote to you here" in main
    assert OFFICER not in resident.content()
    clean(resident)
    resident.get_by_label("Write to us").fill("Evenings after 7 are safe. Not Tuesdays.")
    resident.get_by_role("button", name="Send", exact=True).click()
    expect(resident.locator(".notice-banner")).to_contain_text("Sent.")
    expect(resident.locator("main")).to_contain_text("Evenings after 7 are safe.")

    resident.get_by_role("button", name="Change how and when we contact you").click()
    expect(heading(resident)).to_have_text("How can we contact you safely?")
    clean(resident)
    resident.get_by_label("A text message").check()
    resident.get_by_role("button", name="Continue").click()
    expect(heading(resident)).to_have_text("Your phone number")
    resident.get_by_label("Phone number").fill("020 7946 0999")
    resident.get_by_role("button", name="Continue").click()
    expect(heading(resident)).to_have_text("When is it safe to contact you?")
    resident.get_by_label("Monday").check()
    resident.get_by_label("Evening (5pm to 9pm)").check()
    resident.get_by_role("button", name="Continue").click()
    expect(heading(resident)).to_have_text(
        "If you do not answer, can we leave a voicemail or a message?")
    resident.get_by_label("No, never leave a message").check()
    resident.get_by_role("button", name="Continue").click()
    expect(heading(resident)).not_to_have_text(
        "If you do not answer, can we leave a voicemail or a message?")
    for _ in range(8):
        if heading(resident).inner_text() == "Check how and when we will contact you":
            break
        before = heading(resident).inner_text()
        resident.get_by_role("button", name="Continue").click()
        expect(heading(resident)).not_to_have_text(before)
    clean(resident)
    resident.get_by_role("button", name="Save these changes").click()
    expect(resident.locator("main")).to_contain_text("You changed how and when we contact you")
    assert resident.evaluate("history.length") == start + 1  # only the address she typed
    assert resident.title().startswith("Come back to a request")

    officer.goto("/staff/")
    news = officer.locator("#news + .table-scroll")
    expect(news).to_contain_text(reference)
    expect(news).to_contain_text("New message")
    officer.locator("#news + .table-scroll").get_by_role("link", name=reference).click()
    main = officer.inner_text("main")
    assert "Evenings after 7 are safe." in main and "020 7946 0999" in main
    assert "Changed by the resident" in main or "changed by the resident" in main
    clean(officer)

    # Leaving ends the visit at once; the quick exit does too.
    resident.get_by_role("button", name="Leave my way back").click()
    expect(heading(resident)).to_have_text("Open your way back")


def test_wrong_unknown_and_shut_in_urdu_on_a_phone(live_app, new_page):
    resident = new_page(width=360, height=740)
    reference = ask_to_be_written_to(resident)
    answers = []
    for typed in ((reference, "not my passphrase"), ("XXX-XXX", PASSPHRASE)):
        come_back(resident, *typed, path="/ur/return")
        answers.append(resident.locator("#error-summary").inner_text())
        assert resident.get_attribute("html", "dir") == "rtl"
        clean(resident)
    assert answers[0] == answers[1]
    for number in range(4):
        come_back(resident, reference, f"another wrong guess {number}", path="/ur/return")
    come_back(resident, reference, path="/ur/return")  # the right one, too late
    expect(resident.locator(".panel--warning")).to_have_count(1)
    clean(resident)


SUB_PAGES = [("I am in danger now", "If you are in danger now, call 999"),
             ("Add something you forgot", "Add something you forgot"),
             ("Ask us to stop contacting you", "Ask us to stop contacting you"),
             ("Close this way back", "Close this way back"),
             ("More: if someone might make you open this", "If someone might make you open this")]


def walk_sub_pages(page, check=None):
    """Open each of the way back's own pages and come back from it; ``check``
    (axe and sideways scroll) runs where the page runs scripts."""
    for button, title in SUB_PAGES:
        page.get_by_role("button", name=button).click()
        expect(heading(page)).to_have_text(title)
        assert "999" in page.inner_text("body")
        if check:
            check(page)
        page.get_by_role("button", name="Back", exact=True).click()
        expect(heading(page)).to_have_text("Your request")


def test_every_page_without_javascript_on_a_phone(live_app, new_page):
    resident = new_page(width=360, height=740)
    reference = ask_to_be_written_to(resident)
    come_back(resident, reference)
    expect(heading(resident)).to_have_text("Your request")
    walk_sub_pages(resident, check=clean)  # with scripts: axe on every page
    plain = new_page(javascript=False, width=360, height=740)
    plain.goto("/return")
    plain.locator("input[name=reference]").fill(reference)
    plain.locator("input[name=passphrase]").fill(PASSPHRASE)
    plain.locator("form.question button[type=submit]").click()
    expect(heading(plain)).to_have_text("Your request")
    walk_sub_pages(plain)  # without: the same pages, plain forms
    plain.get_by_label("Write to us").fill("Written without JavaScript")
    plain.get_by_role("button", name="Send", exact=True).click()
    expect(plain.locator("main")).to_contain_text("Written without JavaScript")
    plain.get_by_role("link", name="Leave this site now").click()
    plain.wait_for_url("**/neutral")
    plain.goto("/return")
    expect(heading(plain)).to_have_text("Open your way back")
