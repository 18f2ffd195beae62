"""Question pages, check your answers, and the confirmation, all at one address.

Every page of a journey after its start page is shown at one address
(``/ask/questions``, ``/concern/questions``) under the journey's own title.
The browser's history list, and the address bar's suggestions, keep every
address visited with its title: someone checking the phone must not read
there that she said she was in danger, that she chose a meeting place, or
that she sent a request. Which page to show is the draft's business: its
position (``at``), moved on by each answer and by the Back and Change
buttons, which are small forms posting to the same address (a link would need
an address of its own). Each form says which page it was on (``step``), so a
page left open in another tab is still taken for what it showed.

Answers between pages live in a draft row locked with a key that only the
visitor's session cookie holds. A database that does not answer never loses
what was typed: the page comes back with the answers in it, a 503 status and
the phone numbers.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError

from webapp import db, presentation
from webapp.clock import now
from webapp.i18n import current_language, localised_route
from webapp.limits import limiter
from webapp.notify.models import channels
from webapp.public.hours import office_hours_rows
from webapp.referrals import forms, store
from webapp.referrals.forms import SendForm
from webapp.referrals.journeys import CHECK, JOURNEYS, WAY_BACK_STEPS, Journey, Step
from webapp.rules import contact, intake, sealing, wayback
from webapp.rules.reference import new_reference
from webapp.wayback import store as way_back_store

bp = Blueprint("referrals", __name__, template_folder="templates")
log = logging.getLogger(__name__)
JOURNEY = "<any(ask, concern):journey>"
# What a form asks for, besides answering its page (the default).
BACK, CHANGE, SEND = "back", "change", "send"


class VisitorDraft:
    """This visitor's answers to one journey, locked in the database."""

    def __init__(self, journey: Journey):
        self.journey = journey
        self.ref = session.get("drafts", {}).get(journey.slug)
        self.data = {"answers": {}, "seen": [], "reviewing": False}
        self.expired = False
        self.sent = None  # what the confirmation shows, when this draft was sent already
        if self.ref:
            locked = store.load_draft(db.session(), self.ref["id"], now())
            opened = sealing.open_draft(self.ref["key"], locked) if locked else None
            if opened is None:
                self.expired = True
                self.forget()
            elif "sent" in opened:
                self.sent = opened["sent"]
                self.forget()
            else:
                self.data = opened
                self.data["answers"] = intake.current_shape(journey.kind, opened["answers"])

    @property
    def answers(self) -> dict:
        return self.data["answers"]

    @property
    def seen(self) -> set[str]:
        return set(self.data["seen"])

    def position(self) -> str:
        """The page to show: a step's slug, or ``CHECK``."""
        return self.journey.position(self.answers, self.seen, self.data.get("at"))

    def save(self) -> None:
        if not self.ref:
            self.ref = {"id": store.new_draft_id(), "key": sealing.new_draft_key()}
        locked = sealing.lock_draft(self.ref["key"], self.data)
        store.save_draft(db.session(), self.ref["id"], self.journey.kind, locked, now())
        session.setdefault("drafts", {})[self.journey.slug] = self.ref
        session.modified = True

    def forget(self) -> None:
        session.get("drafts", {}).pop(self.journey.slug, None)
        session.modified = True
        self.ref = None


def get_journey(slug: str) -> Journey:
    return JOURNEYS[slug]


def database_trouble():
    db.session().rollback()
    log.error("Database unavailable during a referral journey")  # nothing about the person
    return _(
        "We could not save this just now. Nothing you typed has been lost: please "
        "wait a minute and press the button again."
    )


def current_draft(journey: Journey) -> VisitorDraft:
    """This visitor's draft. The friendly 503 page when the database does not
    answer; back to the start, with a kind notice, when the draft expired."""
    try:
        draft = VisitorDraft(journey)
    except SQLAlchemyError:
        database_trouble()
        abort(503)
    if draft.expired:
        flash(
            _(
                "For your safety, we cleared your answers after 30 minutes without any "
                "activity. Please start again."
            )
        )
        abort(redirect(url_for("referrals.start", journey=journey.slug)))
    return draft


def here(journey: Journey) -> str:
    """The one address of every page of the journey after its start page."""
    return url_for("referrals.pages", journey=journey.slug)


def start_url(journey: Journey) -> str:
    return url_for("referrals.start", journey=journey.slug)


class MoveForm(FlaskForm):
    """A Back or Change button: only its security token is checked."""


def not_sending() -> bool:
    return request.form.get("go") != SEND


@localised_route(bp, "/" + JOURNEY)
def start(journey):
    journey = get_journey(journey)
    site = current_app.config["SITE"]
    return render_template(
        f"referrals/start_{journey.kind}.html",
        journey=journey,
        office_hours=office_hours_rows(site.office_hours),
        promise=presentation.promise_step(site.response_promise),
    )


