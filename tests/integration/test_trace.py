"""What a shared device keeps of a journey (issue 14, ASVS V8): the browser's
history list, and the address bar's suggestions, keep every address visited
with the page's <title>. Whatever was answered, a journey leaves the same
addresses and the same titles: someone checking the phone reads neither
"in danger", nor a contact method, nor that a request was sent.

Each path is walked through the test client as a browser without JavaScript
would (with JavaScript a journey adds no entry to the history at all, and the
addresses it replaces are these same ones: tests/browser/test_journeys.py).
Every request is noted: the address asked for (GET or POST), every address
a redirect sends to, and each page's title."""

import re

import pytest

from tests.conftest import Walker
from webapp.rules import contact

pytestmark = pytest.mark.usefixtures("migrated")

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
ORGANISATION = "Northgate Homes (demo)"
# The only addresses and titles a journey may leave, whatever the answers.
NEUTRAL = {
    "/ask": {("/ask", f"Ask for help for yourself – {ORGANISATION}"),
             ("/ask/questions", f"Ask for help for yourself – {ORGANISATION}")},
    "/concern": {("/concern", f"Worried about someone else – {ORGANISATION}"),
                 ("/concern/questions", f"Worried about someone else – {ORGANISATION}")},
}

# An answer for every page a path may show; pages not named here are left empty.
ANSWERS = {
    "phone": {"phone": "020 7946 0018", "phone_own": "yes"},
    "email": {"email": "someone@example.org", "email_own": "yes"},
    "support-worker": {"agency_name": "Refuge", "agency_contact": "0808 2000 247"},
    "meeting-place": {"meet_place": "The library on Friday", "arrange": "Text 07700 900123"},
    "safe-times": {"any_time": "y"},
    "messages": {"voicemail": "no"},
    "code-word": {"code_word": "pineapple"},
    "what-happened": {"seen": "Shouting most nights"},
    "your-details": {"reporter_name": "Pat", "reporter_phone": "020 7946 0018",
                     "reporter_email": "pat@example.org"},
    "passphrase": {"passphrase": "lantern orchard quietly humming",
                   "passphrase_again": "lantern orchard quietly humming"},
    "way-back": {"way_back": "yes", "passphrase": "lantern orchard quietly humming",
                 "passphrase_again": "lantern orchard quietly humming", "write_here": "yes"},
}


class Noting:
    """A test client that notes each address asked for or redirected to, and
    each page's (address, title)."""

    def __init__(self, client):
        self.client = client
        self.addresses: set[str] = set()
        self.pages: set[tuple[str, str]] = set()

    def __getattr__(self, name):
        return getattr(self.client, name)

    def get(self, path, **kwargs):
        return self.note(self.client.get(path, **kwargs))

    def post(self, path, **kwargs):
        return self.note(self.client.post(path, **kwargs))

    def note(self, response):
        self.addresses.add(response.request.path)
        if "Location" in response.headers:  # a redirect: no page shown
            self.addresses.add(response.headers["Location"])
            return response
        title = TITLE.search(response.get_data(as_text=True))
        self.pages.add((response.request.path, title.group(1).strip()))
        return response


def walk(app, journey, first: dict, last: dict | None = None) -> Noting:
    """Start, answer ``first`` on the first page, then every page shown, with a
    Back and a Change on the way (``last``: the last page's answer); Send;
    the confirmation; a reload after it. Returns what the device saw."""
    noting = Noting(app.test_client())
    walker = Walker(noting)
    noting.get(journey)
    answers = {"danger": first, "contact": first, **ANSWERS}
    if last is not None:
        answers["your-details"] = {**answers["your-details"], **last}
    went_back = False
    for _ in range(40):
        shown, _ = walker.page(journey)
        if shown == "check":
            break
        response = walker.answer(journey, shown, answers.get(shown, {}))
        assert response.status_code == 302, (shown, response.get_data(as_text=True)[-2000:])
        if not went_back and shown not in ("danger",):
            walker.back(journey)  # and on again
            went_back = True
    walker.change(journey, "danger")
    walker.walk(journey, [("danger", first)])
    assert walker.page(journey)[0] == "check"
    sent = walker.send(journey, follow=True).get_data(as_text=True)
    assert re.search(r'class="reference"[^>]*>[A-Z0-9]{3}-[A-Z0-9]{3}<', sent)
    noting.get(f"{journey}/questions")  # the confirmation reloaded: shown once, then gone
    return noting


ASK_PATHS = {
    "in danger": {"danger": "yes", "method": "call"},
    **{f"by {method.code}": {"danger": "no", "method": method.code}
       for method in contact.RESIDENT_METHODS},
}
CONCERN_PATHS = {
    **{f"reporter {method.code}": ({"danger": "no"}, {"method": method.code})
       for method in contact.REPORTER_METHODS},
    "in danger, anonymous": ({"danger": "yes"}, {"method": contact.NO_CONTACT.code}),
}


def test_every_ask_path_leaves_the_same_addresses_and_titles(app):
    seen = {name: walk(app, "/ask", first) for name, first in ASK_PATHS.items()}
    for name, device in seen.items():
        assert device.pages == NEUTRAL["/ask"], name
        assert device.addresses == {"/ask", "/ask/questions"}, name


def test_every_concern_path_leaves_the_same_addresses_and_titles(app):
    seen = {name: walk(app, "/concern", first, last)
            for name, (first, last) in CONCERN_PATHS.items()}
    for name, device in seen.items():
        assert device.pages == NEUTRAL["/concern"], name
        assert device.addresses == {"/concern", "/concern/questions"}, name


def test_errors_and_a_database_that_does_not_answer_leave_nothing_more(app, monkeypatch):
    """A page with a mistake, a stale form and a failed save come back under the
    journey's title (with "Error:", which says nothing of the answers)."""
    from sqlalchemy.exc import OperationalError

    from webapp.referrals import store

    noting = Noting(app.test_client())
    walker = Walker(noting)
    walker.walk("/ask", [("danger", {"danger": "yes"}), ("in-danger", {})])
    walker.answer("/ask", "contact", {})  # nothing chosen
    noting.post("/ask/questions", data={"csrf_token": "stale", "step": "contact"})

    def fail(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(store, "save_draft", fail)
    assert walker.answer("/ask", "contact", {"method": "in_person"}).status_code == 503
    title = f"Ask for help for yourself – {ORGANISATION}"
    assert noting.pages == {("/ask/questions", title), ("/ask/questions", f"Error: {title}")}
    assert noting.addresses == {"/ask/questions"}


def test_neutral_titles_still_win(make_app):
    app = make_app(SITE={"neutral_titles": True, "neutral_title": "Recipes"})
    from webapp import db

    db.upgrade(app.extensions["db_engine"])
    device = walk(app, "/ask", {"danger": "yes", "method": "in_person"})
    assert {title for _, title in device.pages} == {"Recipes"}
