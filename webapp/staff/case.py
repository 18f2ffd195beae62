"""One referral opened for an officer: the ``CaseFile`` that its page shows.

The sealed answers are opened once and the attempts and notes read once per
request; the file carries everything the page shows, worked out here (what
is safe now, what is allowed, whether the trusted person is open), so that
the template only displays it. ``referral.py`` has the views.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime

from flask import abort, current_app
from nacl.exceptions import CryptoError
from sqlalchemy import select

from webapp import db, presentation
from webapp.clock import now
from webapp.referrals.journeys import JOURNEYS
from webapp.referrals.models import Referral
from webapp.rules import casework, contact, sealing
from webapp.staff.models import ContactAttempt, Note, StaffUser

log = logging.getLogger(__name__)
JOURNEY_OF_KIND = {journey.kind: journey for journey in JOURNEYS.values()}


def private_key() -> sealing.Keyring:
    """The private keys: read when the app is made (so every gunicorn worker,
    recycled ones too, has the master's), else when first needed. Restart
    after ``keys rotate``."""
    keys = current_app.extensions.get("referral_private_key")
    if keys is None:
        keys = sealing.load_keyring(current_app.instance_path, os.environ)
        current_app.extensions["referral_private_key"] = keys
    return keys


def sealed_for_staff(text: str) -> bytes:
    """A note or an override reason, sealed for the current private key."""
    return sealing.seal(private_key().current.public_key, {"text": text})


def unsealed(sealed: bytes) -> dict:
    """A referral, note or reason opened; a 500 if no key held here opens it."""
    try:
        return sealing.unseal(private_key(), sealed)
    except CryptoError:
        # Sealed for a key this instance does not hold: a public instance still
        # on a retired key, or a key line removed by hand. Say so, never what.
        log.error(
            "something sealed opens with none of the %d private keys held here; "
            "run: flask --app webapp keys status",
            len(private_key().keys),
        )
        abort(500)


def find(reference: str) -> Referral:
    found = db.session().scalar(select(Referral).where(Referral.reference == reference))
    if found is None:
        abort(404)
    return found


@dataclass
class CaseFile:
    """A referral as its page shows it, opened once."""

    referral: Referral
    rules: casework.SafeContact
    contact: list[dict]  # the safe-contact answers, as questions and answers
    answers: list[dict]  # everything else they told us
    attempts: list[dict]
    notes: list[dict]
    failed: int  # attempts that did not reach them
    threshold: int  # failed attempts before the trusted person is offered
    officers: dict[int, str] = field(repr=False)
    moment: datetime = field(default_factory=now)

    @property
    def assignee(self) -> str | None:
        return self.officers.get(self.referral.assigned_to)

    @property
    def danger_now(self) -> bool:
        return contact.DANGER_NOW in self.referral.flag_list

    @property
    def no_safe_window(self) -> bool:
        return contact.NO_SAFE_WINDOW in self.referral.flag_list

    @property
    def alternative(self) -> bool:
        """The trusted person may now be contacted."""
        return casework.alternative_open(self.rules, self.failed, self.threshold)

    @property
    def unreached_with_no_one_else(self) -> bool:
        return (
            not self.alternative
            and self.failed >= self.threshold
            and not self.rules.no_contact
            and self.referral.kind == "self"
        )

    @property
    def safe_now(self) -> bool:
        return casework.in_safe_time(self.rules, self.moment)

    @property
    def next_safe(self) -> datetime | None:
        return casework.next_safe_time(self.rules, self.moment)

    @property
    def allowed(self) -> set[str]:
        return casework.allowed_methods(self.rules, self.failed, self.threshold)

    def broken_by(self, method: str, outcome: str, at: datetime) -> list[str]:
        """The safe-contact rules an attempt would set aside."""
        return casework.broken_rules(self.rules, method, outcome, at, self.failed, self.threshold)


def case_file(found: Referral) -> CaseFile:
    """Open a referral, with its attempts and notes, for its page."""
    session = db.session()
    sealed = unsealed(found.sealed)
    journey = JOURNEY_OF_KIND[found.kind]
    officers = dict(session.execute(select(StaffUser.id, StaffUser.email)).all())
    attempts = session.scalars(
        select(ContactAttempt)
        .where(ContactAttempt.referral_id == found.id)
        .order_by(ContactAttempt.at, ContactAttempt.id)
    ).all()
    notes = session.scalars(
        select(Note).where(Note.referral_id == found.id).order_by(Note.at, Note.id)
    ).all()
    return CaseFile(
        referral=found,
        rules=casework.safe_contact(found.kind, sealed["contact"]),
        contact=presentation.readable(journey, sealed["contact"]),
        answers=presentation.readable(journey, sealed["answers"]),
        attempts=[
            {
                "at": attempt.at,
                "by": officers.get(attempt.officer_id),
                "method": attempt.method,
                "outcome": attempt.outcome,
                "override": [rule for rule in attempt.override.split(",") if rule],
                "reason": unsealed(attempt.sealed_reason)["text"]
                if attempt.sealed_reason
                else None,
            }
            for attempt in attempts
        ],
        notes=[
            {
                "at": note.at,
                "by": officers.get(note.officer_id),
                "text": unsealed(note.sealed)["text"],
            }
            for note in notes
        ],
        failed=casework.failed_count(attempt.outcome for attempt in attempts),
        threshold=current_app.config["SITE"].attempts_before_alternative,
        officers=officers,
    )
