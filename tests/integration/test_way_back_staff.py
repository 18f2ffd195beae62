"""The staff side of the way back (issue 15): the conversation and her latest
contact rules on the referral's page, a written reply as a contact attempt
under the same rules, what she may see of the casework sealed to her key,
her news at the top of the queue until an officer deals with it, the
pressure warning and its review, the notification, and the purge.

The resident's side is stood in for here: a way back and its entries are
added as the public side adds them (webapp/wayback/store.py)."""

from __future__ import annotations

import functools
import json
from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import ASK_BY_PHONE, Walker
from tests.integration.test_casework import TUESDAY_MORNING, act, attempt, audited
from tests.staff import OFFICER, REFERENCE_LINK, add_officer, sign_in
from webapp import db
from webapp.notify.models import UPDATE, Notification
from webapp.notify.send import wording
from webapp.referrals.models import Referral
from webapp.rules import sealing, wayback
from webapp.staff import retention
from webapp.staff.models import ContactAttempt, Note
from webapp.wayback import store
from webapp.wayback.models import ReturnVisit, WayBack, WayBackEntry, WayBackTry

PASSPHRASE = "a long unusual passphrase"
REPLY = "We can fit a new lock on Thursday: tangerine-lantern-5512"
REASON = "Her IDVA asked us to write today: agreed with the manager"
PHONE_CONTACT = {"method": "call", "phone": "020 7946 0018", "phone_own": "yes",
                 "days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                 "bands": ["morning", "afternoon"], "voicemail": "no", "withheld": "yes",
                 "post_safe": "no"}


@functools.cache
def locks() -> wayback.Locks:
    """One way back's locks for every test (each costs a slow derivation)."""
    return wayback.new_locks(PASSPHRASE)


def her_key():
    opened = wayback.open_locks(PASSPHRASE, locks())
    assert opened is not None and not opened.under_pressure
    return opened.private_key


@pytest.fixture
def case(site, clock):
    """A referral by phone (weekday mornings and afternoons, never a
    voicemail) and a signed-in officer; ``way_back`` gives it one."""
    clock["now"] = TUESDAY_MORNING

    def make(way_back=True, write_here=False):
        resident = Walker(site.test_client())
        resident.walk("/ask", ASK_BY_PHONE)
        resident.send("/ask")
        officer = site.test_client()
        sign_in(site, officer, clock)
        reference = REFERENCE_LINK.search(officer.get("/staff/").get_data(as_text=True)).group(1)
        if way_back:
            give_way_back(site, reference, clock, write_here)
        return officer, reference

    return make


def referral_id(site, reference) -> int:
    with site.app_context():
        return db.session().scalar(select(Referral.id).where(Referral.reference == reference))


def give_way_back(site, reference, clock, write_here=False):
    with site.app_context():
        session = db.session()
        found = session.scalar(select(Referral).where(Referral.reference == reference))
        store.add_way_back(session, referral_id=found.id, reference=reference, kind=found.kind,
                           locks=locks(), write_here=write_here, now=clock["now"])
        session.commit()


def add(site, reference, kind, for_staff=None, *, clock, ago=timedelta(minutes=30),
        due_in=timedelta(hours=24), by_resident=True, from_her=True):
    """An entry as the public side adds it: sealed to the staff key (from her
    key, as in a real visit, unless ``from_her`` is False: a visit under
    pressure, or a forger), due under the promise when it needs action."""
    at = clock["now"] - ago
    with site.app_context():
        session = db.session()
        store.add_entry(
            session, referral_id(site, reference), kind, at, by_resident=by_resident,
            for_resident=None if kind in wayback.STAFF_ONLY else wayback.seal_for(
                locks().public_key, {"kind": kind}),
            for_staff=None if for_staff is None else (
                wayback.seal_from(her_key(), site.extensions["referral_public_key"], for_staff)
                if from_her and by_resident
                else sealing.seal(site.extensions["referral_public_key"], for_staff)),
            due_at=at + due_in if kind in wayback.NEEDS_ACTION else None)
        session.commit()


