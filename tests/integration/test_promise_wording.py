"""The promise residents read comes from the promise setting, on every page
that states it: a landlord on the same-working-day promise never shows a
24-hour one."""

import pytest


@pytest.mark.parametrize(("site", "home", "start"), [
    ({}, "We will get in touch within 24 hours.",
     "We will get in touch within 24 hours, at a time you tell us is safe."),
    ({"promise_hours": 12}, "We will get in touch within 12 hours.",
     "We will get in touch within 12 hours, at a time you tell us is safe."),
    ({"promise_hours": 1}, "We will get in touch within 1 hour.",
     "We will get in touch within 1 hour, at a time you tell us is safe."),
    ({"promise": "same-working-day"},
     "We will get in touch the same working day, or by the end of the next working day",
     "We will get in touch the same working day, or by the end of the next working day if "
     "you write late in the day or when we are closed, at a time you tell us is safe."),
])
def test_the_promise_follows_the_setting(make_app, site, home, start):
    client = make_app(SITE=site).test_client()
    pages = {"/": home, "/ask": start}
    for path, wanted in pages.items():
        html = client.get(path).get_data(as_text=True)
        assert wanted in html, path
        if site.get("promise") or site.get("promise_hours"):
            assert "24 hours" not in html, path


def test_the_promise_is_translated(make_app):
    client = make_app(SITE={"promise": "same-working-day"}).test_client()
    assert "same working day" not in client.get("/cy/").get_data(as_text=True)