@localised_route(bp, f"/{JOURNEY}/questions", methods=["GET", "POST"])
@limiter.limit("300 per minute", methods=["POST"])
@limiter.limit("30 per hour", methods=["POST"], exempt_when=not_sending)
def pages(journey):
    """Every page after the start: the one the draft is at (GET), or what a
    form asks for (POST): an answer, Back, Change or Send."""
    journey = get_journey(journey)
    if request.method == "GET":
        # Shown once, then gone: the reference and the safe time do not stay
        # in the cookie for the rest of the browser's life.
        record = session.get("sent", {}).pop(journey.slug, None)
        if record:
            session.modified = True
            return confirmation(journey, record)
    draft = current_draft(journey)
    if draft.sent:  # sent already (a second press of Send): show the confirmation again
        return show_sent(journey, draft.sent)
    if request.method == "GET":
        return show(journey, draft, draft.position())
    go, slug = request.form.get("go"), request.form.get("step", "")
    if go == SEND:
        return send(journey, draft)
    if go in (BACK, CHANGE):
        return move(journey, draft, go, slug)
    return answer(journey, draft, slug)


@localised_route(bp, f"/{JOURNEY}/<slug>", methods=["GET", "POST"])
def retired(journey, slug):
    """The addresses each page had before they shared one (a bookmark, the
    history list, a page left open across the change): the journey's start
    page, whose Start now carries on from wherever the draft is. Any other
    address is not found, as it always was."""
    journey = get_journey(journey)
    if slug not in {step.slug for step in journey.steps} | {CHECK, "sent"}:
        abort(404)
    return redirect(start_url(journey))


def show(journey: Journey, draft: VisitorDraft, slug: str, form=None, problem=None, status=200):
    """The page ``slug`` (a step, or the check page) as the draft has it."""
    if slug == CHECK:
        return show_check(journey, draft, form or SendForm(), problem, status)
    step = journey.step(slug)
    if form is None:
        form = step.form(data={"language": current_language()} | draft.answers)
    return show_step(journey, step, form, problem, status, draft)


def show_step(journey: Journey, step: Step, form, problem=None, status=200, draft=None):
    return render_template(
        step.template,
        journey=journey,
        step=step,
        form=form,
        problem=problem,
        reference=reserved_reference(draft) if step.slug in WAY_BACK_STEPS else None,
    ), status


def reserved_reference(draft: VisitorDraft) -> str:
    """The reference the request will have, drawn when the way back page is
    first shown: she reads it beside the passphrase she chooses, and the
    passphrase is checked against it. (Should it be taken by the time she
    sends, which is about one chance in a hundred million, another is drawn.)"""
    if "reference" not in draft.data:
        draft.data["reference"] = new_reference()
        try:
            draft.save()
        except SQLAlchemyError:
            database_trouble()  # drawn again next time; nothing typed is lost
    return draft.data["reference"]


def show_check(journey: Journey, draft: VisitorDraft, form, problem=None, status=200):
    if request.method == "GET" and not draft.data["reviewing"]:
        draft.data["reviewing"] = True  # from now on, a changed answer comes back here
        try:
            draft.save()
        except SQLAlchemyError:
            database_trouble()  # not needed to show the page; Send will try again
    return render_template(
        "referrals/check.html",
        journey=journey,
        form=form,
        # Each Change button says which page it changes, in the form: no address.
        groups=presentation.summary(journey, draft.answers, lambda slug: slug),
        problem=problem,
    ), status


def answer(journey: Journey, draft: VisitorDraft, slug: str):
    """A question page's Continue: keep the answers, move on, show where."""
    step = journey.step(slug)
    if step is None or not step.applies(draft.answers):
        # A page that no longer applies (answered differently in another tab),
        # or a form from nowhere: the page the draft is at.
        return redirect(here(journey))
    form = step.form()
    if step.slug in WAY_BACK_STEPS:
        form.reference = reserved_reference(draft)
        form.others = (current_app.config["SITE"].organisation_name,)
    problem, status = None, 200
    if form.validate_on_submit():
        if step.slug in WAY_BACK_STEPS:
            keep_way_back(draft, form)
        answers = draft.answers
        answers.update(form.answers())
        draft.data["seen"] = sorted({*draft.data["seen"], step.slug})
        draft.data["at"] = journey.next_after(
            step.slug, answers, draft.seen, draft.data["reviewing"]
        )
        try:
            draft.save()
        except SQLAlchemyError:
            problem, status = database_trouble(), 503
        else:
            return redirect(here(journey))
    return show_step(journey, step, form, problem, status, draft)