def write(officer, reference, text=REPLY, **data):
    return act(officer, reference, "write", {"text": text, **data})


def entries(site, reference, kind=None):
    with site.app_context():
        query = select(WayBackEntry).where(
            WayBackEntry.referral_id == referral_id(site, reference)).order_by(
            WayBackEntry.at, WayBackEntry.id)
        if kind:
            query = query.where(WayBackEntry.kind == kind)
        found = db.session().scalars(query).all()
        db.session().expunge_all()
        return found


def page(officer, reference) -> str:
    return officer.get(f"/staff/referral/{reference}").get_data(as_text=True)


def store_site_referral(site, clock, reference="K7M-4QP", kind="self"):
    """A referral whose person chose "write to me on this site", stored as
    the journey stores it, with its way back."""
    contact = {"method": "site"} if kind == "self" else {"method": "site", "reporter_name": "Pat"}
    with site.app_context():
        received = clock["now"] - timedelta(hours=1)
        session = db.session()
        session.add(Referral(
            reference=reference, kind=kind, language="en", received_at=received,
            promise_at=received + timedelta(hours=24), due_at=received + timedelta(hours=24),
            window_end=None, flags="", priority=2, status="open", contact_method="site",
            sealed=sealing.seal(site.extensions["referral_public_key"], {
                "contact": contact, "answers": {"danger": "no"}})))
        session.commit()
    give_way_back(site, reference, clock)
    return reference


@pytest.fixture
def by_site(site, clock):
    """A referral by "write to me on this site", and a signed-in officer."""
    clock["now"] = TUESDAY_MORNING
    reference = store_site_referral(site, clock)
    officer = site.test_client()
    sign_in(site, officer, clock)
    return officer, reference


# -- a written reply ------------------------------------------------------------------


def test_a_reply_where_she_chose_this_site_is_an_attempt_she_reads_with_her_key(by_site, site):
    officer, reference = by_site
    add(site, reference, wayback.RESIDENT_MESSAGE, {"text": "Can someone look at my door?"},
        clock={"now": TUESDAY_MORNING})
    before = page(officer, reference)
    assert "Write a reply" in before and "Can someone look at my door?" in before
    response = write(officer, reference)
    assert response.status_code == 302
    shown = page(officer, reference)
    assert "Reply written. They will read it when they come back." in shown
    assert REPLY in shown and "We wrote" in shown and "They wrote" in shown
    with site.app_context():
        tried = db.session().scalar(select(ContactAttempt))
        assert (tried.method, tried.outcome, tried.override) == ("site", "written", "")
        assert tried.at == TUESDAY_MORNING
        assert db.session().scalar(select(Referral.first_contact_at)) == TUESDAY_MORNING
    message, = entries(site, reference, wayback.TEAM_MESSAGE)
    assert not message.by_resident and message.due_at is None
    assert wayback.open_for(her_key(), message.for_resident) == {"text": REPLY}
    with site.app_context():
        assert sealing.unseal(site.extensions["referral_private_key"], message.for_staff) == {
            "text": REPLY}
    seen, = entries(site, reference, wayback.ATTEMPT)
    assert seen.for_staff is None
    opened = wayback.open_for(her_key(), seen.for_resident)
    assert opened == {"at": TUESDAY_MORNING.isoformat(), "method": "site", "outcome": "written"}
    for sealed in (message.for_resident, seen.for_resident):
        assert OFFICER not in json.dumps(wayback.open_for(her_key(), sealed))
        assert REPLY.encode() not in sealed
    # What she wrote is answered by the reply.
    asked, = entries(site, reference, wayback.RESIDENT_MESSAGE)
    assert asked.dealt_at == TUESDAY_MORNING and asked.dealt_by is not None
    details = [detail for _, action, detail in audited(site, reference)
               if action == "referral.write"]
    assert details == ["answered=1"]
    assert not [d for _, _, d in audited(site, reference) if "tangerine" in d]


