"""The way back, attacked (a security review): what an onlooker, an abuser
holding her phone, or a stranger on the internet could try, as real requests.
Each test is one attack that held, or that was found and fixed."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Walker
from tests.integration.test_way_back import (
    SECOND,
    entries,
    open_way_back,
    press,
    send_with_way_back,
)
from webapp.rules import wayback


@pytest.fixture
def app(site):
    return site


@pytest.fixture
def client(site):
    return site.test_client()


@pytest.fixture
def walker(client):
    return Walker(client)


# -- an onlooker who made her open it with the second passphrase ----------------------


def under_pressure(app, walker, client):
    """Her way back with a second passphrase; ``client`` opened with it."""
    reference, _ = send_with_way_back(walker)
    real = app.test_client()
    open_way_back(real, reference)
    press(real, "show", page="more")
    assert press(real, "more", passphrase=SECOND, passphrase_again=SECOND).status_code == 303
    press(real, "leave")
    assert open_way_back(client, reference, SECOND).status_code == 303
    return reference


def test_under_pressure_stop_seems_to_work(app, client, walker):
    under_pressure(app, walker, client)
    press(client, "show", page="stop")
    press(client, "stop")
    page = client.get("/return").get_data(as_text=True)
    assert "You asked us to stop contacting you" in page
    assert "You may contact me again" in page
    press(client, "resume")
    page = client.get("/return").get_data(as_text=True)
    assert "You said we may contact you again" in page and "You may contact me again" not in page
    assert [e.kind for e in entries(app)].count(wayback.STOP) == 0


def test_under_pressure_her_message_shows_its_time_like_a_real_one(app, client, walker):
    reference = under_pressure(app, walker, client)
    press(client, "write", text="all fine now")
    fake = client.get("/return").get_data(as_text=True)
    real = app.test_client()
    open_way_back(real, reference)
    press(real, "write", text="all fine now")
    genuine = real.get("/return").get_data(as_text=True)
    line = re.compile(r'<p class="message-from">\s*(.*?)\s*</p>', re.S)
    assert [len(found) for found in line.findall(fake)] == [
        len(found) for found in line.findall(genuine)
    ]
    assert "You wrote, " in fake


CONTACT_CHANGE = [
    ("contact", {"method": "site"}),
    ("letters", {"post_safe": "yes"}),
    ("trusted-person", {}),
]


def test_under_pressure_a_saved_change_is_there_when_she_looks_again(app, client, walker):
    under_pressure(app, walker, client)
    press(client, "show", page="change")
    for step, data in CONTACT_CHANGE:
        assert press(client, "answer", step=step, **data).status_code == 303, step
    assert press(client, "save").status_code == 303
    page = client.get("/return").get_data(as_text=True)
    assert "You changed how and when we contact you" in page
    press(client, "show", page="change")
    page = client.get("/return").get_data(as_text=True)
    assert 'value="site" checked' in page
    assert entries(app, wayback.CONTACT_CHANGED) == []  # her real rules are untouched


def test_under_pressure_closing_then_trying_again_looks_closed(app, client, walker):
    reference = under_pressure(app, walker, client)
    press(client, "close")
    again = open_way_back(app.test_client(), reference, SECOND)
    assert again.status_code == 400  # as a closed way back answers
    assert "We could not open that" in again.get_data(as_text=True)
    assert open_way_back(app.test_client(), reference).status_code == 303  # hers still opens
    assert entries(app, wayback.WAY_BACK_CLOSED) == []


def test_under_pressure_a_second_passphrase_behaves_as_a_real_one(app, client, walker):
    reference = under_pressure(app, walker, client)
    press(client, "show", page="more")
    same = press(client, "more", passphrase=SECOND, passphrase_again=SECOND)
    assert same.status_code == 400 and "must be different" in same.get_data(as_text=True)
    third = "violet harbour seventeen pancakes"
    assert press(client, "more", passphrase=third, passphrase_again=third).status_code == 303
    press(client, "leave")
    # The onlooker tries both: each opens what he believes are her two ways in.
    for passphrase in (SECOND, third):
        other = app.test_client()
        assert open_way_back(other, reference, passphrase).status_code == 303, passphrase
        assert "There are no messages yet." in other.get("/return").get_data(as_text=True)
    # Her own still opens everything, and the team heard of each opening.
    real = app.test_client()
    assert open_way_back(real, reference).status_code == 303
    assert len(entries(app, wayback.PRESSURE)) == 3


# -- a copied cookie, a planted cookie, a forged form ------------------------------------


def cookie_of(client) -> str:
    return client.get_cookie("qd_return").value


def test_a_copied_cookie_is_dead_after_leave_exit_or_close(app, client, walker):
    reference, _ = send_with_way_back(walker)
    for end in ("leave", "exit", "close"):
        open_way_back(client, reference)
        copied = cookie_of(client)
        if end == "exit":
            client.get("/exit")
        else:
            press(client, end)
        thief = app.test_client()
        thief.set_cookie("qd_return", copied)
        page = thief.get("/return").get_data(as_text=True)
        assert "Open your way back" in page and "Your request" not in page, end
        if end == "close":
            break


def test_a_planted_cookie_is_replaced_when_she_opens(app, client, walker):
    reference, _ = send_with_way_back(walker)
    planted = "attacker-token." + "00" * 32
    client.set_cookie("qd_return", planted)
    assert open_way_back(client, reference).status_code == 303
    assert cookie_of(client) != planted


@pytest.mark.parametrize("go", ["write", "add", "stop", "resume", "close", "more", "show",
                                "answer", "save", "back"])
def test_no_action_without_the_security_token(app, client, walker, go):
    reference, _ = send_with_way_back(walker)
    open_way_back(client, reference)
    before = [e.kind for e in entries(app)]
    data = {"go": go, "text": "forged", "page": "change", "step": "contact", "method": "call",
            "passphrase": SECOND, "passphrase_again": SECOND}
    client.post("/return", data=data)
    client.post("/return", data={**data, "csrf_token": "forged"})
    assert [e.kind for e in entries(app)] == before
    assert "Your request" in client.get("/return").get_data(as_text=True)


def test_the_passphrase_is_never_written_back_into_a_page(app, client, walker):
    reference, _ = send_with_way_back(walker)
    wrong = open_way_back(client, reference, "the wrong passphrase, typed")
    assert "the wrong passphrase, typed" not in wrong.get_data(as_text=True)
    assert wrong.headers["Cache-Control"].startswith("no-store")
    open_way_back(client, reference)
    press(client, "show", page="more")
    weak = press(client, "more", passphrase="kettle kettle", passphrase_again="other one 123")
    html = weak.get_data(as_text=True)
    assert weak.status_code == 400 and "kettle kettle" not in html
    assert 'type="password"' in html and 'value=""' in html