def keep_way_back(draft: VisitorDraft, form) -> None:
    """Turn the passphrase into its lock, now: the draft keeps the lock (a new
    key pair's private half, locked under a key derived from the passphrase),
    never the passphrase."""
    if form.required and form.passphrase.data:
        draft.data["way_back"] = wayback.locks_to_dict(wayback.new_locks(form.passphrase.data))
    else:
        draft.data.pop("way_back", None)


def way_back_adder(kind: str, kept: dict, draft: VisitorDraft):
    """What adds the way back with the referral, when she chose one: its
    locks, and the first entry (that it arrived, and the contact rules she
    gave, sealed to her own key so that she can read and change them)."""
    if kept.get("passphrase") != forms.CHOSEN or not draft.data.get("way_back"):
        return None
    locks = wayback.locks_from_dict(draft.data["way_back"])
    contact_part = intake.split(kind, kept)["contact"]
    write_here = intake.method_of(kept) is contact.SITE or kept.get("write_here") == "yes"

    def add(session, referral_id: int, reference: str) -> None:
        moment = now()
        way_back_store.add_way_back(
            session, referral_id, reference, kind, locks, write_here, moment
        )
        way_back_store.add_entry(
            session,
            referral_id,
            wayback.RECEIVED,
            moment,
            by_resident=True,
            for_resident=wayback.seal_for(locks.public_key, {"contact": contact_part}),
            for_staff=None,
        )

    return add


def move(journey: Journey, draft: VisitorDraft, go: str, slug: str):
    """Back (from the page ``slug``) or Change (the page ``slug``, from the
    check page). Anything out of date (a page that no longer applies, a stale
    token) shows the page the draft is at."""
    applicable = {step.slug for step in journey.applicable(draft.answers)}
    if go == BACK:
        if slug != CHECK and slug not in applicable:
            return redirect(here(journey))
        target, was_on = journey.previous(slug, draft.answers), slug
        if target is None:  # Back from the first page: the start page, nothing to keep
            return redirect(start_url(journey))
    else:
        if slug not in applicable:
            return redirect(here(journey))
        target, was_on = slug, CHECK
    if not draft.ref or not MoveForm().validate_on_submit():
        return redirect(here(journey))
    draft.data["at"] = target
    try:
        draft.save()
    except SQLAlchemyError:
        problem = database_trouble()
        draft.data["at"] = was_on
        return show(journey, draft, was_on, problem=problem, status=503)
    return redirect(here(journey))


def send(journey: Journey, draft: VisitorDraft):
    """The check page's Send."""
    if not draft.ref:
        return redirect(start_url(journey))
    if journey.unseen(draft.answers, draft.seen):
        # A changed answer brought in questions not yet answered: those first.
        return redirect(here(journey))
    form, problem, status = SendForm(), None, 200
    if form.validate_on_submit():
        kept = journey.kept_answers(draft.answers)
        add_way_back = way_back_adder(journey.kind, kept, draft)
        new = intake.build(
            journey.kind,
            kept,
            current_language(),
            now(),
            current_app.config["SITE"].response_promise,
            current_app.extensions["referral_public_key"],
        )
        key = draft.ref["key"]

        def confirmation_record(reference: str) -> dict:
            return {
                "reference": reference,
                "method": new.contact_method,
                "due": new.due_at.isoformat(),
                "flags": list(new.flags),
                "window_end": new.window_end.isoformat() if new.window_end else None,
                "way_back": add_way_back is not None,
            }

        try:
            reference = store.submit(
                db.session(),
                draft.ref["id"],
                new,
                now=now(),
                notify=channels(current_app),
                tombstone=lambda ref: sealing.lock_draft(key, {"sent": confirmation_record(ref)}),
                reference=draft.data.get("reference"),
                also=add_way_back,
            )
        except store.DraftGone:
            draft.forget()
            return redirect(start_url(journey))
        except SQLAlchemyError:
            problem, status = database_trouble(), 503
        else:
            draft.forget()
            log.info("Referral received")  # no reference, no answers: the queue has them
            return show_sent(journey, confirmation_record(reference))
    return show_check(journey, draft, form, problem, status)


def show_sent(journey: Journey, record: dict):
    """Keep the confirmation in the session until it has been shown once."""
    session.setdefault("sent", {})[journey.slug] = record
    session.modified = True
    return redirect(here(journey))


def confirmation(journey: Journey, record: dict):
    window_end = record["window_end"]
    promise = presentation.promise_sentence(
        journey.kind,
        record["method"],
        datetime.fromisoformat(record["due"]),
        datetime.fromisoformat(window_end) if window_end else None,
    )
    return render_template(
        "referrals/sent.html",
        journey=journey,
        record=record,
        promise=promise,
        late=contact.NO_SAFE_WINDOW in record.get("flags", ()),
    )