def test_a_reply_where_she_said_we_may_write_to_her_here_needs_no_override(case):
    officer, reference = case(write_here=True)
    assert write(officer, reference).status_code == 302


def test_a_reply_she_did_not_allow_needs_an_override_with_a_reason(case, site):
    officer, reference = case(write_here=False)
    assert "A reply now would set aside what they asked" in page(officer, reference)
    refused = write(officer, reference)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "This reply sets aside what the person asked" in text
    assert "a way of contacting them they did not choose" in text
    no_reason = write(officer, reference, override="y")
    assert no_reason.status_code == 400
    assert "Give the reason for the override" in no_reason.get_data(as_text=True)
    assert write(officer, reference, override="y", reason=REASON).status_code == 302
    with site.app_context():
        tried = db.session().scalar(select(ContactAttempt))
        assert tried.override == "channel" and REASON.encode() not in tried.sealed_reason
    assert REASON in page(officer, reference)
    assert [d for _, a, d in audited(site, reference) if a == "referral.write"] == [
        "answered=0 override=channel"]


def test_a_reply_needs_text_and_fits_the_limit(by_site):
    officer, reference = by_site
    empty = write(officer, reference, text="   ")
    assert empty.status_code == 400 and "Write the reply" in empty.get_data(as_text=True)
    long = write(officer, reference, text="x" * (wayback.MAX_MESSAGE + 1))
    assert long.status_code == 400
    assert f"Please use {wayback.MAX_MESSAGE} characters or fewer" in long.get_data(as_text=True)


def test_no_reply_without_an_open_way_back(case, site, clock):
    officer, reference = case(way_back=False)
    shown = page(officer, reference)
    assert "Write a reply" not in shown and "Their way back" not in shown
    assert 'value="site"' not in shown and 'value="written"' not in shown
    refused = officer.post(f"/staff/referral/{reference}/write", follow_redirects=True, data={
        "write-csrf_token": _token(shown, "attempt"), "write-text": REPLY})
    assert "They have no way back open on this site" in refused.get_data(as_text=True)
    give_way_back(site, reference, clock, write_here=True)
    with site.app_context():
        store.close(db.session(), referral_id(site, reference), clock["now"])
        db.session().commit()
    shown = page(officer, reference)
    assert "Their way back is closed" in shown and "Write a reply" not in shown
    refused = officer.post(f"/staff/referral/{reference}/write", follow_redirects=True, data={
        "write-csrf_token": _token(shown, "attempt"), "write-text": REPLY})
    assert "They have no way back open on this site" in refused.get_data(as_text=True)
    with site.app_context():
        assert db.session().scalar(select(func.count()).select_from(ContactAttempt)) == 0


def _token(html, prefix):
    from tests.staff import form_token

    return form_token(html, prefix)


@pytest.mark.parametrize(("kind", "rule", "banner"), [
    (wayback.STOP, "after they asked us to stop contacting them",
     "Asked us to stop contacting them"),
    (wayback.PRESSURE, "while they may be under pressure",
     "May be under pressure: do not write, do not call, until reviewed"),
])
def test_after_she_asked_us_to_stop_or_under_pressure_nothing_goes_without_an_override(
        by_site, site, kind, rule, banner):
    officer, reference = by_site
    add(site, reference, kind, {}, clock={"now": TUESDAY_MORNING})
    shown = page(officer, reference)
    assert banner in shown
    assert '<span class="tag">safe</span>' not in shown  # no way is marked safe
    refused = write(officer, reference)
    assert refused.status_code == 400 and rule in refused.get_data(as_text=True)
    call = attempt(officer, reference, TUESDAY_MORNING, method="letter", outcome="no_answer")
    assert call.status_code == 400 and rule in call.get_data(as_text=True)
    assert write(officer, reference, override="y", reason=REASON).status_code == 302
    with site.app_context():
        assert db.session().scalar(select(ContactAttempt.override)) == kind.replace(
            "stop", "stopped")


