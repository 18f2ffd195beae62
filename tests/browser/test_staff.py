"""An officer made with the command signs in in Chromium and opens a referral."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import staff_sign_in

pytestmark = pytest.mark.browser


def test_officer_signs_in_and_opens_a_fresh_referral(live_app, new_page):
    result = live_app.test_cli_runner().invoke(
        args=["staff", "create", "browser.officer@example.org", "--role", "officer"],
        input="a long pass phrase\na long pass phrase\n")
    assert result.exit_code == 0, result.output
    secret = result.output.split("TOTP secret: ")[1].split()[0]

    resident = new_page(javascript=False)
    resident.goto("/concern/questions")  # every page of the journey is at this one address
    for _ in range(20):
        if resident.get_by_role("button", name="Send").count():
            break
        if resident.locator("#seen").count():
            resident.locator("#seen").fill("A loud argument and a scream")
        if resident.locator("#method-0").count():
            resident.locator("#method-0").check()
        resident.get_by_role("button", name="Continue").click()
    resident.get_by_role("button", name="Send").click()
    reference = resident.locator(".reference").inner_text()

    page = staff_sign_in(new_page(), "browser.officer@example.org", secret)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("link", name=reference).click()
    page.wait_for_url(f"**/staff/referral/{reference}")
    assert "A loud argument and a scream" in page.inner_text("main")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    log = live_app.test_cli_runner().invoke(args=["audit", "export"]).output
    assert f'"action": "referral.view", "reference": "{reference}"' in log

    # The reporter stayed anonymous: any call sets aside what they asked.
    page.get_by_label("Phone call").check()
    page.get_by_label("No answer").check()
    page.get_by_role("button", name="Record the attempt").click()
    summary = page.locator("#error-summary")
    assert "This attempt sets aside what the person asked" in summary.inner_text()
    assert "a way of contacting them they did not choose" in summary.inner_text()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_label("I am setting these safe-contact rules aside").check()
    page.get_by_label("Why it cannot wait").fill("The police asked us to check on her today")
    page.get_by_role("button", name="Record the attempt").click()
    assert "Attempt recorded." in page.inner_text("main")
    page.get_by_label("Note", exact=True).fill("Left it with the neighbourhood officer")
    page.get_by_role("button", name="Add the note").click()
    assert "Left it with the neighbourhood officer" in page.inner_text("main")
    page.get_by_label("Referred to MARAC").check()
    page.get_by_role("button", name="Close the referral").click()
    assert "Referral closed." in page.inner_text("main")
    page.get_by_role("link", name="Reports").click()
    assert "Referrals by week, kind and language" in page.inner_text("main")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
