"""Sealing, references, the journeys' order, and how answers become a referral."""

import os
import stat
from datetime import UTC, datetime, time

import pytest
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey

from webapp.referrals.journeys import ASK, CONCERN
from webapp.rules import intake, sealing
from webapp.rules.due import Window
from webapp.rules.reference import ALPHABET, PATTERN, new_reference, normalise
from webapp.settings import Settings


def test_sealed_answers_open_only_with_the_private_key():
    private = PrivateKey.generate()
    sealed = sealing.seal(private.public_key, {"answer": "zebra ü 🦓"})
    assert b"zebra" not in sealed
    assert sealing.unseal(private, sealed) == {"answer": "zebra ü 🦓"}
    with pytest.raises(CryptoError):
        sealing.unseal(PrivateKey.generate(), sealed)


def test_drafts_open_only_with_their_own_key():
    key = sealing.new_draft_key()
    locked = sealing.lock_draft(key, {"answers": {"a": "b"}})
    assert sealing.open_draft(key, locked) == {"answers": {"a": "b"}}
    assert sealing.open_draft(sealing.new_draft_key(), locked) is None
    assert sealing.open_draft("not a key", locked) is None


def test_key_files(tmp_path):
    public = sealing.generate_keypair(tmp_path)
    assert stat.S_IMODE(os.stat(tmp_path / "referral_key").st_mode) == 0o600
    assert sealing.load_public_key(tmp_path, {}) == public
    assert sealing.load_keyring(tmp_path, {}).current.public_key == public
    assert sealing.load_public_key(tmp_path / "x", {"QD_PUBLIC_KEY": sealing.encode_key(public)}) \
        == public
    with pytest.raises(FileExistsError):
        sealing.generate_keypair(tmp_path)
    with pytest.raises(sealing.KeyProblem, match="No private key"):
        sealing.load_keyring(tmp_path / "elsewhere", {})
    with pytest.raises(sealing.KeyProblem, match="not a valid key"):
        sealing.load_public_key(tmp_path, {"QD_PUBLIC_KEY": "bad"})


def test_references_are_short_and_unambiguous():
    seen = {new_reference() for _ in range(2000)}
    assert len(seen) > 1990
    for reference in seen:
        assert PATTERN.fullmatch(reference)
    assert not set("AEIOU0125SZL") & set(ALPHABET)
    assert normalise(" k7m 4qp ".replace("7", "7")) == "K7M-4QP"
    assert normalise("K7M-4Q") is None and normalise("AAA-AAA") is None


def test_steps_apply_by_method():
    by_text = [s.slug for s in ASK.applicable({"method": "text"})]
    assert "phone" in by_text and "messages" in by_text
    assert "withheld-number" not in by_text and "code-word" not in by_text
    quiet = [s.slug for s in ASK.applicable({"method": "none"})]
    assert "safe-times" not in quiet and "letters" not in quiet
    assert "in-danger" in [s.slug for s in ASK.applicable({"danger": "yes"})]


def test_moving_on_and_back():
    answers = {"method": "email"}
    assert ASK.next_after("contact", answers, set(), reviewing=False) == "email"
    assert ASK.next_after("about-you", answers, set(), reviewing=False) == "way-back"
    assert ASK.next_after("way-back", answers, set(), reviewing=False) == "check"
    seen = {s.slug for s in ASK.applicable(answers)}
    assert ASK.next_after("contact", answers, seen, reviewing=True) == "check"
    answers = {"method": "call"}  # changed on review: the new pages come first
    assert ASK.next_after("contact", answers, seen, reviewing=True) == "phone"
    assert ASK.previous("danger", answers) is None
    assert ASK.previous("check", answers) == "way-back"
    assert CONCERN.previous("relationship", {"danger": "yes"}) == "in-danger"


def test_the_page_a_draft_is_at():
    """Every page is at one address: the draft says which to show."""
    assert ASK.position({}, set(), None) == "danger"  # a new visitor
    answers = {"danger": "no", "method": "email"}
    assert ASK.position(answers, {"danger", "contact"}, "email") == "email"
    # A page that no longer applies (the method changed in another tab): the
    # first page not yet answered.
    assert ASK.position(answers, {"danger", "contact"}, "phone") == "email"
    seen = {s.slug for s in ASK.applicable(answers)}
    assert ASK.position(answers, seen, "check") == "check"
    assert ASK.position(answers, seen, "language") == "language"  # Back or Change
    # At the check page while a changed answer brought in new questions: those first.
    assert ASK.position({"method": "call"}, seen, "check") == "phone"
    # A draft saved before drafts kept a position: where it had got to.
    assert ASK.position(answers, {"danger", "contact"}, None) == "email"
    assert ASK.position(answers, seen, None) == "check"


def test_safe_windows_from_answers():
    assert intake.safe_windows({"any_time": True, "days": ["monday"]}) is None
    assert intake.safe_windows({"days": ["monday"], "bands": []}) is None
    assert intake.safe_windows({"days": ["monday", "friday"], "bands": ["evening"]}) == [
        Window(0, time(17), time(21)), Window(4, time(17), time(21))]


def test_build_a_referral():
    private = PrivateKey.generate()
    answers = {"danger": "yes", "method": "call", "phone": "020 7946 0018", "email": "old@x.y",
               "days": ["saturday"], "bands": ["morning"], "help_more": "zebra"}
    received = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # a Tuesday
    new = intake.build(ASK.kind, ASK.kept_answers(answers), "cy", received,
                       Settings().response_promise, private.public_key)
    assert new.flags == ("danger_now", "no_safe_window")
    assert new.priority == 1 and new.contact_method == "call" and new.language == "cy"
    assert new.due_at == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    opened = sealing.unseal(private, new.sealed)
    assert opened["contact"]["phone"] == "020 7946 0018"
    assert "email" not in opened["contact"]  # not the chosen method: dropped
    assert opened["answers"] == {"danger": "yes", "help_more": "zebra"}