def test_when_she_says_we_may_contact_her_again_the_stop_is_lifted(by_site, site):
    officer, reference = by_site
    add(site, reference, wayback.STOP, {}, ago=timedelta(hours=2), clock={"now": TUESDAY_MORNING})
    add(site, reference, wayback.RESUMED, {}, ago=timedelta(hours=1),
        clock={"now": TUESDAY_MORNING})
    assert "Asked us to stop contacting them</h2>" not in page(officer, reference)
    assert write(officer, reference).status_code == 302


# -- her latest contact rules ---------------------------------------------------------------


def test_her_latest_contact_rules_are_the_ones_enforced_and_each_change_is_marked(case, site,
                                                                                  clock):
    officer, reference = case()
    evenings = {**PHONE_CONTACT, "bands": ["evening"], "voicemail": "yes"}
    add(site, reference, wayback.CONTACT_CHANGED, {"contact": evenings}, clock=clock)
    shown = page(officer, reference)
    assert "They changed how and when to contact them on" in shown
    rows = {row.split("</dt>")[0]: row for row in shown.split('<div class="summary-row"><dt>')}
    assert "changed by the resident on Tue 1 Dec 09:30" in rows[
        "If you do not answer, can we leave a voicemail or a message?"]
    assert "Evening (5pm to 9pm)" in rows["Which times of day are safe?"]
    assert "changed by the resident" in rows["Which times of day are safe?"]
    assert "changed by the resident" not in rows["Phone number"]
    assert "changed by the resident" not in rows["Which days are safe?"]
    # Ten in the morning was safe; it no longer is.
    refused = attempt(officer, reference, TUESDAY_MORNING, method="call", outcome="no_answer")
    assert refused.status_code == 400
    assert "outside the times they said are safe" in refused.get_data(as_text=True)
    # A voicemail is now allowed; the time still needs its override.
    assert attempt(officer, reference, TUESDAY_MORNING, method="call", outcome="message_left",
                   override="y", reason=REASON).status_code == 302
    with site.app_context():
        assert db.session().scalar(select(ContactAttempt.override)) == "time"


def test_she_can_change_to_writing_here_and_back_to_calls(case, site, clock):
    officer, reference = case()
    add(site, reference, wayback.CONTACT_CHANGED, {"contact": {"method": "site"}},
        ago=timedelta(hours=2), clock=clock)
    assert write(officer, reference).status_code == 302
    assert attempt(officer, reference, TUESDAY_MORNING, method="call",
                   outcome="no_answer").status_code == 400
    add(site, reference, wayback.CONTACT_CHANGED, {"contact": PHONE_CONTACT},
        ago=timedelta(minutes=1), clock=clock)
    assert write(officer, reference).status_code == 400
    assert attempt(officer, reference, TUESDAY_MORNING, method="call",
                   outcome="no_answer").status_code == 302


# -- what she sees of the casework --------------------------------------------------------


def test_attempts_closing_and_reopening_go_on_her_way_back_without_names(case, site):
    officer, reference = case()
    shown = page(officer, reference)
    assert 'value="site"' in shown  # a message on this site is a choice where she has one
    assert attempt(officer, reference, TUESDAY_MORNING, method="call",
                   outcome="no_answer").status_code == 302
    assert act(officer, reference, "close", {"outcome": "unreachable"}).status_code == 302
    assert act(officer, reference, "reopen", {}).status_code == 302
    kinds = [entry.kind for entry in entries(site, reference)]
    assert kinds == [wayback.ATTEMPT, wayback.CLOSED, wayback.REOPENED]
    seen = [wayback.open_for(her_key(), entry.for_resident) for entry in entries(site, reference)]
    assert seen == [
        {"at": TUESDAY_MORNING.isoformat(), "method": "call", "outcome": "no_answer"},
        {"outcome": "unreachable"}, {}]
    assert all(entry.for_staff is None for entry in entries(site, reference))


def test_without_a_way_back_the_casework_adds_nothing_for_her(case, site):
    officer, reference = case(way_back=False)
    attempt(officer, reference, TUESDAY_MORNING, method="call", outcome="no_answer")
    act(officer, reference, "close", {"outcome": "unreachable"})
    assert entries(site, reference) == []


