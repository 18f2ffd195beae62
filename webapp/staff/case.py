"""One referral: its page (safe-contact rules first), and the casework on it:
assign to me, contact attempts, sealed notes, close with an outcome, reopen.

Every view and change is audited. Changes that two officers could make at
once are conditional updates (assign only if unassigned, close only if
open), so one wins and the other is told; attempts and notes only ever add
rows, so none is lost.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from nacl.exceptions import CryptoError
from sqlalchemy import or_, select, update

from webapp import db
from webapp.referrals import due as due_rules
from webapp.referrals import sealing, service
from webapp.referrals.journeys import JOURNEYS
from webapp.referrals.models import Referral
from webapp.referrals.routes import readable
from webapp.staff import audit, bp, casework
from webapp.staff.forms import AttemptForm, CloseForm, NoteForm, ReassignForm, ReopenForm
from webapp.staff.models import ContactAttempt, Note, StaffUser
from webapp.staff.routes import CASEWORK_ROLES, now, staff_required

log = logging.getLogger(__name__)
MIN_REASON = 10  # characters: "urgent" is not a reason


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


def find(reference: str) -> Referral:
    found = db.session().scalar(select(Referral).where(Referral.reference == reference))
    if found is None:
        abort(404)
    return found


def opened(found: Referral) -> dict:
    return unsealed(found.sealed)


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


def threshold() -> int:
    return current_app.config["SITE"].attempts_before_alternative


def attempts_of(found: Referral) -> list[ContactAttempt]:
    return (
        db.session()
        .scalars(
            select(ContactAttempt)
            .where(ContactAttempt.referral_id == found.id)
            .order_by(ContactAttempt.at, ContactAttempt.id)
        )
        .all()
    )


def next_safe_time(rules: casework.SafeContact, moment: datetime) -> datetime | None:
    if rules.windows is None:
        return None
    day = moment.astimezone(due_rules.LONDON).date()
    for start, end in due_rules.concrete_windows(rules.windows, day, day + timedelta(days=8)):
        if end - max(start, moment) >= due_rules.USABLE:
            return max(start, moment)
    return None


def changed(*conditions, **values) -> bool:
    """One conditional UPDATE of a referral: True when it applied (this officer
    won); False, rolled back, when someone else changed it first."""
    applied = (
        db.session()
        .execute(
            update(Referral)
            .where(*conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        .rowcount
        == 1
    )
    if not applied:
        db.session().rollback()
    return applied


def local_now() -> datetime:
    return now().astimezone(due_rules.LONDON).replace(second=0, microsecond=0, tzinfo=None)


def show(
    found: Referral, attempt_form=None, note_form=None, close_form=None, broken=(), status=200
):
    """The referral's page, opened with the private key; the view is audited."""
    sealed = opened(found)
    journey = JOURNEYS["ask" if found.kind == "self" else "concern"]
    rules = casework.safe_contact(found.kind, sealed["contact"])
    contact = dict(sealed["contact"])
    contact[service.METHOD_FIELD[journey.kind]] = contact.pop("method")
    attempts = attempts_of(found)
    failed = casework.failed_count(attempt.outcome for attempt in attempts)
    officers = dict(db.session().execute(select(StaffUser.id, StaffUser.email)).all())
    notes = [
        {"at": note.at, "by": officers.get(note.officer_id), "text": unsealed(note.sealed)["text"]}
        for note in db.session().scalars(
            select(Note).where(Note.referral_id == found.id).order_by(Note.at, Note.id)
        )
    ]
    attempt_rows = [
        {
            "at": attempt.at,
            "by": officers.get(attempt.officer_id),
            "method": attempt.method,
            "outcome": attempt.outcome,
            "override": [r for r in attempt.override.split(",") if r],
            "reason": unsealed(attempt.sealed_reason)["text"] if attempt.sealed_reason else None,
        }
        for attempt in attempts
    ]
    moment = now()
    audit.record(db.session(), g.staff.email, "referral.view", found.reference, moment)
    return render_template(
        "staff/referral.html",
        referral=found,
        rules=rules,
        assignee=officers.get(found.assigned_to),
        contact=readable(journey, contact),
        answers=readable(journey, sealed["answers"]),
        attempts=attempt_rows,
        notes=notes,
        failed=failed,
        threshold=threshold(),
        alternative=casework.alternative_open(rules, failed, threshold()),
        safe_now=casework.in_safe_time(rules, moment),
        next_safe=next_safe_time(rules, moment),
        allowed=casework.allowed_methods(rules, failed, threshold()),
        attempt_form=attempt_form or AttemptForm(formdata=None, at=local_now(), prefix="attempt"),
        note_form=note_form or NoteForm(formdata=None, prefix="note"),
        close_form=close_form or CloseForm(formdata=None, prefix="close"),
        reopen_form=ReopenForm(formdata=None, prefix="reopen"),
        broken=broken,
        reassign_form=reassign_form(found),
        may_reassign=g.staff.role in MANAGERS,
    ), status


