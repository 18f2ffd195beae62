"""Question pages, check your answers, and the confirmation.

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
from sqlalchemy.exc import SQLAlchemyError

from webapp import db, presentation
from webapp.clock import now
from webapp.i18n import current_language, localised_route
from webapp.limits import limiter
from webapp.notify.models import channels
from webapp.public.hours import office_hours_rows
from webapp.referrals import store
from webapp.referrals.forms import SendForm
from webapp.referrals.journeys import JOURNEYS, Journey
from webapp.rules import contact, intake, sealing

bp = Blueprint("referrals", __name__, template_folder="templates")
log = logging.getLogger(__name__)
JOURNEY = "<any(ask, concern):journey>"


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


@localised_route(bp, "/" + JOURNEY)
def start(journey):
    journey = get_journey(journey)
    site = current_app.config["SITE"]
    return render_template(
        f"referrals/start_{journey.kind}.html",
        journey=journey,
        first=journey.steps[0].slug,
        office_hours=office_hours_rows(site.office_hours),
        promise=presentation.promise_step(site.response_promise),
    )


@localised_route(bp, f"/{JOURNEY}/<slug>", methods=["GET", "POST"])
@limiter.limit("300 per minute", methods=["POST"])
def question(journey, slug):
    journey = get_journey(journey)
    step = journey.step(slug) or abort(404)
    draft = current_draft(journey)
    answers = draft.answers
    if draft.sent and request.method == "POST":
        return show_sent(journey, draft.sent)
    if not step.applies(answers):
        return redirect(
            url_for("referrals.question", journey=journey.slug, slug=journey.steps[0].slug)
        )
    defaults = {"language": current_language()} | answers
    form = step.form(data=defaults) if request.method == "GET" else step.form()
    problem, status = None, 200
    if form.validate_on_submit():
        answers.update(form.answers())
        draft.data["seen"] = sorted({*draft.data["seen"], step.slug})
        try:
            draft.save()
        except SQLAlchemyError:
            problem, status = database_trouble(), 503
        else:
            following = journey.next_after(
                step.slug, answers, set(draft.data["seen"]), draft.data["reviewing"]
            )
            return redirect(page_url(journey, following))
    return render_template(
        step.template,
        journey=journey,
        step=step,
        form=form,
        problem=problem,
        back=back_url(journey, step.slug, answers),
    ), status


def page_url(journey: Journey, slug: str) -> str:
    if slug == "check":
        return url_for("referrals.check", journey=journey.slug)
    return url_for("referrals.question", journey=journey.slug, slug=slug)


def back_url(journey: Journey, slug: str, answers: dict) -> str:
    previous = journey.previous(slug, answers)
    if previous is None:
        return url_for("referrals.start", journey=journey.slug)
    return page_url(journey, previous)


@localised_route(bp, f"/{JOURNEY}/check", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def check(journey):
    journey = get_journey(journey)
    draft = current_draft(journey)
    if draft.sent:  # sent already (a second press of Send): show the confirmation again
        return show_sent(journey, draft.sent)
    if not draft.ref:
        return redirect(url_for("referrals.start", journey=journey.slug))
    unseen = [
        step.slug
        for step in journey.applicable(draft.answers)
        if step.slug not in draft.data["seen"]
    ]
    if unseen:  # a changed answer brought in questions not yet answered
        return redirect(page_url(journey, unseen[0]))
    form, problem, status = SendForm(), None, 200
    if request.method == "GET" and not draft.data["reviewing"]:
        draft.data["reviewing"] = True  # from now on, a changed answer comes back here
        try:
            draft.save()
        except SQLAlchemyError:
            database_trouble()  # not needed to show the page; Send will try again
    if form.validate_on_submit():
        new = intake.build(
            journey.kind,
            journey.kept_answers(draft.answers),
            current_language(),
            now(),
            current_app.config["SITE"].response_promise,
            current_app.extensions["referral_public_key"],
        )
        key = draft.ref["key"]

        def confirmation(reference: str) -> dict:
            return {
                "reference": reference,
                "method": new.contact_method,
                "due": new.due_at.isoformat(),
                "flags": list(new.flags),
                "window_end": new.window_end.isoformat() if new.window_end else None,
            }

        try:
            reference = store.submit(
                db.session(),
                draft.ref["id"],
                new,
                now=now(),
                notify=channels(current_app),
                tombstone=lambda ref: sealing.lock_draft(key, {"sent": confirmation(ref)}),
            )
        except store.DraftGone:
            draft.forget()
            return redirect(url_for("referrals.start", journey=journey.slug))
        except SQLAlchemyError:
            problem, status = database_trouble(), 503
        else:
            draft.forget()
            log.info("Referral received")  # no reference, no answers: the queue has them
            return show_sent(journey, confirmation(reference))
    return render_template(
        "referrals/check.html",
        journey=journey,
        form=form,
        groups=presentation.summary(journey, draft.answers, lambda slug: page_url(journey, slug)),
        problem=problem,
        back=back_url(journey, "check", draft.answers),
    ), status


def show_sent(journey: Journey, record: dict):
    """Keep the confirmation in the session until it has been shown once."""
    session.setdefault("sent", {})[journey.slug] = record
    session.modified = True
    return redirect(url_for("referrals.sent", journey=journey.slug))


@localised_route(bp, f"/{JOURNEY}/sent")
def sent(journey):
    journey = get_journey(journey)
    # Shown once, then gone: the reference and the safe time do not stay in
    # the cookie for the rest of the browser's life.
    record = session.get("sent", {}).pop(journey.slug, None)
    session.modified = True
    if not record:
        return redirect(url_for("referrals.start", journey=journey.slug))
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