def test_the_attempt_form_does_not_record_a_reply_without_one(case, site):
    officer, reference = case(write_here=True)
    assert 'value="written"' not in page(officer, reference)
    refused = attempt(officer, reference, TUESDAY_MORNING, method="site", outcome="no_answer")
    assert refused.status_code == 400
    assert "write your reply in the form for it" in refused.get_data(as_text=True)
    assert attempt(officer, reference, TUESDAY_MORNING, method="call",
                   outcome="written").status_code == 400
    with site.app_context():
        assert db.session().scalar(select(Referral.first_contact_at)) is None


# -- news, dealt with -------------------------------------------------------------------


def test_her_news_heads_the_queue_until_it_is_dealt_with(case, site, clock):
    officer, reference = case()
    queue = officer.get("/staff/").get_data(as_text=True)
    assert "News from residents" not in queue
    add(site, reference, wayback.ADDED, {"text": "He has a key"}, clock=clock)
    add(site, reference, wayback.CONTACT_CHANGED, {"contact": PHONE_CONTACT}, clock=clock,
        due_in=-timedelta(minutes=1))  # overdue
    queue = officer.get("/staff/").get_data(as_text=True)
    assert "News from residents" in queue
    news = queue.split('id="news"')[1].split('id="open-referrals"')[0]
    assert f"{reference}</a>" in news and "Added something" in news
    assert "Changed how and when to contact them" in news and "Overdue" in news
    shown = page(officer, reference)
    assert "To deal with" in shown and "He has a key" in shown and "Not dealt with yet" in shown
    assert act(officer, reference, "updates-dealt", {}, prefix="dealt").status_code == 302
    assert "News from residents" not in officer.get("/staff/").get_data(as_text=True)
    shown = page(officer, reference)
    assert "To deal with" not in shown and f"by {OFFICER}" in shown
    assert all(entry.dealt_by is not None for entry in entries(site, reference))
    assert ("referral.updates_dealt", "entries=2") in [
        (action, detail) for _, action, detail in audited(site, reference)]
    again = officer.post(f"/staff/referral/{reference}/updates-dealt", follow_redirects=True,
                         data={"dealt-csrf_token": _token(shown, "note")})
    assert "Nothing was waiting" in again.get_data(as_text=True)


def test_closed_referrals_with_news_are_listed_and_pressure_is_urgent(case, site, clock):
    officer, reference = case()
    act(officer, reference, "close", {"outcome": "declined"})
    add(site, reference, wayback.PRESSURE, {}, clock=clock, due_in=timedelta(hours=1))
    queue = officer.get("/staff/").get_data(as_text=True)
    news = queue.split('id="news"')[1].split('id="open-referrals"')[0]
    assert f"{reference}</a>" in news and "Closed" in news
    assert 'tag--red">May be under pressure: do not write, do not call</span>' in news
    # "Mark as dealt with" leaves a pressure warning alone: it needs a review.
    add(site, reference, wayback.RESIDENT_MESSAGE, {"text": "hello"}, clock=clock)
    act(officer, reference, "updates-dealt", {}, prefix="dealt")
    assert "May be under pressure" in officer.get("/staff/").get_data(as_text=True)


def test_the_news_is_ordered_by_its_earliest_due_time(case, site, clock):
    officer, first = case()
    second = store_site_referral(site, clock, "K7M-4QR")
    add(site, first, wayback.RESIDENT_MESSAGE, {"text": "a"}, clock=clock,
        due_in=timedelta(hours=20))
    add(site, second, wayback.RESIDENT_MESSAGE, {"text": "b"}, clock=clock,
        due_in=timedelta(hours=3))
    news = officer.get("/staff/").get_data(as_text=True).split('id="news"')[1]
    assert news.index(second) < news.index(first)