def reassign_form(found: Referral) -> ReassignForm:
    form = ReassignForm(
        formdata=None,
        prefix="reassign",
        officer=str(found.assigned_to) if found.assigned_to else "",
    )
    form.officer.choices = officer_choices()
    return form


@bp.route("/referral/<reference>")
@staff_required
def referral(reference):
    return show(find(reference))


@bp.route("/referral/<reference>/assign", methods=["POST"])
@staff_required
def assign(reference):
    """Assign to me. Two officers at once: the first wins, the other is told."""
    if changed(
        Referral.reference == reference, Referral.assigned_to.is_(None), assigned_to=g.staff.id
    ):
        audit.record(db.session(), g.staff.email, "referral.assign", reference, now())
        flash(_("Assigned to you."))
    else:
        flash(_("Someone else took this referral first."))
    return redirect(url_for("staff.referral", reference=reference))


MANAGERS = ("manager", "admin")


@bp.route("/referral/<reference>/reassign", methods=["POST"])
@staff_required
def reassign(reference):
    """A manager gives a referral to another officer, or to nobody; an officer
    can hand back one of their own."""
    found = find(reference)
    form = ReassignForm(prefix="reassign")
    form.officer.choices = officer_choices()
    if not form.validate_on_submit():
        return redirect(url_for("staff.referral", reference=reference))
    target = int(form.officer.data) if form.officer.data else None
    if g.staff.role not in MANAGERS and not (target is None and found.assigned_to == g.staff.id):
        abort(403)
    if not changed(
        Referral.id == found.id,
        Referral.assigned_to.is_not_distinct_from(found.assigned_to),
        assigned_to=target,
    ):
        flash(_("Someone else changed who has this referral first. Check and try again."))
        return redirect(url_for("staff.referral", reference=reference))
    email = db.session().get(StaffUser, target).email if target else None
    audit.record(
        db.session(),
        g.staff.email,
        "referral.reassign",
        reference,
        now(),
        f"to={email or 'nobody'}",
    )
    flash(_("Now assigned to %(email)s.", email=email) if email else _("Now unassigned."))
    return redirect(url_for("staff.referral", reference=reference))


def officer_choices() -> list[tuple[str, str]]:
    active = (
        db.session()
        .execute(
            select(StaffUser.id, StaffUser.email)
            .where(StaffUser.active.is_(True), StaffUser.role.in_(CASEWORK_ROLES))
            .order_by(StaffUser.email)
        )
        .all()
    )
    return [("", _("Nobody"))] + [(str(user_id), email) for user_id, email in active]


