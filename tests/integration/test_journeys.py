"""Both referral journeys through Flask's test client: what is stored, what is
shown, and what must never happen."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import ASK_BY_PHONE, CONCERN_ANONYMOUS, Walker
from webapp import db
from webapp.referrals.models import Draft, Referral

pytestmark = pytest.mark.usefixtures("migrated")

# The pages left after choosing "do not contact me", all answered with nothing.
INFORMATION_ONLY_REST = [("language", {}), ("accessibility", {}), ("what-would-help", {}),
                         ("about-you", {}), ("way-back", {})]


def referrals(app):
    with app.app_context():
        return list(db.session().scalars(select(Referral)))


def export(app):
    result = app.test_cli_runner().invoke(args=["referrals", "export"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_ask_by_phone_end_to_end(app, client, walker):
    walker.walk("/ask", ASK_BY_PHONE)
    check = client.get("/ask/questions")
    html = check.get_data(as_text=True)
    assert "Check your answers" in html
    assert "020 7946 0018" in html and "zebra-quartz-7731" in html and "Polski" in html
    sent = walker.send("/ask")
    assert sent.status_code == 302 and sent.headers["Location"] == "/ask/questions"
    confirmation = client.get("/ask/questions")
    text = confirmation.get_data(as_text=True)
    reference = re.search(r'class="reference" dir="ltr">([^<]+)<', text).group(1)
    assert re.fullmatch(r"[346789BCDFGHJKMNPQRTVWXY]{3}-[346789BCDFGHJKMNPQRTVWXY]{3}", reference)
    assert "We will call you" in text

    [stored] = referrals(app)
    assert (stored.reference, stored.kind, stored.contact_method) == (reference, "self", "call")
    assert b"zebra-quartz" not in stored.sealed

    [record] = export(app)
    assert record["reference"] == reference and record["kind"] == "self"
    assert record["contact"]["method"] == "call"
    assert record["contact"]["phone"] == "020 7946 0018"
    assert record["contact"]["code_word"] == "pineapple"
    assert record["contact"]["language"] == "pl" and record["contact"]["interpreter"] == "yes"
    assert record["answers"]["help_more"] == "zebra-quartz-7731"
    assert record["answers"]["help"] == ["security", "money"]
    assert record["language"] == "en"
    received, due = (datetime.fromisoformat(record[k]) for k in ("received_at", "due_at"))
    assert received <= due <= received + timedelta(hours=24) or "no_safe_window" in record["flags"]


def test_concern_anonymous_in_welsh(app, client, walker):
    walker.walk("/cy/concern", CONCERN_ANONYMOUS)
    assert walker.send("/cy/concern").headers["Location"] == "/cy/concern/questions"
    html = client.get("/cy/concern/questions").get_data(as_text=True)
    assert '<html lang="cy"' in html
    [record] = export(app)
    assert record["kind"] == "concern" and record["language"] == "cy"
    assert record["contact"] == {"method": "none", "reporter_name": None,
                                 "reporter_phone": None, "reporter_email": None,
                                 "write_here": None}
    assert record["answers"]["seen"] == "Shouting and a crash most nights"
    assert record["flags"] == ["anonymous"]


def test_danger_yes_shows_999_first_and_raises_priority(app, client, walker):
    response = walker.answer("/ask", "danger", {"danger": "yes"})
    assert response.headers["Location"] == "/ask/questions"
    shown, page = walker.page("/ask")
    assert shown == "in-danger" and 'href="tel:999"' in page and "55" in page
    walker.walk("/ask", [("in-danger", {}), ("contact", {"method": "none"}),
                         *INFORMATION_ONLY_REST])
    walker.send("/ask")
    [stored] = referrals(app)
    assert stored.priority == 1 and stored.flag_list == ["danger_now", "no_contact"]


def test_errors_are_shown_and_nothing_typed_is_lost(client, walker):
    walker.walk("/ask", [("danger", {}), ("contact", {"method": "call"})])
    response = walker.answer("/ask", "phone", {"phone": "12345 not a number", "phone_own": "yes"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and 'href="#phone"' in html
    assert 'value="12345 not a number"' in html
    assert 'value="yes" checked' in html
    assert "<title>Error: " in html


def test_changing_the_method_drops_the_old_details(app, walker):
    walker.walk("/ask", ASK_BY_PHONE)
    # From the check page, change to email: the phone pages no longer apply.
    walker.change("/ask", "contact")
    walker.walk("/ask", [("contact", {"method": "email"}),
                         ("email", {"email": "a.person@example.org", "email_own": "yes"})])
    assert walker.page("/ask")[0] == "check"
    walker.send("/ask")
    [record] = export(app)
    assert record["contact"]["method"] == "email"
    assert "phone" not in record["contact"] and "code_word" not in record["contact"]
    assert record["contact"]["email"] == "a.person@example.org"


def test_required_safe_times(walker):
    walker.walk("/ask", [("danger", {}), ("contact", {"method": "text"}),
                         ("phone", {"phone": "020 7946 0018"})])
    response = walker.answer("/ask", "safe-times", {"days": ["monday"]})
    assert response.status_code == 200
    assert "Choose at least one safe time of day" in response.get_data(as_text=True)
    assert walker.answer("/ask", "safe-times", {"any_time": "y"}).status_code == 302


def test_honeypot(walker):
    response = walker.answer("/ask", "danger", {"danger": "no", "website": "http://spam"})
    assert response.status_code == 200
    assert "Leave this box empty" in response.get_data(as_text=True)


def test_length_limits(walker):
    walker.walk("/ask", [("danger", {}), ("contact", {"method": "none"})])
    walker.walk("/ask", [("language", {}), ("accessibility", {})])
    response = walker.answer("/ask", "what-would-help", {"help_more": "x" * 2001})
    assert response.status_code == 200
    assert "2000 characters or fewer" in response.get_data(as_text=True)


def test_stale_csrf_token_keeps_what_was_typed(client, walker):
    walker.walk("/ask", [("danger", {})])
    response = client.post("/ask/questions",
                           data={"csrf_token": "stale", "step": "contact", "method": "text"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "open for a long time" in html and 'value="text" checked' in html


def test_sending_twice_makes_one_referral(app, client, walker):
    walker.walk("/concern", CONCERN_ANONYMOUS)
    page = client.get("/concern/questions").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    cookie = client.get_cookie("session").value
    send = {"csrf_token": token, "step": "check", "go": "send"}
    first = client.post("/concern/questions", data=send)
    client.set_cookie("session", cookie)  # the second press still carries the old cookie
    second = client.post("/concern/questions", data=send)
    assert first.headers["Location"] == second.headers["Location"] == "/concern/questions"
    assert len(referrals(app)) == 1
    assert "We have your request" in client.get("/concern/questions").get_data(as_text=True)


def test_drafts_expire_after_30_idle_minutes(make_app):
    clock = {"now": datetime(2026, 11, 24, 10, 0, tzinfo=UTC)}
    app = make_app(CLOCK=lambda: clock["now"])
    db.upgrade(app.extensions["db_engine"])
    walker = Walker(app.test_client())
    walker.walk("/ask", [("danger", {}), ("contact", {"method": "none"}), *INFORMATION_ONLY_REST])
    clock["now"] += timedelta(minutes=29)
    assert walker.page("/ask")[0] == "check"
    clock["now"] += timedelta(minutes=31)
    response = walker.client.get("/ask/questions")
    assert response.headers["Location"] == "/ask"
    assert "cleared your answers" in walker.client.get("/ask").get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(Draft)) is None


def test_drafts_are_locked_with_the_visitors_key(app, walker):
    walker.walk("/ask", [("danger", {}), ("contact", {"method": "none"}), ("language", {}),
                         ("accessibility", {}),
                         ("what-would-help", {"help_more": "zebra-quartz-7731"})])
    with app.app_context():
        draft = db.session().scalar(select(Draft))
    assert b"zebra" not in draft.locked and b"none" not in draft.locked


def test_no_persistent_cookie_and_no_answer_in_the_cookie(client, walker):
    response = walker.answer("/ask", "danger", {"danger": "yes"})
    cookie = response.headers["Set-Cookie"]
    assert "Expires" not in cookie and "Max-Age" not in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "yes" not in cookie


def test_plain_start_page_sets_no_cookie(client):
    assert not client.get("/ask").headers.getlist("Set-Cookie")
    assert not client.get("/cy/concern").headers.getlist("Set-Cookie")


def test_no_answer_in_the_log_or_the_database_file(app, walker, caplog, tmp_path):
    caplog.set_level("DEBUG")
    walker.walk("/ask", ASK_BY_PHONE)
    walker.send("/ask")
    app.extensions["db_engine"].dispose()
    database = (tmp_path / "test.sqlite3").read_bytes()
    for typed in (b"zebra-quartz-7731", b"pineapple", b"boiler", b"7946"):
        assert typed not in database
        assert typed.decode() not in caplog.text


def test_old_addresses_go_to_the_start_and_unknown_ones_are_not_found(client):
    # Each page once had its own address, which a bookmark or the history list
    # may still hold: the start page, whose Start now carries on from the draft.
    for old in ("/ask/danger", "/ask/in-danger", "/ask/phone", "/ask/meeting-place",
                "/ask/check", "/ask/sent", "/cy/concern/your-details"):
        response = client.get(old)
        assert response.status_code == 302 and response.headers["Location"] == old.rsplit("/", 1)[0]
    assert client.post("/ask/phone", data={"phone": "020 7946 0018"}).headers["Location"] == "/ask"
    assert client.get("/ask/no-such-step").status_code == 404
    assert client.get("/ask/relationship").status_code == 404  # a concern's page, never an ask's


def test_pages_that_do_not_apply_show_where_the_draft_is(walker):
    assert walker.page("/ask")[0] == "danger"  # no draft yet: the first page
    walker.walk("/ask", [("danger", {}), ("contact", {"method": "none"})])
    _, html = walker.page("/ask")
    # A form for a page that does not apply (a tab left open before the method changed).
    response = walker.post("/ask", html, {"step": "phone", "phone": "020 7946 0018"})
    assert response.headers["Location"] == "/ask/questions"
    assert walker.page("/ask")[0] == "language"
    response = walker.post("/ask", html, {"step": "no-such-page"})
    assert response.headers["Location"] == "/ask/questions"


def test_back_goes_to_the_page_before_at_the_same_address(walker):
    walker.walk("/ask", [("danger", {"danger": "yes"}), ("in-danger", {}),
                         ("contact", {"method": "call"})])
    assert walker.page("/ask")[0] == "phone"
    for before in ("contact", "in-danger", "danger"):
        assert walker.back("/ask").headers["Location"] == "/ask/questions"
        shown, html = walker.page("/ask")
        assert shown == before
    assert 'value="yes" checked' in html  # the answer is still there
    assert walker.back("/ask").headers["Location"] == "/ask"  # from the first page: the start
    walker.walk("/ask", [("danger", {"danger": "no"}), ("contact", {"method": "call"})])
    assert walker.page("/ask")[0] == "phone"  # in danger now: no, so no 999 page


def test_back_and_change_from_the_check_page(walker):
    walker.walk("/ask", [("danger", {}), ("contact", {"method": "none"}),
                         *INFORMATION_ONLY_REST])
    walker.back("/ask")
    assert walker.page("/ask")[0] == "way-back"
    walker.back("/ask")
    assert walker.page("/ask")[0] == "about-you"
    walker.walk("/ask", [("about-you", {"name": "Alex"})])
    walker.change("/ask", "language")
    assert walker.page("/ask")[0] == "language"
    walker.walk("/ask", [("language", {"language": "cy"})])
    assert walker.page("/ask")[0] == "check"  # straight back, nothing new to answer
    # A Change for a page that does not apply, or with a stale token: nothing moves.
    _, html = walker.page("/ask")
    walker.post("/ask", html, {"go": "change", "step": "phone"})
    assert walker.page("/ask")[0] == "check"
    walker.client.post("/ask/questions", data={"csrf_token": "stale", "go": "change",
                                               "step": "language"})
    assert walker.page("/ask")[0] == "check"


def test_rate_limit_on_sending(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    db.upgrade(app.extensions["db_engine"])
    client = app.test_client()
    send = {"go": "send", "step": "check"}
    statuses = [client.post("/concern/questions", data=send).status_code for _ in range(31)]
    assert statuses[-1] == 429
    # Only Send counts towards the 30 an hour: the question pages go on.
    assert client.post("/concern/questions", data={"step": "danger"}).status_code == 200


def test_export_needs_the_private_key(app, tmp_path):
    (tmp_path / "instance" / "referral_key").unlink()
    result = app.test_cli_runner().invoke(args=["referrals", "export"])
    assert result.exit_code != 0 and "No private key" in result.output


class DatabaseDown:
    """Make the store's writes fail as they do when the database does not answer."""

    def __init__(self, monkeypatch):
        from sqlalchemy.exc import OperationalError

        from webapp.referrals import store

        def fail(*args, **kwargs):
            raise OperationalError("INSERT", {}, Exception("connection refused"))

        self.undo = []
        for name in ("save_draft", "submit"):
            original = getattr(store, name)
            monkeypatch.setattr(store, name, fail)
            self.undo.append((store, name, original))
        self.monkeypatch = monkeypatch

    def back(self):
        for module, name, original in self.undo:
            self.monkeypatch.setattr(module, name, original)


