"""The way back (issue 15): a resident chooses a passphrase, comes back with
her reference to read and write, and nothing she does leaves the server
able to read it without the passphrase."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import CSRF, Walker
from webapp import db
from webapp.wayback.models import WayBackEntry

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
    token = CSRF.search(html).group(1)
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
