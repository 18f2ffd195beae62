"""What was stored before the plain-house change still opens and reads the
same: referrals sealed by the earlier release (the sealed shape never
changed: the method was always "method"), and a concern's draft in flight
across the upgrade, which kept the reporter's choice as "reporter_method"."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import CONCERN_ANONYMOUS, Walker
from tests.staff import sign_in
from webapp import db
from webapp.referrals.models import Draft, Referral
from webapp.rules import sealing

# As the release before this one sealed them (webapp/referrals/service.py then).
OLD_CONCERN = {
    "contact": {"method": "call", "reporter_name": "Pat", "reporter_phone": "020 7946 0018",
                "reporter_email": None},
    "answers": {"danger": "no", "relationship": "neighbour", "seen": "Shouting at night"},
}
OLD_SELF = {
    "contact": {"method": "text", "phone": "07700 900123", "phone_own": "yes",
                "voicemail": "no_name", "any_time": False, "days": ["monday"],
                "bands": ["evening"], "avoid": "", "post_safe": "no"},
    "answers": {"danger": "no", "help": ["security"], "name": "Alex"},
}


def export(app) -> list[dict]:
    result = app.test_cli_runner().invoke(args=["referrals", "export"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def store_old(site, reference, kind, payload, clock):
    with site.app_context():
        public_key = site.extensions["referral_public_key"]
        received = clock["now"] - timedelta(hours=1)
        db.session().add(Referral(
            reference=reference, kind=kind, language="en", received_at=received,
            promise_at=received + timedelta(hours=24), due_at=received + timedelta(hours=24),
            window_end=None, flags="", priority=2, status="open",
            contact_method=payload["contact"]["method"],
            sealed=sealing.seal(public_key, payload)))
        db.session().commit()


def test_referrals_sealed_by_the_earlier_release_read_the_same(site, clock):
    store_old(site, "K7M-4QP", "concern", OLD_CONCERN, clock)
    store_old(site, "K7M-4QR", "self", OLD_SELF, clock)
    officer = site.test_client()
    sign_in(site, officer, clock)
    concern = officer.get("/staff/referral/K7M-4QP").get_data(as_text=True)
    for text in ("Can we contact you?", "Yes, by phone", "Pat", "020 7946 0018",
                 "What have you seen or heard?", "Shouting at night", "A neighbour"):
        assert text in concern, text
    mine = officer.get("/staff/referral/K7M-4QR").get_data(as_text=True)
    for text in ("How can we contact you safely?", "A text message", "07700 900123",
                 "Yes, but do not say who you are or where you are calling from",
                 "Monday", "Evening (5pm to 9pm)",
                 "Making my home more secure (locks, alarms, lighting)", "Alex"):
        assert text in mine, text
    queue = officer.get("/staff/").get_data(as_text=True)
    assert "Phone call" in queue and "Text message" in queue
    exported = {line["reference"]: line for line in export(site)}
    assert exported["K7M-4QP"]["contact"] == OLD_CONCERN["contact"]
    assert exported["K7M-4QR"]["answers"] == OLD_SELF["answers"]


def test_a_concern_draft_kept_in_the_old_shape_sends_what_was_chosen(site, clock):
    """A reporter who chose "call" on the old release and presses Send on the
    new one is still called back: not quietly made anonymous."""
    resident = Walker(site.test_client())
    resident.walk("/concern", [*CONCERN_ANONYMOUS[:-2], ("your-details", {
        "method": "call", "reporter_name": "Pat", "reporter_phone": "020 7946 0018"}),
        ("way-back", {})])
    with resident.client.session_transaction() as cookie:
        ref = cookie["drafts"]["concern"]
    with site.app_context():
        draft = db.session().get(Draft, ref["id"])
        data = sealing.open_draft(ref["key"], draft.locked)
        answers = data["answers"]
        answers["reporter_method"] = answers.pop("method")  # as the old release kept it
        draft.locked = sealing.lock_draft(ref["key"], data)
        db.session().commit()
    check = resident.client.get("/concern/questions").get_data(as_text=True)
    assert "Yes, by phone" in check
    resident.send("/concern")
    [record] = [line for line in export(site) if line["kind"] == "concern"]
    assert record["contact"]["method"] == "call"
    assert record["contact"]["reporter_phone"] == "020 7946 0018"
    with site.app_context():
        stored = db.session().scalar(select(Referral))
        assert stored.contact_method == "call" and "anonymous" not in stored.flag_list
