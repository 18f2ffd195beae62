"""Signing in with a password and a code, the queue, and a referral's page."""

import re
from datetime import timedelta

from tests.conftest import ASK_BY_PHONE, Walker
from tests.staff import PASSWORD, add_officer, post, sign_in
from webapp import db
from webapp.staff import audit


def test_everything_needs_signing_in(site):
    client = site.test_client()
    assert client.get("/staff/").headers["Location"] == "/staff/login"
    assert client.get("/staff/referral/K7M-4QP").headers["Location"] == "/staff/login"


def test_sign_in_and_see_the_queue_and_a_referral(site, clock):
    resident = Walker(site.test_client())
    resident.walk("/ask", ASK_BY_PHONE)
    resident.send("/ask")
    client = site.test_client()
    login_page = client.get("/staff/login").get_data(as_text=True)
    assert 'autocomplete="username"' in login_page
    assert 'autocomplete="current-password"' in login_page
    assert sign_in(site, client, clock).headers["Location"] == "/staff/"
    queue = client.get("/staff/").get_data(as_text=True)
    reference = re.search(r"/staff/referral/([^\"]+)\"", queue).group(1)
    page = client.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert page.index("Safe contact: read this first") < page.index("zebra-quartz-7731")
    assert "pineapple" in page and "020 7946 0018" in page
    with site.app_context():
        actions = [(e.actor, e.action, e.reference) for e in audit.entries(db.session())]
    assert ("officer@example.org", "referral.view", reference) in actions


def test_wrong_details_say_the_same_whether_or_not_the_account_exists(site, clock):
    client = site.test_client()
    unknown = post(client, "/staff/login", {"email": "nobody@example.org", "password": PASSWORD})
    wrong = post(client, "/staff/login", {"email": "officer@example.org", "password": "wrong!"})
    assert unknown.status_code == wrong.status_code == 200
    message = "Those details did not work"
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)


def test_lockout_after_five_failures(site, clock):
    client = site.test_client()
    for _ in range(5):
        post(client, "/staff/login", {"email": "officer@example.org", "password": "wrong!"})
    assert sign_in(site, client, clock).status_code == 200  # locked, even with the right one
    clock["now"] += timedelta(minutes=16)
    assert sign_in(site, client, clock).headers["Location"] == "/staff/"


def test_a_code_works_once(site, clock):
    first = site.test_client()
    assert sign_in(site, first, clock).headers["Location"] == "/staff/"
    second = site.test_client()
    assert sign_in(site, second, clock).status_code == 200  # the same code again


def test_idle_sessions_end(site, clock):
    client = site.test_client()
    sign_in(site, client, clock)
    clock["now"] += timedelta(minutes=14)
    assert client.get("/staff/").status_code == 200
    clock["now"] += timedelta(minutes=16)
    assert client.get("/staff/").headers["Location"] == "/staff/login"


def test_sign_out(site, clock):
    client = site.test_client()
    sign_in(site, client, clock)
    page = client.get("/staff/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/").headers["Location"] == "/staff/login"


def test_two_officers_assign_at_once_and_one_wins(site, clock):
    resident = Walker(site.test_client())
    resident.walk("/concern", [("danger", {}), ("relationship", {}),
                               ("what-happened", {"seen": "x"}), ("the-person", {}),
                               ("do-they-know", {}), ("not-safe", {}), ("reaching-them", {}),
                               ("your-details", {"method": "none"}), ("way-back", {})])
    resident.send("/concern")
    first = site.test_client()
    sign_in(site, first, clock)
    add_officer(site, "second@example.org", clock)
    second = site.test_client()
    sign_in(site, second, clock, email="second@example.org")
    reference = re.search(r"/staff/referral/([^\"]+)\"",
                          first.get("/staff/").get_data(as_text=True)).group(1)
    pages = [c.get(f"/staff/referral/{reference}").get_data(as_text=True) for c in (first, second)]
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', p).group(1) for p in pages]
    results = [c.post(f"/staff/referral/{reference}/assign", data={"csrf_token": t},
                      follow_redirects=True).get_data(as_text=True)
               for c, t in zip((first, second), tokens, strict=True)]
    assert "Assigned to you." in results[0]
    assert "Someone else took this referral first." in results[1]
    assert "Assigned to officer@example.org" in results[1]
    assert reference in first.get("/staff/mine").get_data(as_text=True)
    assert reference not in second.get("/staff/mine").get_data(as_text=True)
    assert reference not in second.get("/staff/unassigned").get_data(as_text=True)


def test_queue_filters_by_kind_and_language(site, clock):
    resident = Walker(site.test_client())
    resident.walk("/cy/concern", [("danger", {}), ("relationship", {}),
                                  ("what-happened", {"seen": "x"}), ("the-person", {}),
                                  ("do-they-know", {}), ("not-safe", {}), ("reaching-them", {}),
                                  ("your-details", {"method": "none"}), ("way-back", {})])
    resident.send("/cy/concern")
    client = site.test_client()
    sign_in(site, client, clock)
    references = re.findall(r"/staff/referral/([^\"]+)\"", client.get("/staff/").get_data(
        as_text=True))
    assert len(references) == 1
    assert references[0] in client.get("/staff/?kind=concern&language=cy").get_data(as_text=True)
    assert references[0] not in client.get("/staff/?kind=self").get_data(as_text=True)
    assert references[0] not in client.get("/staff/?language=ar").get_data(as_text=True)
    assert client.get("/staff/?kind=<script>").status_code == 200