def test_pressure_is_reviewed_with_a_sealed_note(by_site, site):
    officer, reference = by_site
    add(site, reference, wayback.PRESSURE, {}, clock={"now": TUESDAY_MORNING})
    assert "Reviewed: lift the warning" in page(officer, reference)
    missing = act(officer, reference, "pressure-reviewed", {"note": ""}, prefix="pressure")
    assert missing.status_code == 400
    assert "Say what you checked before lifting the warning" in missing.get_data(as_text=True)
    note = "Spoke to her IDVA: she is safe, ex-partner was in the room"
    assert act(officer, reference, "pressure-reviewed", {"note": note},
               prefix="pressure").status_code == 302
    shown = page(officer, reference)
    assert "Pressure warning reviewed." in shown
    assert "May be under pressure: do not write, do not call, until reviewed" not in shown
    assert note in shown
    with site.app_context():
        assert note.encode() not in db.session().scalar(select(Note.sealed))
    pressure, = entries(site, reference, wayback.PRESSURE)
    assert pressure.dealt_at == TUESDAY_MORNING
    assert ("referral.pressure_reviewed", "entries=1") in [
        (a, d) for _, a, d in audited(site, reference)]
    assert write(officer, reference).status_code == 302


def test_dealing_with_her_news_lets_the_next_news_be_announced(by_site, site):
    officer, reference = by_site
    clock = {"now": TUESDAY_MORNING}
    add(site, reference, wayback.RESIDENT_MESSAGE, {"text": "hello"}, clock=clock)
    with site.app_context():
        session = db.session()
        for channel, sent in (("email", TUESDAY_MORNING), ("webhook", None)):
            session.add(Notification(
                channel=channel, event=UPDATE, reference=reference, due_at=TUESDAY_MORNING,
                created_at=TUESDAY_MORNING, tries=1 if sent else 0, next_try_at=TUESDAY_MORNING,
                sent_at=sent, last_error=""))
        session.commit()
    assert write(officer, reference).status_code == 302
    with site.app_context():
        left = db.session().execute(select(Notification.channel, Notification.event)).all()
        assert left == [("webhook", UPDATE)]  # the unsent one still goes


def test_the_update_notification_says_only_that_there_is_news():
    sent = Notification(channel="email", event=UPDATE, reference="K7M-4QP",
                        due_at=TUESDAY_MORNING + timedelta(hours=24))
    subject, body = wording(sent, "Community Safety team")
    assert subject == "Referral K7M-4QP has news from the resident, due Wednesday 2 December 10:00"
    assert "no personal details" in body and "K7M-4QP" in body


# -- audit ------------------------------------------------------------------------------


def test_every_reading_of_the_conversation_is_audited_without_its_words(by_site, site):
    officer, reference = by_site
    page(officer, reference)
    assert "referral.conversation" not in [a for _, a, _ in audited(site, reference)]
    add(site, reference, wayback.RESIDENT_MESSAGE, {"text": "secret-words-9931"},
        clock={"now": TUESDAY_MORNING})
    page(officer, reference)
    page(officer, reference)
    reads = [(actor, detail) for actor, action, detail in audited(site, reference)
             if action == "referral.conversation"]
    assert reads == [(OFFICER, "entries=1")] * 2
    assert not [d for _, _, d in audited(site, reference) if "secret-words" in d]


# -- a reporter's way back ---------------------------------------------------------------


def test_a_reporter_who_chose_this_site_is_written_to_the_same_way(site, clock):
    clock["now"] = TUESDAY_MORNING
    reference = store_site_referral(site, clock, "K7M-4QR", kind="concern")
    officer = site.test_client()
    sign_in(site, officer, clock)
    add(site, reference, wayback.CONTACT_CHANGED,
        {"contact": {"method": "site", "reporter_name": "Pat B"}}, clock=clock)
    assert "changed by the person who reported it on" in page(officer, reference)
    assert write(officer, reference).status_code == 302


# -- retention, the feed -------------------------------------------------------------------


