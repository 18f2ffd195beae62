"""A referral's page (safe-contact rules first) and the casework on it:
assign to me, reassign, contact attempts, sealed notes, close, reopen.

Every view and change is audited, in the same transaction as the change:
each view commits both, or neither. Changes that two officers could make at
once are conditional updates (assign only if unassigned, close only if
open), so one wins and the other is told; attempts and notes only ever add
rows, so none is lost.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from webapp import db
from webapp.clock import now
from webapp.referrals.models import Referral
from webapp.rules import contact, due
from webapp.rules.contact import CASEWORK_ROLES, MANAGER_ROLES
from webapp.staff import audit
from webapp.staff.case import CaseFile, case_file, find, sealed_for_staff
from webapp.staff.forms import AttemptForm, CloseForm, NoteForm, ReassignForm, ReopenForm
from webapp.staff.models import ContactAttempt, Note, StaffUser
from webapp.staff.web import bp, staff_required

MIN_REASON = 10  # characters: "urgent" is not a reason


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


def audited(action: str, reference: str, detail: str = "") -> None:
    """Record what this officer did and commit it with the change it records."""
    session = db.session()
    audit.record(session, g.staff.email, action, reference, now(), detail)
    session.commit()


def local_now() -> datetime:
    return now().astimezone(due.LONDON).replace(second=0, microsecond=0, tzinfo=None)


def show(case: CaseFile, attempt_form=None, note_form=None, close_form=None, broken=(), status=200):
    """The referral's page; the view is audited."""
    audited("referral.view", case.referral.reference)
    return render_template(
        "staff/referral.html",
        case=case,
        referral=case.referral,
        attempt_form=attempt_form or AttemptForm(formdata=None, at=local_now(), prefix="attempt"),
        note_form=note_form or NoteForm(formdata=None, prefix="note"),
        close_form=close_form or CloseForm(formdata=None, prefix="close"),
        reopen_form=ReopenForm(formdata=None, prefix="reopen"),
        broken=broken,
        reassign_form=reassign_form(case.referral),
        may_reassign=g.staff.role in MANAGER_ROLES,
        mine=case.referral.assigned_to == g.staff.id,
    ), status


def reassign_form(found: Referral) -> ReassignForm:
    form = ReassignForm(
        formdata=None,
        prefix="reassign",
        officer=str(found.assigned_to) if found.assigned_to else "",
    )
    form.officer.choices = officer_choices()
    return form


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


def back_to(reference: str):
    return redirect(url_for("staff.referral", reference=reference))


@bp.route("/referral/<reference>")
@staff_required
def referral(reference):
    return show(case_file(find(reference)))


@bp.route("/referral/<reference>/assign", methods=["POST"])
@staff_required
def assign(reference):
    """Assign to me. Two officers at once: the first wins, the other is told."""
    if changed(
        Referral.reference == reference, Referral.assigned_to.is_(None), assigned_to=g.staff.id
    ):
        audited("referral.assign", reference)
        flash(_("Assigned to you."))
    else:
        flash(_("Someone else took this referral first."))
    return back_to(reference)


@bp.route("/referral/<reference>/reassign", methods=["POST"])
@staff_required
def reassign(reference):
    """A manager gives a referral to another officer, or to nobody; an officer
    can hand back one of their own."""
    found = find(reference)
    form = ReassignForm(prefix="reassign")
    form.officer.choices = officer_choices()
    if not form.validate_on_submit():
        return back_to(reference)
    target = int(form.officer.data) if form.officer.data else None
    if g.staff.role not in MANAGER_ROLES and not (
        target is None and found.assigned_to == g.staff.id
    ):
        abort(403)
    if not changed(
        Referral.id == found.id,
        Referral.assigned_to.is_not_distinct_from(found.assigned_to),
        assigned_to=target,
    ):
        flash(_("Someone else changed who has this referral first. Check and try again."))
        return back_to(reference)
    email = db.session().get(StaffUser, target).email if target else None
    audited("referral.reassign", reference, f"to={email or 'nobody'}")
    flash(_("Now assigned to %(email)s.", email=email) if email else _("Now unassigned."))
    return back_to(reference)


@bp.route("/referral/<reference>/attempt", methods=["POST"])
@staff_required
def attempt(reference):
    """Record a contact attempt; one that breaks a safe-contact rule needs an
    override with a reason."""
    found = find(reference)
    form = AttemptForm(prefix="attempt")
    if found.status != "open":
        flash(_("This referral is closed. Reopen it to record an attempt."))
        return back_to(reference)
    case = case_file(found)  # opened once, for the rules and for any page shown again
    if not form.validate_on_submit():
        return show(case, attempt_form=form, status=400)
    at = form.at.data.replace(tzinfo=due.LONDON).astimezone(due.LONDON)
    if at > now() + timedelta(minutes=5):
        form.at.errors.append(_("An attempt cannot be in the future"))
        return show(case, attempt_form=form, status=400)
    if at < found.received_at - timedelta(minutes=1):
        form.at.errors.append(_("An attempt cannot be before the referral arrived"))
        return show(case, attempt_form=form, status=400)
    broken = case.broken_by(form.method.data, form.outcome.data, at)
    reason = (form.reason.data or "").strip()
    if broken and not form.override.data:
        form.override.errors.append(
            _(
                "This attempt sets aside what the person asked. "
                "Try another way, or override with a reason."
            )
        )
        return show(case, attempt_form=form, broken=broken, status=400)
    if broken and len(reason) < MIN_REASON:
        form.reason.errors.append(_("Give the reason for the override"))
        return show(case, attempt_form=form, broken=broken, status=400)
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
    if form.outcome.data == contact.SPOKE:
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
    audited("referral.attempt", reference, detail)
    flash(_("Attempt recorded."))
    return back_to(reference)


@bp.route("/referral/<reference>/note", methods=["POST"])
@staff_required
def note(reference):
    found = find(reference)
    form = NoteForm(prefix="note")
    if not form.validate_on_submit():
        return show(case_file(found), note_form=form, status=400)
    db.session().add(
        Note(
            referral_id=found.id,
            at=now(),
            officer_id=g.staff.id,
            sealed=sealed_for_staff(form.note.data.strip()),
        )
    )
    audited("referral.note", reference)
    flash(_("Note added."))
    return back_to(reference)


@bp.route("/referral/<reference>/close", methods=["POST"])
@staff_required
def close(reference):
    found = find(reference)
    form = CloseForm(prefix="close")
    if not form.validate_on_submit():
        return show(case_file(found), close_form=form, status=400)
    if changed(
        Referral.id == found.id,
        Referral.status == "open",
        status="closed",
        closed_at=now(),
        outcome=form.outcome.data,
    ):
        audited("referral.close", reference, f"outcome={form.outcome.data}")
        flash(_("Referral closed."))
    else:
        flash(_("Someone else closed this referral first."))
    return back_to(reference)


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
        audited("referral.reopen", reference)
        flash(_("Referral reopened."))
    return back_to(reference)