@bp.route("/referral/<reference>/attempt", methods=["POST"])
@staff_required
def attempt(reference):
    """Record a contact attempt; one that breaks a safe-contact rule needs an
    override with a reason."""
    found = find(reference)
    form = AttemptForm(prefix="attempt")
    if found.status != "open":
        flash(_("This referral is closed. Reopen it to record an attempt."))
        return redirect(url_for("staff.referral", reference=reference))
    if not form.validate_on_submit():
        return show(found, attempt_form=form, status=400)
    at = form.at.data.replace(tzinfo=due_rules.LONDON).astimezone(due_rules.LONDON)
    if at > now() + timedelta(minutes=5):
        form.at.errors.append(_("An attempt cannot be in the future"))
        return show(found, attempt_form=form, status=400)
    if at < found.received_at - timedelta(minutes=1):
        form.at.errors.append(_("An attempt cannot be before the referral arrived"))
        return show(found, attempt_form=form, status=400)
    rules = casework.safe_contact(found.kind, opened(found)["contact"])
    failed = casework.failed_count(a.outcome for a in attempts_of(found))
    broken = casework.broken_rules(
        rules, form.method.data, form.outcome.data, at, failed, threshold()
    )
    reason = (form.reason.data or "").strip()
    if broken and not form.override.data:
        form.override.errors.append(
            _(
                "This attempt sets aside what the person asked. "
                "Try another way, or override with a reason."
            )
        )
        return show(found, attempt_form=form, broken=broken, status=400)
    if broken and len(reason) < MIN_REASON:
        form.reason.errors.append(_("Give the reason for the override"))
        return show(found, attempt_form=form, broken=broken, status=400)
    session = db.session()
    session.add(
        ContactAttempt(
            referral_id=found.id,
            at=at,
            recorded_at=now(),
            officer_id=g.staff.id,
            method=form.method.data,
            outcome=form.outcome.data,
            override=",".join(broken),
            sealed_reason=sealed_for_staff(reason) if broken else None,
        )
    )
    if form.outcome.data == "spoke":
        session.execute(
            update(Referral)
            .where(
                Referral.id == found.id,
                or_(Referral.first_contact_at.is_(None), Referral.first_contact_at > at),
            )
            .values(first_contact_at=at)
            .execution_options(synchronize_session=False)
        )
    detail = f"method={form.method.data} outcome={form.outcome.data}"
    if broken:
        detail += " override=" + ",".join(broken)
    # The time the officer gave, beside the audit entry's own time of recording.
    detail += f" at={at.astimezone(UTC):%Y-%m-%dT%H:%MZ}"
    audit.record(session, g.staff.email, "referral.attempt", reference, now(), detail)
    flash(_("Attempt recorded."))
    return redirect(url_for("staff.referral", reference=reference))


@bp.route("/referral/<reference>/note", methods=["POST"])
@staff_required
def note(reference):
    found = find(reference)
    form = NoteForm(prefix="note")
    if not form.validate_on_submit():
        return show(found, note_form=form, status=400)
    session = db.session()
    session.add(
        Note(
            referral_id=found.id,
            at=now(),
            officer_id=g.staff.id,
            sealed=sealed_for_staff(form.note.data.strip()),
        )
    )
    audit.record(session, g.staff.email, "referral.note", reference, now())
    flash(_("Note added."))
    return redirect(url_for("staff.referral", reference=reference))


@bp.route("/referral/<reference>/close", methods=["POST"])
@staff_required
def close(reference):
    found = find(reference)
    form = CloseForm(prefix="close")
    if not form.validate_on_submit():
        return show(found, close_form=form, status=400)
    if changed(
        Referral.id == found.id,
        Referral.status == "open",
        status="closed",
        closed_at=now(),
        outcome=form.outcome.data,
    ):
        audit.record(
            db.session(),
            g.staff.email,
            "referral.close",
            reference,
            now(),
            f"outcome={form.outcome.data}",
        )
        flash(_("Referral closed."))
    else:
        flash(_("Someone else closed this referral first."))
    return redirect(url_for("staff.referral", reference=reference))


@bp.route("/referral/<reference>/reopen", methods=["POST"])
@staff_required
def reopen(reference):
    found = find(reference)
    if ReopenForm(prefix="reopen").validate_on_submit() and changed(
        Referral.id == found.id,
        Referral.status == "closed",
        status="open",
        closed_at=None,
        outcome=None,
    ):
        audit.record(db.session(), g.staff.email, "referral.reopen", reference, now())
        flash(_("Referral reopened."))
    return redirect(url_for("staff.referral", reference=reference))
