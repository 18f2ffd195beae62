"""A referral's page (safe-contact rules first) and the casework on it:
assign to me, reassign, contact attempts, sealed notes, close, reopen; and on
a referral with a way back, a written reply, marking her news as dealt with,
and reviewing a warning that she may be under pressure.

What she may see of the casework goes on her way back as it happens, sealed
to her key: each attempt (when, how, what happened; never who, a note or a
reason), each reply, closing and reopening.

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
from sqlalchemy import delete, or_, select, update

from webapp import db
from webapp.clock import now
from webapp.notify.models import UPDATE, Notification
from webapp.referrals.models import Referral
from webapp.rules import contact, due, wayback
from webapp.rules.contact import CASEWORK_ROLES, MANAGER_ROLES
from webapp.staff import audit
from webapp.staff.case import CaseFile, case_file, find, sealed_for_staff
from webapp.staff.forms import (
    AttemptForm,
    CloseForm,
    DealtForm,
    NoteForm,
    PressureReviewForm,
    ReassignForm,
    ReopenForm,
    WriteForm,
)
from webapp.staff.models import ContactAttempt, Note, StaffUser
from webapp.staff.web import bp, staff_required
from webapp.wayback import store as way_back_store
from webapp.wayback.models import WayBackEntry

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


def show(
    case: CaseFile,
    attempt_form=None,
    note_form=None,
    close_form=None,
    broken=(),
    write_form=None,
    write_broken=(),
    pressure_form=None,
    status=200,
):
    """The referral's page; the view is audited, and so is each reading of
    her conversation (how many entries, never what they say)."""
    if case.conversation:
        audit.record(
            db.session(),
            g.staff.email,
            "referral.conversation",
            case.referral.reference,
            now(),
            f"entries={len(case.conversation)}",
        )
    audited("referral.view", case.referral.reference)
    return render_template(
        "staff/referral.html",
        case=case,
        referral=case.referral,
        attempt_form=attempt_form
        or offered(AttemptForm(formdata=None, at=local_now(), prefix="attempt"), case),
        note_form=note_form or NoteForm(formdata=None, prefix="note"),
        close_form=close_form or CloseForm(formdata=None, prefix="close"),
        reopen_form=ReopenForm(formdata=None, prefix="reopen"),
        broken=broken,
        write_form=write_form or WriteForm(formdata=None, prefix="write"),
        write_broken=write_broken,
        dealt_form=DealtForm(formdata=None, prefix="dealt"),
        pressure_form=pressure_form or PressureReviewForm(formdata=None, prefix="pressure"),
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


def offered(form: AttemptForm, case: CaseFile) -> AttemptForm:
    """The attempt form with the ways this referral allows offering: a
    message on this site only while her way back is open. "Wrote to them
    on this site" is never an outcome here: a reply is recorded by writing
    it, in its own form."""
    form.method.choices = [
        choice for choice in form.method.choices if choice.value in case.attempt_methods
    ]
    form.outcome.choices = [
        choice for choice in form.outcome.choices if choice.value != contact.WRITTEN
    ]
    return form


def tell_her(referral_id: int, kind: str, data: dict, at: datetime) -> None:
    """Put what she may see of the casework on her way back, sealed to her
    key alone, when she has one open (the caller commits)."""
    session = db.session()
    way_back = way_back_store.way_back_of(session, referral_id)
    if way_back is None or way_back.closed_at is not None:
        return
    way_back_store.add_entry(
        session,
        referral_id,
        kind,
        at,
        by_resident=False,
        for_resident=wayback.seal_for(way_back.public_key, data),
        for_staff=None,
    )


def attempt_seen_by_her(referral_id: int, method: str, outcome: str, at: datetime) -> None:
    """An attempt as she sees it: when, how, what happened. Never who, a
    note or an override's reason."""
    tell_her(
        referral_id,
        wayback.ATTEMPT,
        {"at": at.astimezone(UTC).isoformat(), "method": method, "outcome": outcome},
        at,
    )


def contact_made(referral_id: int, outcome: str, at: datetime) -> None:
    """The first time we reached them (spoke, or a reply written to her way
    back) is when the promise was kept."""
    if outcome not in contact.REACHED_OUTCOMES:
        return
    db.session().execute(
        update(Referral)
        .where(
            Referral.id == referral_id,
            or_(Referral.first_contact_at.is_(None), Referral.first_contact_at > at),
        )
        .values(first_contact_at=at)
        .execution_options(synchronize_session=False)
    )


