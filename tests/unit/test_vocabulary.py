"""The one contact vocabulary (webapp/rules/contact.py) and everything keyed
from it: a code with no words, or a method no page asks about, fails here
with its name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nacl.public import PrivateKey

from webapp import presentation
from webapp.referrals import forms
from webapp.referrals.journeys import ASK, CONCERN
from webapp.rules import casework, contact, due, intake, sealing


@pytest.mark.parametrize("table", sorted(presentation.COVERAGE))
def test_every_code_has_words(table):
    words, codes = presentation.COVERAGE[table]
    missing = sorted(codes - set(words))
    assert not missing, f"presentation.{table} has no words for {missing}"
    unknown = sorted(set(words) - codes)
    assert not unknown, f"presentation.{table} has words for codes the vocabulary lacks: {unknown}"


def choice_values(field_choices) -> list[str]:
    return [choice.value for choice in field_choices]


def test_the_journeys_offer_the_vocabulary_in_its_order():
    assert choice_values(forms.METHODS) == [m.code for m in contact.RESIDENT_METHODS]
    assert choice_values(forms.REPORTER_METHODS) == [m.code for m in contact.REPORTER_METHODS]
    assert choice_values(forms.DAYS) == list(contact.DAYS)
    assert choice_values(forms.BANDS) == list(contact.BANDS)
    assert choice_values(forms.VOICEMAIL) == list(contact.VOICEMAIL)


DETAILS_PAGE = {contact.PHONE: "phone", contact.EMAIL_ADDRESS: "email",
                contact.AGENCY_DETAILS: "support-worker", contact.MEETING_PLACE: "meeting-place",
                contact.PASSPHRASE: "passphrase"}


@pytest.mark.parametrize("method", contact.RESIDENT_METHODS, ids=lambda m: m.code)
def test_each_resident_method_asks_what_it_needs(method):
    slugs = [step.slug for step in ASK.applicable({"method": method.code})]
    if method.reach is None:
        assert not set(DETAILS_PAGE.values()) & set(slugs), method.code
    else:
        assert method.reach in DETAILS_PAGE, f"no page asks for {method.reach!r}"
        assert DETAILS_PAGE[method.reach] in slugs
    assert ("safe-times" in slugs) == method.safe_times, method.code
    assert ("messages" in slugs) == method.takes_message, method.code
    assert ("code-word" in slugs) == method.live, method.code
    assert ("withheld-number" in slugs) == method.rings, method.code
    assert ("letters" in slugs) == (method is not contact.NO_CONTACT), method.code


@pytest.mark.parametrize("method", contact.REPORTER_METHODS, ids=lambda m: m.code)
def test_each_reporter_method_keeps_only_its_own_details(method):
    assert CONCERN.step("your-details").form.__dict__.keys() >= {"method"}
    assert method.reach in (None, contact.PHONE, contact.EMAIL_ADDRESS, contact.PASSPHRASE), (
        f"the concern journey has no box for reaching a reporter by {method.reach!r}")
    slugs = [step.slug for step in CONCERN.applicable({"method": method.code})]
    # A passphrase is asked on a page of its own; every other reporter is offered one.
    assert ("passphrase" in slugs) == (method.reach == contact.PASSPHRASE), method.code
    assert ("way-back" in slugs) == (method.reach != contact.PASSPHRASE), method.code


@pytest.mark.parametrize("method", contact.RESIDENT_METHODS, ids=lambda m: m.code)
def test_the_due_time_follows_safe_times_for_exactly_the_methods_that_have_them(method):
    private = PrivateKey.generate()
    answers = {"method": method.code, "days": ["saturday"], "bands": ["morning"]}
    received = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # a Tuesday; the promise ends Wednesday
    new = intake.build("self", ASK.kept_answers(answers), "en", received, due.Promise(),
                       private.public_key)
    moved = new.due_at != new.promise_at
    assert moved == method.safe_times, method.code
    opened = sealing.unseal(private, new.sealed)
    assert opened["contact"]["method"] == method.code


@pytest.mark.parametrize("method", contact.RESIDENT_METHODS, ids=lambda m: m.code)
def test_staff_rules_allow_the_chosen_method_and_forbid_the_others(method):
    # An open way back, without "write to me here": site is allowed only when chosen.
    rules = casework.safe_contact("self", {"method": method.code},
                                  casework.WayBack(open=True, write_here=False))
    for tried in contact.ATTEMPT_METHODS:
        allowed = tried.code == method.code
        broken = casework.broken_rules(rules, tried.code, "no_answer",
                                       datetime(2026, 11, 24, 10, 0, tzinfo=UTC), 0, 3)
        assert (contact.CHANNEL not in broken) == allowed, (method.code, tried.code)


def test_old_concern_drafts_read_in_todays_shape():
    old = {"relationship": "friend", "reporter_method": "call", "reporter_phone": "020 7946 0018"}
    assert intake.current_shape("concern", old) == {
        "relationship": "friend", "method": "call", "reporter_phone": "020 7946 0018"}
    assert intake.current_shape("self", {"method": "text"}) == {"method": "text"}