def test_database_down_on_a_question_keeps_the_answer(walker, monkeypatch):
    walker.walk("/ask", [("danger", {}), ("contact", {"method": "none"})])
    down = DatabaseDown(monkeypatch)
    response = walker.answer("/ask", "language", {"language": "pl"})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert 'value="pl" selected' in html and "0808 157 0192" in html
    assert "Nothing you typed" in html
    down.back()
    assert walker.answer("/ask", "language", {"language": "pl"}).status_code == 302
    assert walker.page("/ask")[0] == "accessibility"


def test_database_down_when_sending_keeps_the_draft(app, walker, monkeypatch):
    walker.walk("/concern", CONCERN_ANONYMOUS)
    down = DatabaseDown(monkeypatch)
    response = walker.send("/concern")
    assert response.status_code == 503
    assert "Shouting and a crash" in response.get_data(as_text=True)
    down.back()
    assert walker.send("/concern").headers["Location"] == "/concern/questions"
    assert "We have your request" in walker.client.get("/concern/questions").get_data(as_text=True)
    assert len(referrals(app)) == 1


def test_database_not_answering_at_all(make_app):
    app = make_app("postgresql+psycopg://127.0.0.1:9/nothing?connect_timeout=1")
    client = app.test_client()
    with client.session_transaction() as session:
        session["drafts"] = {"ask": {"id": "x", "key": "y"}}
    response = client.get("/ask/questions")
    assert response.status_code == 503
    assert "0808 157 0192" in response.get_data(as_text=True)


