"""A comms officer writes a campaign in Chromium: the editor's pages pass axe
and fit a 360 px screen, left to right and right to left, with no
horizontal scroll outside the table regions."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import staff_sign_in

pytestmark = pytest.mark.browser

OVERFLOW = """() => {
  const wide = document.documentElement.scrollWidth > window.innerWidth + 1;
  const culprits = [...document.querySelectorAll('main *')].filter(el =>
    !el.closest('.table-scroll') && el.getBoundingClientRect().right > window.innerWidth + 1
    && getComputedStyle(el).position !== 'absolute');
  return {wide, culprits: culprits.slice(0, 5).map(el => el.outerHTML.slice(0, 120))};
}"""


def test_a_comms_officer_writes_and_previews_a_campaign(live_app, new_page):
    result = live_app.test_cli_runner().invoke(
        args=["staff", "create", "browser.comms@example.org", "--role", "comms"],
        input="a long pass phrase\na long pass phrase\n")
    assert result.exit_code == 0, result.output
    secret = result.output.split("TOTP secret: ")[1].split()[0]
    page = new_page()
    page.set_viewport_size({"width": 360, "height": 800})
    staff_sign_in(page, "browser.comms@example.org", secret, landing="**/staff/content/")

    def sound(where):
        results = Axe().run(page)
        assert results.violations_count == 0, (where, results.generate_report())
        for direction in ("ltr", "rtl"):
            page.evaluate(f"document.documentElement.dir = '{direction}'")
            found = page.evaluate(OVERFLOW)
            assert not found["wide"] and not found["culprits"], (where, direction, found)
        page.evaluate("document.documentElement.dir = 'ltr'")

    sound("list")
    # On a phone each document is a block: nothing of the list is off to the side.
    region = page.locator(".table-scroll[aria-labelledby=all-documents]")
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth")
    page.get_by_role("link", name="New page or campaign").click()
    sound("new")
    page.get_by_label("A campaign").check()
    page.get_by_label("Address").fill("browser-week")
    page.get_by_role("button", name="Continue to the English").click()
    page.wait_for_url("**/staff/content/campaigns/browser-week/en")
    sound("edit")
    page.get_by_label("Title").fill("Browser Week")
    page.get_by_label("Summary").fill("A week of browsing safely.")
    page.get_by_label("First day it shows").fill("2026-11-25")
    page.get_by_label("Banner on the home page").fill("Browser Week is here")
    page.get_by_label("Text", exact=True).fill("## Why\n\nRead [Clare's Law](/clares-law).")
    page.get_by_role("button", name="Preview").click()
    assert "Browser Week" in page.inner_text("h1")
    sound("preview")
    page.get_by_role("button", name="Back to editing").click()
    assert page.get_by_label("Title").input_value() == "Browser Week"
    page.get_by_label("First day it shows").fill("")
    page.get_by_role("button", name="Save draft").click()
    assert "Enter the first day it shows" in page.inner_text("#error-summary")
    sound("edit with errors")
    page.get_by_label("First day it shows").fill("2026-11-25")
    page.get_by_role("button", name="Save draft").click()
    assert "Draft saved" in page.inner_text("main")
    page.get_by_role("link", name="History").click()
    sound("history")
