"""The way back (issue 15): a resident chooses a passphrase, comes back with
her reference to read and write, and nothing she does leaves the server
able to read it without the passphrase."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import CSRF, Walker
from webapp import db
from webapp.rules import wayback
from webapp.wayback.models import ReturnVisit, WayBack, WayBackEntry

PASSPHRASE = "lantern orchard quietly humming"
SECOND = "copper kettle winter seagull"

ASK_BY_SITE = [
    ("danger", {"danger": "no"}),
    ("contact", {"method": "site"}),
    ("letters", {"post_safe": "no"}),
    ("trusted-person", {}),
    ("language", {"language": "en"}),
    ("speaking-to", {"officer_gender": "any"}),
    ("accessibility", {}),
    ("what-would-help", {"help_more": "quartz-marmalade-5512"}),
    ("about-you", {}),
]
TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
REFERENCE = re.compile(r'class="reference" dir="ltr">([A-Z0-9-]{7})<')


def send_with_way_back(walker, steps=ASK_BY_SITE, journey="/ask", passphrase=PASSPHRASE):
    walker.walk(journey, steps)
    shown, html = walker.page(journey)
    assert shown == "passphrase"
    reserved = REFERENCE.search(html).group(1)
    walker.walk(journey, [("passphrase", {"passphrase": passphrase,
                                          "passphrase_again": passphrase})])
    response = walker.send(journey, follow=True)
    html = response.get_data(as_text=True)
    reference = REFERENCE.search(html).group(1)
    assert reference == reserved
    return reference, html


def open_way_back(client, reference, passphrase=PASSPHRASE, path="/return"):
    html = client.get(path).get_data(as_text=True)
    token = CSRF.search(html).group(1)
    return client.post(path, data={"csrf_token": token, "go": "open", "reference": reference,
                                   "passphrase": passphrase})


def press(client, go, path="/return", **data):
    html = client.get(path).get_data(as_text=True)
    token = TOKEN.search(html).group(1)
    return client.post(path, data={"csrf_token": token, "go": go, **data})


@pytest.fixture
def app(site):
    return site


@pytest.fixture
def client(site):
    return site.test_client()


@pytest.fixture
def walker(client):
    return Walker(client)


def test_write_to_me_here_round_trip(app, client, walker):
    reference, html = send_with_way_back(walker)
    assert "We will write to you here by" in html
    response = open_way_back(client, reference)
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    cookie = client.get_cookie("qd_return")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    assert cookie.expires is None  # session-only
    page = client.get("/return").get_data(as_text=True)
    assert "We received your request" in page
    assert "There are no messages yet." in page
    response = press(client, "write", text="Tuesdays are no longer safe")
    assert response.status_code == 303
    page = client.get("/return").get_data(as_text=True)
    assert "Tuesdays are no longer safe" in page
    with app.app_context():
        entries = db.session().scalars(select(WayBackEntry)).all()
        kinds = [entry.kind for entry in entries]
        assert kinds == ["received", "message"]
        assert entries[1].due_at is not None
        assert b"Tuesdays" not in entries[1].for_staff


def entries(app, kind=None):
    with app.app_context():
        found = db.session().scalars(select(WayBackEntry).order_by(WayBackEntry.id)).all()
        return [entry for entry in found if kind is None or entry.kind == kind]


SAME_ANSWER = "We could not open that. Check both and try again."


def test_unknown_wrong_and_closed_look_the_same(app, client, walker, make_app):
    reference, _ = send_with_way_back(walker)
    wrong = open_way_back(client, reference, "not the right passphrase at all")
    unknown = open_way_back(client, "XXX-XXX" if reference != "XXX-XXX" else "YYY-YYY")
    malformed = open_way_back(client, "hello")
    assert open_way_back(client, reference).status_code == 303
    press(client, "close")  # from the home page: the close page's button
    closed = open_way_back(client, reference)
    answers = [wrong, unknown, malformed, closed]
    assert {response.status_code for response in answers} == {400}
    bodies = [re.sub(r'value="[^"]*"', "", r.get_data(as_text=True)) for r in answers]
    for body in bodies:
        assert SAME_ANSWER in body
    # The same page, but for the reference typed back into its box.
    assert len({body.replace(reference, "") .replace("XXX-XXX", "").replace("YYY-YYY", "")
                .replace("hello", "") for body in bodies}) == 1


def test_the_sixth_try_is_refused_for_an_hour(app, client, walker, clock):
    reference, _ = send_with_way_back(walker)
    for attempt in range(1, 6):
        response = open_way_back(site_client(app), reference, f"wrong guess number {attempt}x")
        assert response.status_code == (429 if attempt == 5 else 400), attempt
    shut = open_way_back(site_client(app), reference)  # the right one, from another client
    assert shut.status_code == 429
    assert "cannot be opened for an hour" in shut.get_data(as_text=True)
    clock["now"] += wayback.SHUT_FOR - timedelta(minutes=1)
    assert open_way_back(site_client(app), reference).status_code == 429
    clock["now"] += timedelta(minutes=2)
    assert open_way_back(site_client(app), reference).status_code == 303


def site_client(app):
    return app.test_client()


@pytest.mark.parametrize("passphrase, message", [
    ("short one", "needs at least 10 characters"),
    ("password123", "too easy to guess"),
    ("qwertyuiop", "too easy to guess"),
])
def test_weak_passphrases_are_refused_and_nothing_typed_is_lost(walker, passphrase, message):
    walker.walk("/ask", ASK_BY_SITE)
    response = walker.answer("/ask", "passphrase", {"passphrase": passphrase,
                                                    "passphrase_again": passphrase})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert passphrase not in html  # never filled in again
    # Everything before it is kept: the check page has it once a passphrase will do.
    walker.walk("/ask", [("passphrase", {"passphrase": PASSPHRASE,
                                         "passphrase_again": PASSPHRASE})])
    shown, check = walker.page("/ask")
    assert shown == "check" and "quartz-marmalade-5512" in check
    assert "Chosen (it is never shown)" in check and PASSPHRASE not in check


def test_a_passphrase_with_the_reference_in_it_or_typed_differently(walker):
    walker.walk("/ask", ASK_BY_SITE)
    _, html = walker.page("/ask")
    reference = REFERENCE.search(html).group(1)
    with_reference = f"my {reference.lower().replace('-', '')} lantern orchard"
    response = walker.answer("/ask", "passphrase", {"passphrase": with_reference,
                                                    "passphrase_again": with_reference})
    assert "must not contain your reference" in response.get_data(as_text=True)
    response = walker.answer("/ask", "passphrase", {"passphrase": PASSPHRASE,
                                                    "passphrase_again": PASSPHRASE + "s"})
    assert "are not the same" in response.get_data(as_text=True)


def test_the_draft_keeps_a_lock_never_the_passphrase(app, client, walker):
    walker.walk("/ask", ASK_BY_SITE)
    walker.walk("/ask", [("passphrase", {"passphrase": PASSPHRASE,
                                         "passphrase_again": PASSPHRASE})])
    from webapp.referrals.models import Draft
    from webapp.rules import sealing

    with client.session_transaction() as cookie:
        ref = cookie["drafts"]["ask"]
    with app.app_context():
        locked = db.session().get(Draft, ref["id"]).locked
    data = sealing.open_draft(ref["key"], locked)
    assert PASSPHRASE not in str(data)
    assert wayback.open_locks(PASSPHRASE, wayback.locks_from_dict(data["way_back"]))


def test_a_way_back_beside_a_phone_call(app, client, walker):
    from tests.conftest import ASK_BY_PHONE

    walker.walk("/ask", [*ASK_BY_PHONE[:-1], ("way-back", {
        "way_back": "yes", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE,
        "write_here": "yes"})])
    html = walker.send("/ask", follow=True).get_data(as_text=True)
    reference = REFERENCE.search(html).group(1)
    assert "Come back to a request" in html
    with app.app_context():
        row = db.session().scalar(select(WayBack))
        assert row.write_here and row.reference == reference
    assert open_way_back(client, reference).status_code == 303


def test_no_way_back_unless_asked(app, walker):
    from tests.conftest import ASK_BY_PHONE

    # A passphrase typed but "No" chosen: nothing is made.
    walker.walk("/ask", [*ASK_BY_PHONE[:-1], ("way-back", {
        "way_back": "no", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE})])
    walker.send("/ask")
    with app.app_context():
        assert db.session().scalar(select(WayBack)) is None


def test_change_safe_days_stop_and_resume(app, client, walker):
    from tests.conftest import ASK_BY_PHONE

    walker.walk("/ask", [*ASK_BY_PHONE[:-1], ("way-back", {
        "way_back": "yes", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE,
        "write_here": "no"})])
    reference = REFERENCE.search(walker.send("/ask", follow=True).get_data(as_text=True))[1]
    open_way_back(client, reference)
    press(client, "show", page="change")
    page = client.get("/return").get_data(as_text=True)
    assert "How can we contact you safely?" in page and 'value="call" checked' in page
    for step, data in [("contact", {"method": "call"}),
                       ("phone", {"phone": "020 7946 0018", "phone_own": "yes"}),
                       ("safe-times", {"days": ["monday", "wednesday"], "bands": ["morning"]}),
                       ("messages", {"voicemail": "no"}), ("withheld-number", {}),
                       ("someone-else", {}), ("code-word", {}), ("letters", {"post_safe": "no"}),
                       ("trusted-person", {}), ("write-here", {"write_here": "yes"})]:
        response = press(client, "answer", step=step, **data)
        assert response.status_code == 303, (step, response.get_data(as_text=True)[-1500:])
    check = client.get("/return").get_data(as_text=True)
    assert "Check how and when we will contact you" in check and "Wednesday" in check
    assert press(client, "save").status_code == 303
    page = client.get("/return").get_data(as_text=True)
    assert "You changed how and when we contact you" in page
    [changed] = entries(app, wayback.CONTACT_CHANGED)
    assert changed.due_at is not None and b"wednesday" not in changed.for_staff
    # Sealed from her key: the team can tell that whoever wrote it held her passphrase.
    from webapp.rules import sealing

    with app.app_context():
        row = db.session().scalar(select(WayBack))
        staff_keys = sealing.load_keyring(app.instance_path, {}).keys
    opened = wayback.open_from(staff_keys, row.public_key, changed.for_staff)
    assert opened["contact"]["days"] == ["monday", "wednesday"]
    press(client, "show", page="stop")
    press(client, "stop")
    assert "You asked us to stop contacting you" in client.get("/return").get_data(as_text=True)
    press(client, "resume")
    assert [e.kind for e in entries(app)][-2:] == ["stop", "resumed"]


def test_close_ends_the_passphrase_and_her_copies(app, client, walker):
    reference, _ = send_with_way_back(walker)
    open_way_back(client, reference)
    press(client, "write", text="please call on Friday")
    response = press(client, "close")
    assert response.status_code == 200 and "Your way back is closed" in response.get_data(
        as_text=True)
    assert all(entry.for_resident is None for entry in entries(app))
    assert [e.kind for e in entries(app)][-1] == "way_back_closed"
    assert entries(app, "message")[0].for_staff is not None  # the team keeps its record
    assert open_way_back(client, reference).status_code == 400
    with app.app_context():
        assert db.session().scalar(select(ReturnVisit)) is None


def test_the_second_passphrase_opens_an_empty_way_back_and_tells_the_team(app, client, walker):
    reference, _ = send_with_way_back(walker)
    open_way_back(client, reference)
    press(client, "write", text="first real message")
    press(client, "show", page="more")
    response = press(client, "more", passphrase=PASSPHRASE, passphrase_again=PASSPHRASE)
    assert "must be different" in response.get_data(as_text=True)
    assert press(client, "more", passphrase=SECOND, passphrase_again=SECOND).status_code == 303
    press(client, "leave")
    other = app.test_client()
    assert open_way_back(other, reference, SECOND).status_code == 303
    page = other.get("/return").get_data(as_text=True)
    assert "There are no messages yet." in page and "first real message" not in page
    assert "We received your request" in page
    assert "second passphrase" not in page.split("<main", 1)[1].split("More:")[0]
    [pressure] = entries(app, wayback.PRESSURE)
    assert pressure.for_resident is None and pressure.due_at is not None
    assert entries(app, wayback.PRESSURE_SET)[0].for_resident is None
    # What is written under pressure reaches the team only.
    press(other, "write", text="all fine now")
    assert entries(app, "message")[-1].for_resident is None
    assert "all fine now" in other.get("/return").get_data(as_text=True)
    # The real passphrase still shows everything, and nothing of the pressure.
    real = app.test_client()
    open_way_back(real, reference)
    page = real.get("/return").get_data(as_text=True)
    assert "first real message" in page and "all fine now" not in page


def test_ten_idle_minutes_end_the_visit(app, client, walker, clock):
    reference, _ = send_with_way_back(walker)
    open_way_back(client, reference)
    clock["now"] += timedelta(minutes=9)
    assert "Your request" in client.get("/return").get_data(as_text=True)
    clock["now"] += timedelta(minutes=11)
    page = client.get("/return").get_data(as_text=True)
    assert "logged you out after 10 minutes without any activity" in page
    assert client.get_cookie("qd_return") is None
    with app.app_context():
        assert db.session().scalar(select(ReturnVisit)) is None


def test_the_quick_exit_ends_the_visit_at_once(app, client, walker):
    reference, _ = send_with_way_back(walker)
    open_way_back(client, reference)
    response = client.get("/exit")
    assert response.status_code == 303
    assert "qd_return=;" in ",".join(response.headers.getlist("Set-Cookie"))
    with app.app_context():
        assert db.session().scalar(select(ReturnVisit)) is None
    assert "Open your way back" in client.get("/return").get_data(as_text=True)


def test_in_welsh_and_escaped(app, client, walker):
    reference, _ = send_with_way_back(walker)
    assert open_way_back(client, reference, path="/cy/return").status_code == 303
    press(client, "write", path="/cy/return", text="<script>alert(1)</script>")
    page = client.get("/cy/return").get_data(as_text=True)
    assert '<html lang="cy"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_the_team_is_told_without_content(app, client, walker, make_app, monkeypatch):
    from webapp.notify.models import Notification

    reference, _ = send_with_way_back(walker)
    open_way_back(client, reference)
    press(client, "write", text="one")
    press(client, "write", text="two")  # one notification waits already: not another
    with app.app_context():
        events = [n.event for n in db.session().scalars(select(Notification))]
    assert events.count("update") == len(events) - events.count("new")


def test_too_long_a_message_keeps_what_was_typed(app, client, walker):
    reference, _ = send_with_way_back(walker)
    open_way_back(client, reference)
    long = "x" * (wayback.MAX_MESSAGE + 1)
    response = press(client, "write", text=long)
    assert response.status_code == 400
    assert long in response.get_data(as_text=True)
    assert entries(app, "message") == []
