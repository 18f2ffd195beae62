"""One referral opened for an officer: the ``CaseFile`` that its page shows.

The sealed answers are opened once and the attempts and notes read once per
request; the file carries everything the page shows, worked out here (what
is safe now, what is allowed, whether the trusted person is open), so that
the template only displays it. ``referral.py`` has the views.

A referral with a way back (``rules/wayback.py``) also carries its
conversation (every entry, opened with the staff key), what she asked of us
that no officer has dealt with yet, and her latest contact rules, which
replace the ones she first gave: each answer she changed says when.
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
from webapp.rules import casework, contact, sealing, wayback
from webapp.staff.models import ContactAttempt, Note, StaffUser
from webapp.wayback.models import WayBack, WayBackEntry

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
    way_back: WayBack | None = None
    conversation: list[dict] = field(default_factory=list, repr=False)
    pending: list[dict] = field(default_factory=list)  # what she asked, not yet dealt with
    contact_changed_at: datetime | None = None  # when she last changed her contact rules

    @property
    def way_back_open(self) -> bool:
        return self.way_back is not None and self.way_back.closed_at is None

    @property
    def may_write(self) -> bool:
        """The reply form is shown: the referral and her way back are open."""
        return self.way_back_open and self.referral.status == "open"

    @property
    def pending_updates(self) -> list[dict]:
        """What "mark as dealt with" deals with: all but the pressure warning,
        which needs a review of its own."""
        return [entry for entry in self.pending if entry["kind"] != wayback.PRESSURE]

    @property
    def writing_sets_aside(self) -> list[str]:
        """The rules a reply written now would set aside."""
        return self.broken_by(contact.SITE.code, contact.WRITTEN, self.moment)

    @property
    def safe_methods(self) -> set[str]:
        """The ways marked safe on the attempt form: none while she asked us
        to stop or may be under pressure."""
        if self.rules.stopped or self.rules.under_pressure:
            return set()
        return self.allowed

    @property
    def attempt_methods(self) -> tuple[str, ...]:
        """The ways the attempt form offers: a message on this site only
        while her way back is open."""
        return tuple(
            m.code for m in contact.ATTEMPT_METHODS if m is not contact.SITE or self.way_back_open
        )

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


def contact_rows(journey, values: dict, changed_at: dict[str, datetime]) -> list[dict]:
    """Her contact answers as questions and answers (``presentation.readable``),
    each with when she changed it on her way back (None if she did not)."""
    return [
        {
            "question": label,
            "answer": presentation.answer_text(values[name], options, yes_no),
            "changed_at": changed_at.get(name),
        }
        for name, (label, options, yes_no) in presentation.questions(journey).items()
        if name in values
    ]


def opened_entry(entry: WayBackEntry, way_back: WayBack | None) -> tuple[dict | None, bool]:
    """The team's copy of an entry, and whether it was sealed from her key
    (only she, holding her passphrase, could have written it). A copy that
    opens with no key held here is shown as empty, not as an error page: a
    public server taken over could add rows like that."""
    if not entry.for_staff:
        return None, False
    if way_back is not None and entry.for_staff.startswith(wayback.FROM_HER):
        data = wayback.open_from(private_key().keys, way_back.public_key, entry.for_staff)
        if data is not None:
            return data, True
    try:
        return sealing.unseal(private_key(), entry.for_staff), False
    except (CryptoError, ValueError):
        log.error("a way back entry opens with none of the private keys held here")
        return None, False


def conversation_of(
    entries, opened: list[dict | None], from_her: list[bool], officers: dict[int, str]
) -> list[dict]:
    """Every entry of her way back, oldest first, as the team reads it."""
    return [
        {
            "id": entry.id,
            "kind": entry.kind,
            "at": entry.at,
            "by_resident": entry.by_resident,
            "team": entry.kind == wayback.TEAM_MESSAGE,
            "text": (data or {}).get("text"),
            "pending": entry.kind in wayback.NEEDS_ACTION and entry.dealt_at is None,
            "dealt_at": entry.dealt_at,
            "dealt_by": officers.get(entry.dealt_by),
            # Hers, but not sealed from her key: written under pressure, or not by her.
            "unsigned": entry.by_resident and not mine and entry.kind != wayback.RECEIVED,
            "not_acted_on": not acted_on(entry, mine),
        }
        for entry, data, mine in zip(entries, opened, from_her, strict=True)
    ]


def acted_on(entry: WayBackEntry, from_her: bool) -> bool:
    """Whether the rules follow this entry: what loosens them only when she
    sealed it herself."""
    return from_her or entry.kind not in wayback.ONLY_FROM_HER


# The entries of a way back that change how she may be contacted.
CONTACT_KINDS = (wayback.CONTACT_CHANGED, wayback.STOP, wayback.RESUMED, wayback.PRESSURE)
# What each hold on contact is called where the team reads it.
ON_HOLD = {contact.STOPPED: wayback.STOP, contact.PRESSURE: wayback.PRESSURE}


def contact_entries(ids: list[int]) -> dict[int, list[tuple[WayBackEntry, dict | None, bool]]]:
    """The contact changes, stops and pressure warnings of these referrals'
    way backs, oldest first, in two queries: each ``(entry, what the team's
    copy says, whether the rules follow it)`` (``acted_on``)."""
    found: dict[int, list] = {}
    if not ids:
        return found
    session = db.session()
    way_backs = {
        row.referral_id: row
        for row in session.scalars(select(WayBack).where(WayBack.referral_id.in_(ids)))
    }
    for entry in session.scalars(
        select(WayBackEntry)
        .where(WayBackEntry.referral_id.in_(ids), WayBackEntry.kind.in_(CONTACT_KINDS))
        .order_by(WayBackEntry.at, WayBackEntry.id)
    ):
        data, mine = opened_entry(entry, way_backs.get(entry.referral_id))
        found.setdefault(entry.referral_id, []).append((entry, data, acted_on(entry, mine)))
    return found


def contact_news(ids: list[int]) -> dict[int, list]:
    """What of ``contact_entries`` the rules follow, each ``(entry, data)``:
    what would loosen her rules is left out unless she sealed it from her
    own key."""
    return {referral_id: followed(rows) for referral_id, rows in contact_entries(ids).items()}


def followed(rows) -> list:
    """Of one referral's ``contact_entries``, those the rules follow, each
    ``(entry, data)``."""
    return [(entry, data) for entry, data, acted in rows if acted]


def latest_contact(first: dict, news=()) -> dict:
    """Her contact rules as they hold now, for the feed and the export, by the
    rules the page follows (``casework``): the contact part she gave last,
    when she last changed it and, for each answer she changed, when; and
    whether contact is on hold ("stopped", "pressure": contact no one until
    lifted). ``news`` is hers from ``contact_news``, oldest first."""

    def moment(value):
        return value.isoformat() if value else None

    changes = [
        (entry.at, (data or {})["contact"])
        for entry, data in news
        if entry.kind == wayback.CONTACT_CHANGED and isinstance((data or {}).get("contact"), dict)
    ]
    events = [casework.Event(entry.kind, entry.at, entry.dealt_at is not None) for entry, _ in news]
    return {
        "contact": casework.current_contact(first, [part for _, part in changes]),
        "contact_changed_at": moment(changes[-1][0]) if changes else None,
        "contact_changed": {
            name: moment(at) for name, at in sorted(casework.changed_fields(first, changes).items())
        },
        "contact_on_hold": [
            rule
            for rule, since in (
                (contact.STOPPED, casework.stopped_since(events)),
                (contact.PRESSURE, casework.pressure_since(events)),
            )
            if since is not None
        ],
    }


def case_file(found: Referral) -> CaseFile:
    """Open a referral, with its attempts, notes and way back, for its page."""
    session = db.session()
    sealed = unsealed(found.sealed)
    journey = JOURNEY_OF_KIND[found.kind]
    moment = now()
    way_back = session.get(WayBack, found.id)
    entries = session.scalars(
        select(WayBackEntry)
        .where(WayBackEntry.referral_id == found.id)
        .order_by(WayBackEntry.at, WayBackEntry.id)
    ).all()
    both = [opened_entry(entry, way_back) for entry in entries]
    opened = [data for data, _ in both]
    from_her = [mine for _, mine in both]
    changes = [
        (entry.at, data["contact"])
        for entry, data, mine in zip(entries, opened, from_her, strict=True)
        if entry.kind == wayback.CONTACT_CHANGED
        and mine
        and isinstance((data or {}).get("contact"), dict)
    ]
    rules_of_way_back = (
        casework.WayBack(
            open=way_back.closed_at is None,
            write_here=way_back.write_here,
            events=tuple(
                casework.Event(entry.kind, entry.at, entry.dealt_at is not None)
                for entry, mine in zip(entries, from_her, strict=True)
                if acted_on(entry, mine)
            ),
        )
        if way_back is not None
        else None
    )
    latest = casework.current_contact(sealed["contact"], [part for _, part in changes])
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
        rules=casework.safe_contact(
            found.kind, sealed["contact"], rules_of_way_back, [part for _, part in changes]
        ),
        contact=contact_rows(journey, latest, casework.changed_fields(sealed["contact"], changes)),
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
        moment=moment,
        way_back=way_back,
        conversation=conversation_of(entries, opened, from_her, officers),
        pending=[
            {
                "id": entry.id,
                "kind": entry.kind,
                "at": entry.at,
                "due_at": entry.due_at,
                "overdue": entry.due_at is not None and entry.due_at < moment,
            }
            for entry in entries
            if entry.kind in wayback.NEEDS_ACTION and entry.dealt_at is None
        ],
        contact_changed_at=changes[-1][0] if changes else None,
    )
