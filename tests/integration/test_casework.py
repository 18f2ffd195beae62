"""Casework on a referral: contact attempts under the safe-contact rules,
sealed notes, closing and reopening; all of it audited."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import ASK_BY_PHONE, Walker
from tests.staff import OFFICER, REFERENCE_LINK, add_officer, form_token, sign_in
from webapp import db
from webapp.referrals.models import Referral
from webapp.staff import audit
from webapp.staff.models import ContactAttempt

LONDON = ZoneInfo("Europe/London")
# A Tuesday at 10:00 in London: inside the resident's safe times (weekdays 8 to 5).
TUESDAY_MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=LONDON).astimezone(UTC)
WITH_TRUSTED = [step if step[0] != "trusted-person" else
                ("trusted-person", {"trusted_name": "Priya", "trusted_contact": "07700 900123",
                                    "trusted_relationship": "sister"})
                for step in ASK_BY_PHONE]


@pytest.fixture
def case(site, clock):
    """A referral made by phone with safe times, and a signed-in officer on it."""
    clock["now"] = TUESDAY_MORNING

    def make(steps=ASK_BY_PHONE):
        resident = Walker(site.test_client())
        resident.walk("/ask", steps)
        resident.send("/ask")
        officer = site.test_client()
        sign_in(site, officer, clock)
        reference = REFERENCE_LINK.search(officer.get("/staff/").get_data(as_text=True)).group(1)
        return officer, reference

    return make


def act(client, reference, what, data, prefix=None):
    page = client.get(f"/staff/referral/{reference}").get_data(as_text=True)
    prefix = prefix or what
    fields = {f"{prefix}-{name}": value for name, value in data.items()}
    return client.post(f"/staff/referral/{reference}/{what}",
                       data={f"{prefix}-csrf_token": form_token(page, prefix), **fields})


def attempt(client, reference, at, **data):
    local = at.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")
    return act(client, reference, "attempt", {"at": local, **data})


def audited(site, reference):
    with site.app_context():
        return [(e.actor, e.action, e.detail) for e in audit.entries(db.session())
                if e.reference == reference]


def test_the_page_says_when_it_is_safe_and_never_to_leave_a_message(case, site, clock):
    officer, reference = case()
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert "Now is inside a time they said is safe." in page
    assert "Never leave a message." in page
    clock["now"] = TUESDAY_MORNING + timedelta(hours=9)  # 19:00
    sign_in(site, officer, clock)  # signed out while idle
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert "Now is not a safe time. The next safe time starts Wednesday 2 December 08:00" in page


def test_a_safe_attempt_is_recorded_and_audited(case, site):
    officer, reference = case()
    response = attempt(officer, reference, TUESDAY_MORNING, method="call", outcome="no_answer")
    assert response.status_code == 302
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert "Attempt recorded." in page and "No answer" in page
    assert (OFFICER, "referral.attempt", "method=call outcome=no_answer at=2026-12-01T10:00Z"
            ) in audited(site, reference)


@pytest.mark.parametrize(("data", "when", "rules"), [
    ({"method": "email", "outcome": "no_answer"}, TUESDAY_MORNING, ["channel"]),
    ({"method": "call", "outcome": "no_answer"}, TUESDAY_MORNING + timedelta(hours=10),
     ["time"]),
    ({"method": "call", "outcome": "message_left"}, TUESDAY_MORNING, ["message"]),
    ({"method": "trusted", "outcome": "spoke"}, TUESDAY_MORNING, ["channel"]),
])
def test_an_unsafe_attempt_needs_an_override_with_a_reason(case, site, clock, data, when, rules):
    officer, reference = case(WITH_TRUSTED)
    if when > clock["now"]:
        clock["now"] = when
        sign_in(site, officer, clock)
    refused = attempt(officer, reference, when, **data)
    assert refused.status_code == 400
    assert "This attempt sets aside what the person asked" in refused.get_data(as_text=True)
    no_reason = attempt(officer, reference, when, override="y", **data)
    assert no_reason.status_code == 400
    assert "Give the reason for the override" in no_reason.get_data(as_text=True)
    reason = "Crisis call from the police: risk to life tonight"
    assert attempt(officer, reference, when, override="y", reason=reason,
                   **data).status_code == 302
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert "Override" in page and reason in page
    details = [detail for _, action, detail in audited(site, reference)
               if action == "referral.attempt"]
    assert details == [f"method={data['method']} outcome={data['outcome']} "
                       f"override={','.join(rules)} at={when:%Y-%m-%dT%H:%MZ}"]
    with site.app_context():
        stored = db.session().scalar(select(ContactAttempt))
        assert stored.override == ",".join(rules)
        assert reason.encode() not in stored.sealed_reason  # sealed, not in clear


def test_after_three_failed_tries_the_trusted_person_is_offered(case):
    officer, reference = case(WITH_TRUSTED)
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert 'id="alternative"' not in page
    for outcome in ("no_answer", "not_safe", "no_answer"):
        assert attempt(officer, reference, TUESDAY_MORNING, method="call",
                       outcome=outcome).status_code == 302
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert 'id="alternative"' in page
    assert "Priya (sister): 07700 900123" in page
    assert attempt(officer, reference, TUESDAY_MORNING, method="trusted",
                   outcome="spoke").status_code == 302


def test_without_a_trusted_person_the_page_says_so(case):
    officer, reference = case()
    for _ in range(3):
        attempt(officer, reference, TUESDAY_MORNING, method="call", outcome="no_answer")
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert "Not reached after 3 tries, and they named no one else to contact." in page


def test_an_attempt_cannot_be_in_the_future_or_before_the_referral(case, site):
    officer, reference = case()
    response = attempt(officer, reference, TUESDAY_MORNING + timedelta(hours=2), method="call",
                       outcome="spoke")
    assert response.status_code == 400
    assert "An attempt cannot be in the future" in response.get_data(as_text=True)
    early = attempt(officer, reference, TUESDAY_MORNING - timedelta(days=2), method="call",
                    outcome="spoke")
    assert early.status_code == 400
    assert "An attempt cannot be before the referral arrived" in early.get_data(as_text=True)
    with site.app_context():
        assert db.session().scalar(select(Referral.first_contact_at)) is None


def test_speaking_to_them_sets_the_first_contact(case, site):
    officer, reference = case()
    attempt(officer, reference, TUESDAY_MORNING, method="call", outcome="spoke")
    with site.app_context():
        found = db.session().scalar(select(Referral))
        assert found.first_contact_at == TUESDAY_MORNING


def test_notes_are_sealed_and_shown(case, site):
    officer, reference = case()
    note = "Spoke to housing: tangerine-lantern-5512"
    assert act(officer, reference, "note", {"note": note}).status_code == 302
    assert note in officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert ("officer@example.org", "referral.note", "") in audited(site, reference)
    url = site.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for stored in (path, path.with_name(path.name + "-wal")):
            assert not stored.exists() or b"tangerine-lantern" not in stored.read_bytes()


def test_close_then_reopen_and_two_officers_closing_at_once(case, site, clock):
    officer, reference = case()
    add_officer(site, "second@example.org", clock)
    second = site.test_client()
    sign_in(site, second, clock, email="second@example.org")
    pages = [c.get(f"/staff/referral/{reference}").get_data(as_text=True)
             for c in (officer, second)]
    results = [c.post(f"/staff/referral/{reference}/close", follow_redirects=True, data={
        "close-csrf_token": form_token(p, "close"), "close-outcome": outcome,
    }).get_data(as_text=True) for c, p, outcome in zip(
        (officer, second), pages, ("support_agreed", "declined"), strict=True)]
    assert "Referral closed." in results[0]
    assert "Someone else closed this referral first." in results[1]
    assert "Support agreed" in results[1]
    assert reference not in officer.get("/staff/").get_data(as_text=True)
    closed = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert "Record an attempt" not in closed
    refused = officer.post(f"/staff/referral/{reference}/attempt", follow_redirects=True, data={
        "attempt-csrf_token": form_token(closed, "reopen"), "attempt-method": "call",
        "attempt-outcome": "spoke", "attempt-at": "2026-12-01T10:00"})
    assert "This referral is closed. Reopen it to record an attempt." in refused.get_data(
        as_text=True)
    assert act(officer, reference, "reopen", {}).status_code == 302
    assert reference in officer.get("/staff/").get_data(as_text=True)
    actions = [action for _, action, _ in audited(site, reference)]
    assert actions.count("referral.close") == 1 and "referral.reopen" in actions


def test_closing_needs_an_outcome(case):
    officer, reference = case()
    response = act(officer, reference, "close", {})
    assert response.status_code == 400
    assert "Choose the outcome" in response.get_data(as_text=True)


def test_a_reference_read_out_on_the_phone_finds_the_referral(case):
    officer, reference = case()
    spoken = reference.lower().replace("-", " ")
    found = officer.get("/staff/find", query_string={"reference": spoken})
    assert found.headers["Location"] == f"/staff/referral/{reference}"
    missing = officer.get("/staff/find?reference=KKK-KKK", follow_redirects=True)
    assert "No referral has the reference KKK-KKK" in missing.get_data(as_text=True)
    nonsense = officer.get("/staff/find?reference=<b>hi</b>", follow_redirects=True)
    assert "&lt;b&gt;hi&lt;/b&gt;" in nonsense.get_data(as_text=True)


def test_a_manager_reassigns_and_an_officer_hands_back_only_their_own(case, site, clock):
    officer, reference = case()
    add_officer(site, "manager@example.org", clock, role="manager")
    manager = site.test_client()
    sign_in(site, manager, clock, email="manager@example.org")
    with site.app_context():
        from webapp.staff.models import StaffUser

        officer_id = db.session().scalar(select(StaffUser.id).where(
            StaffUser.email == OFFICER))
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert 'name="reassign-officer"' not in page  # officers do not reassign
    forged = officer.post(f"/staff/referral/{reference}/reassign", data={
        "reassign-csrf_token": form_token(page, "attempt"),  # one token per session
        "reassign-officer": str(officer_id)})
    assert forged.status_code == 403
    assert reference in officer.get("/staff/unassigned").get_data(as_text=True)
    assert act(manager, reference, "reassign", {"officer": str(officer_id)}).status_code == 302
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert f"Assigned to {OFFICER}" in page and "Hand it back (unassign me)" in page
    assert act(officer, reference, "reassign", {"officer": ""}).status_code == 302
    assert reference in officer.get("/staff/unassigned").get_data(as_text=True)
    details = [detail for _, action, detail in audited(site, reference)
               if action == "referral.reassign"]
    assert details == [f"to={OFFICER}", "to=nobody"]


def test_comms_staff_never_see_a_referral(case, site, clock):
    _officer, reference = case()
    add_officer(site, "comms@example.org", clock, role="comms")
    comms = site.test_client()
    assert sign_in(site, comms, clock, email="comms@example.org").headers["Location"] == \
        "/staff/content/"
    for path in ("/staff/", "/staff/overdue", f"/staff/referral/{reference}",
                 "/staff/find?reference=" + reference):
        assert comms.get(path).status_code == 403, path
    reports = comms.get("/staff/reports")
    assert reports.status_code == 200  # counts only
    token = re.search(r'name="csrf_token" value="([^"]+)"', reports.get_data(as_text=True))
    refused = comms.post(f"/staff/referral/{reference}/close", data={
        "close-csrf_token": token.group(1), "close-outcome": "declined"})
    assert refused.status_code == 403


def test_a_change_and_its_audit_entry_are_stored_together_or_not_at_all(case, site,
                                                                       monkeypatch):
    """Views commit explicitly, once, after the audit entry is added: a change
    whose audit entry cannot be written is not kept either."""
    from webapp.staff.models import Note

    officer, reference = case()
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)

    def broken(*args, **kwargs):
        raise RuntimeError("the audit log cannot be written")

    monkeypatch.setattr(audit, "record_many", broken)
    response = officer.post(f"/staff/referral/{reference}/note", data={
        "note-csrf_token": form_token(page, "note"), "note-note": "lost-with-its-audit-entry"})
    assert response.status_code == 500
    with site.app_context():
        assert db.session().scalar(select(Note)) is None  # the note went with its audit entry