def test_the_purge_removes_the_way_back_and_waits_for_unread_news(case, site, clock):
    officer, reference = case()
    add(site, reference, wayback.RESIDENT_MESSAGE, {"text": "hello"}, clock=clock)
    act(officer, reference, "close", {"outcome": "declined"})
    with site.app_context():
        session = db.session()
        store.start_visit(session, "v" * 64, referral_id(site, reference), b"locked",
                          clock["now"])
        session.add(WayBackTry(reference=reference, failures=2, first_at=clock["now"]))
        session.commit()
        later = clock["now"] + timedelta(days=400)
        assert retention.purge(session, later, 365) == []  # her message waits for us
    act(officer, reference, "updates-dealt", {}, prefix="dealt")
    with site.app_context():
        session = db.session()
        assert retention.purge(session, later, 365) == [reference]
        for table in (WayBack, WayBackEntry, ReturnVisit, WayBackTry, Referral):
            assert session.scalar(select(func.count()).select_from(table)) == 0, table


def test_the_feed_gives_her_latest_contact_rules_and_whether_contact_is_on_hold(
        case, site, clock):
    officer, reference = case()
    add(site, reference, wayback.RESIDENT_MESSAGE, {"text": "hello"}, clock=clock)
    write(officer, reference, override="y", reason=REASON)
    result = site.test_cli_runner().invoke(args=["api-token", "create", "case-system"])
    token = result.output.strip().splitlines()[-1]
    clock["now"] += timedelta(minutes=1)

    def read():
        feed = site.test_client().get("/staff/api/referrals",
                                      headers={"Authorization": f"Bearer {token}"})
        assert feed.status_code == 200
        found, = feed.get_json()["referrals"]
        assert found["reference"] == reference and "hello" not in json.dumps(found)
        return found

    first = read()
    assert first["contact"]["bands"] == ["morning", "afternoon"]
    assert first["contact_changed_at"] is None and first["contact_on_hold"] == []
    evenings = {**PHONE_CONTACT, "bands": ["evening"]}
    add(site, reference, wayback.CONTACT_CHANGED, {"contact": evenings}, clock=clock)
    add(site, reference, wayback.STOP, {}, clock=clock, ago=timedelta(minutes=10))
    add(site, reference, wayback.PRESSURE, {}, clock=clock, ago=timedelta(minutes=5))
    later = read()
    assert later["contact"] == evenings
    assert later["contact_changed_at"] == (clock["now"] - timedelta(minutes=30)).isoformat()
    assert later["contact_on_hold"] == ["stopped", "pressure"]