def test_confirmation_says_when_with_the_clock_frozen(walker, client):
    import time_machine

    with time_machine.travel(datetime(2026, 11, 24, 14, 0, tzinfo=UTC), tick=False):
        walker.walk("/ask", [
            ("danger", {}), ("contact", {"method": "call"}),
            ("phone", {"phone": "020 7946 0018"}),
            ("safe-times", {"days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                            "bands": ["evening"]}),
            ("messages", {"voicemail": "no"}),
            *[(slug, {}) for slug in ("withheld-number", "someone-else", "code-word", "letters",
                                      "trusted-person", "language", "speaking-to",
                                      "accessibility", "what-would-help", "about-you",
                                      "way-back")],
        ])
        walker.send("/ask")
        html = client.get("/ask/questions").get_data(as_text=True)
    # Received Tuesday 14:00; the promise is Wednesday 14:00; evenings are safe.
    assert ("We will call you on Tuesday 24 November between 17:00 and 21:00, "
            "a time you told us is safe.") in html


def test_confirmation_when_any_time_is_safe(walker, client):
    import time_machine

    with time_machine.travel(datetime(2026, 11, 24, 14, 0, tzinfo=UTC), tick=False):
        walker.walk("/cy/ask", [
            ("danger", {}), ("contact", {"method": "email"}),
            ("email", {"email": "someone@example.org"}),
            *[(slug, {}) for slug in ("letters", "trusted-person", "language", "speaking-to",
                                      "accessibility", "what-would-help", "about-you",
                                      "way-back")],
        ])
        walker.send("/cy/ask")
        html = client.get("/cy/ask/questions").get_data(as_text=True)
    assert "Dydd Mercher, 25 Tachwedd 2026 am 14:00" in html


def test_the_confirmation_is_shown_once(walker, client):
    walker.walk("/concern", CONCERN_ANONYMOUS)
    walker.send("/concern")
    assert "We have your request" in client.get("/concern/questions").get_data(as_text=True)
    again = client.get("/concern/questions").get_data(as_text=True)
    assert "We have your request" not in again and "Is the person in danger" in again


def test_exit_drops_the_draft_and_the_session(app, client, walker):
    walker.walk("/ask", [("danger", {}), ("contact", {"method": "none"})])
    response = client.get("/exit")
    assert "session=;" in response.headers["Set-Cookie"]  # deleted, not just left to expire
    with app.app_context():
        assert db.session().scalar(select(Draft)) is None


def test_anonymous_means_no_contact_details_kept(app, walker):
    steps = [*CONCERN_ANONYMOUS[:-2], ("your-details", {
        "method": "none", "reporter_name": "Pat", "reporter_phone": "020 7946 0018",
        "reporter_email": "pat@example.org"}), ("way-back", {})]
    walker.walk("/concern", steps)
    walker.send("/concern")
    [record] = export(app)
    assert record["contact"] == {"method": "none", "reporter_name": None,
                                 "reporter_phone": None, "reporter_email": None,
                                 "write_here": None}


def test_check_sends_back_to_questions_a_change_brought_in(walker):
    walker.walk("/ask", [("danger", {}), ("contact", {"method": "none"}),
                         *INFORMATION_ONLY_REST])
    walker.change("/ask", "contact")
    _, check = walker.page("/ask")
    walker.answer("/ask", "contact", {"method": "call"})
    assert walker.page("/ask")[0] == "phone"
    # Send from the check page still open in another tab: those questions first.
    response = walker.post("/ask", check, {"go": "send", "step": "check"})
    assert response.headers["Location"] == "/ask/questions"
    assert walker.page("/ask")[0] == "phone"
    walker.walk("/ask", [("phone", {"phone": "020 7946 0018"}),
                         ("safe-times", {"any_time": "y"}), ("messages", {"voicemail": "no"})])
    assert walker.page("/ask")[0] == "withheld-number"  # every new page, then the check page


def test_rate_limits_count_each_resident_behind_the_proxy(make_app):
    app = make_app(RATELIMIT_ENABLED=True, PROXY_HOPS=1)
    db.upgrade(app.extensions["db_engine"])
    client = app.test_client()
    one = {"X-Forwarded-For": "203.0.113.7"}
    send = {"go": "send", "step": "check"}
    statuses = [client.post("/concern/questions", data=send, headers=one).status_code
                for _ in range(31)]
    assert statuses[-1] == 429
    other = client.post("/concern/questions", data=send,
                        headers={"X-Forwarded-For": "198.51.100.9"})
    assert other.status_code != 429