def deal_with(found: Referral, kinds, moment: datetime) -> int:
    """Mark what she asked of ``kinds`` as dealt with by this officer, in one
    conditional update (two officers at once: each entry is dealt with
    once); how many were. The team's sent "update" notifications for the
    reference go, so that her next news is announced again (the caller
    commits)."""
    session = db.session()
    count = session.execute(
        update(WayBackEntry)
        .where(
            WayBackEntry.referral_id == found.id,
            WayBackEntry.kind.in_(sorted(kinds)),
            WayBackEntry.dealt_at.is_(None),
        )
        .values(dealt_at=moment, dealt_by=g.staff.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if count:
        session.execute(
            delete(Notification)
            .where(
                Notification.reference == found.reference,
                Notification.event == UPDATE,
                Notification.sent_at.is_not(None),
            )
            .execution_options(synchronize_session=False)
        )
    return count


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
    offered(form, case)
    if not form.validate_on_submit():
        return show(case, attempt_form=form, status=400)
    if form.method.data == contact.SITE.code:
        # A reply is recorded by writing it: an attempt without one would
        # say we wrote while nothing reached her.
        form.method.errors.append(
            _("To write to them on this site, write your reply in the form for it.")
        )
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
    contact_made(found.id, form.outcome.data, at)
    attempt_seen_by_her(found.id, form.method.data, form.outcome.data, at)
    detail = f"method={form.method.data} outcome={form.outcome.data}"
    if broken:
        detail += " override=" + ",".join(broken)
    # The time the officer gave, beside the audit entry's own time of recording.
    detail += f" at={at.astimezone(UTC):%Y-%m-%dT%H:%MZ}"
    audited("referral.attempt", reference, detail)
    flash(_("Attempt recorded."))
    return back_to(reference)


@bp.route("/referral/<reference>/write", methods=["POST"])
@staff_required
def write(reference):
    """Write a reply she reads on her way back. It is a contact attempt like
    any other (a message on this site, "written"), under the same rules and
    overrides; it answers what she wrote or added."""
    found = find(reference)
    form = WriteForm(prefix="write")
    if found.status != "open":
        flash(_("This referral is closed. Reopen it to write to them."))
        return back_to(reference)
    case = case_file(found)
    if not case.way_back_open:
        flash(
            _(
                "They have no way back open on this site, so a reply here would not reach "
                "them. Contact them in a way they chose."
            )
        )
        return back_to(reference)
    if not form.validate_on_submit():
        return show(case, write_form=form, status=400)
    text = form.text.data.replace("\r\n", "\n").strip()
    if not text:
        form.text.errors.append(_("Write the reply"))
        return show(case, write_form=form, status=400)
    at = now()
    broken = case.broken_by(contact.SITE.code, contact.WRITTEN, at)
    reason = (form.reason.data or "").strip()
    if broken and not form.override.data:
        form.override.errors.append(
            _("This reply sets aside what the person asked. Wait, or override with a reason.")
        )
        return show(case, write_form=form, write_broken=broken, status=400)
    if broken and len(reason) < MIN_REASON:
        form.reason.errors.append(_("Give the reason for the override"))
        return show(case, write_form=form, write_broken=broken, status=400)
    session = db.session()
    session.add(
        ContactAttempt(
            referral_id=found.id,
            at=at,
            recorded_at=at,
            officer_id=g.staff.id,
            method=contact.SITE.code,
            outcome=contact.WRITTEN,
            override=",".join(broken),
            sealed_reason=sealed_for_staff(reason) if broken else None,
        )
    )
    contact_made(found.id, contact.WRITTEN, at)
    way_back_store.add_entry(
        session,
        found.id,
        wayback.TEAM_MESSAGE,
        at,
        by_resident=False,
        for_resident=wayback.seal_for(case.way_back.public_key, {"text": text}),
        for_staff=sealed_for_staff(text),
    )
    attempt_seen_by_her(found.id, contact.SITE.code, contact.WRITTEN, at)
    answered = deal_with(found, {wayback.RESIDENT_MESSAGE, wayback.ADDED}, at)
    detail = f"answered={answered}"
    if broken:
        detail += " override=" + ",".join(broken)
    audited("referral.write", reference, detail)
    flash(_("Reply written. They will read it when they come back."))
    return back_to(reference)


@bp.route("/referral/<reference>/updates-dealt", methods=["POST"])
@staff_required
def updates_dealt(reference):
    """What she asked of us is dealt with (all but a pressure warning, which
    is reviewed on its own)."""
    found = find(reference)
    if not DealtForm(prefix="dealt").validate_on_submit():
        return back_to(reference)
    count = deal_with(found, wayback.NEEDS_ACTION - {wayback.PRESSURE}, now())
    if count:
        audited("referral.updates_dealt", reference, f"entries={count}")
        flash(_("Marked as dealt with."))
    else:
        db.session().rollback()
        flash(_("Nothing was waiting: someone else may have dealt with it first."))
    return back_to(reference)


@bp.route("/referral/<reference>/pressure-reviewed", methods=["POST"])
@staff_required
def pressure_reviewed(reference):
    """Lift the warning that she may be under pressure, saying what was
    checked: the note is sealed and the review audited."""
    found = find(reference)
    form = PressureReviewForm(prefix="pressure")
    if not form.validate_on_submit():
        return show(case_file(found), pressure_form=form, status=400)
    moment = now()
    count = deal_with(found, {wayback.PRESSURE}, moment)
    if not count:
        db.session().rollback()
        flash(_("Nothing was waiting: someone else may have dealt with it first."))
        return back_to(reference)
    db.session().add(
        Note(
            referral_id=found.id,
            at=moment,
            officer_id=g.staff.id,
            sealed=sealed_for_staff(form.note.data.strip()),
        )
    )
    audited("referral.pressure_reviewed", reference, f"entries={count}")
    flash(_("Pressure warning reviewed."))
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
        tell_her(found.id, wayback.CLOSED, {"outcome": form.outcome.data}, now())
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
        tell_her(found.id, wayback.REOPENED, {}, now())
        audited("referral.reopen", reference)
        flash(_("Referral reopened."))
    return back_to(reference)