def test_the_export_gives_her_latest_contact_rules_as_the_page_and_the_feed_do(
        case, site, clock):
    """``flask referrals export`` gives the rules that hold now, not the ones
    first given: her sealed change of safe days (marked, with when), her stop
    and the pressure warning; what was not sealed from her key changes
    nothing. Reading the entries is audited, by count, like the page's read."""
    officer, reference = case()
    untouched = "K7M-4QT"  # a referral with no way back
    with site.app_context():
        session = db.session()
        session.add(Referral(
            reference=untouched, kind="self", language="en", received_at=clock["now"],
            promise_at=clock["now"], due_at=clock["now"], window_end=None, flags="",
            priority=2, status="open", contact_method="call",
            sealed=sealing.seal(site.extensions["referral_public_key"], {
                "contact": PHONE_CONTACT, "answers": {"danger": "no"}})))
        session.commit()

    def export():
        result = site.test_cli_runner().invoke(args=["referrals", "export"])
        assert result.exit_code == 0, result.output
        records = {r["reference"]: r for r in map(json.loads, result.output.splitlines())}
        assert "020 7946 0777" not in result.output  # the forged number
        return records[reference], records[untouched]

    first, _ = export()
    assert first["contact"]["days"] != ["monday", "wednesday"] and first["contact_changed"] == {}
    mondays = {**first["contact"], "days": ["monday", "wednesday"]}
    add(site, reference, wayback.CONTACT_CHANGED, {"contact": mondays}, clock=clock,
        ago=timedelta(minutes=40))
    forged = {"contact": {"method": "call", "phone": "020 7946 0777", "any_time": True,
                          "voicemail": "yes"}}
    add(site, reference, wayback.CONTACT_CHANGED, forged, clock=clock,
        ago=timedelta(minutes=30), from_her=False)
    add(site, reference, wayback.STOP, {}, clock=clock, ago=timedelta(minutes=20))
    add(site, reference, wayback.RESUMED, {}, clock=clock, ago=timedelta(minutes=10),
        from_her=False)

    found, other = export()
    assert found["contact"] == mondays
    assert found["contact_changed_at"] == (clock["now"] - timedelta(minutes=40)).isoformat()
    assert found["contact_changed"] == {"days": found["contact_changed_at"]}
    assert found["contact_on_hold"] == ["stopped"]
    assert found["contact_warnings"] == ["Asked us to stop contacting them"]
    assert other["contact"] == PHONE_CONTACT and other["contact_changed"] == {}
    assert other["contact_on_hold"] == [] and other["contact_warnings"] == []
    shown = page(officer, reference)  # the page says the same
    assert "changed by the resident on" in shown and "Asked us to stop contacting them" in shown

    add(site, reference, wayback.PRESSURE, {}, clock=clock, ago=timedelta(minutes=5))
    found, _ = export()
    assert found["contact_on_hold"] == ["stopped", "pressure"]
    assert found["contact_warnings"] == ["Asked us to stop contacting them",
                                         "May be under pressure: do not write, do not call"]
    reads = [detail for actor, action, detail in audited(site, reference)
             if action == "referral.conversation" and actor.startswith("cli:")]
    assert reads == ["entries=4", "entries=5"]  # none before she had any
    assert not [a for _, a, _ in audited(site, untouched) if a == "referral.conversation"]


def test_two_officers_dealing_at_once_each_entry_is_dealt_with_once(case, site, clock):
    officer, reference = case()
    add_officer(site, "second@example.org", clock)
    second = site.test_client()
    sign_in(site, second, clock, email="second@example.org")
    add(site, reference, wayback.ADDED, {"text": "more"}, clock=clock)
    pages = [page(c, reference) for c in (officer, second)]
    results = [c.post(f"/staff/referral/{reference}/updates-dealt", follow_redirects=True,
                      data={"dealt-csrf_token": _token(p, "dealt")}).get_data(as_text=True)
               for c, p in zip((officer, second), pages, strict=True)]
    assert "Marked as dealt with." in results[0]
    assert "someone else may have dealt with it first" in results[1]


def test_times_are_kept_in_utc_for_her(case, site):
    officer, reference = case()
    summer = TUESDAY_MORNING.astimezone(UTC)
    attempt(officer, reference, summer, method="call", outcome="no_answer")
    seen, = entries(site, reference, wayback.ATTEMPT)
    assert wayback.open_for(her_key(), seen.for_resident)["at"].endswith("+00:00")


def test_a_change_not_sealed_from_her_key_is_shown_and_not_acted_on(site, clock, case):
    """A public server taken over holds the staff public key, not hers: what
    it writes as her cannot loosen her rules (no voicemail, weekdays only)."""
    officer, reference = case()
    add(site, reference, wayback.STOP, {}, clock=clock, ago=timedelta(hours=2))
    add(site, reference, wayback.RESUMED, {}, clock=clock, ago=timedelta(hours=1),
        from_her=False)
    forged = {"contact": {"method": "call", "phone": "020 7946 0999", "any_time": True,
                          "voicemail": "yes"}}
    add(site, reference, wayback.CONTACT_CHANGED, forged, clock=clock, from_her=False)
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert "Not sealed with their passphrase" in page
    assert "Not acted on: their contact rules stay as they were." in page
    assert "020 7946 0018" in page  # her own number still the one shown as hers
    response = attempt(officer, reference, TUESDAY_MORNING, method="call",
                       outcome="message_left")
    assert response.status_code == 400  # still stopped, still never a message
    shown = response.get_data(as_text=True)
    assert "after they asked us to stop contacting them" in shown
    assert "a message where they said never to leave one" in shown
