"""Coming back: ``/return`` (and under each language's prefix), one address
for every page of the way back, under one neutral title, like the journeys
(the history list keeps nothing of what she read or did there).

She opens it with her reference and passphrase. The opened private key is
kept between her pages only in a ``return_visit`` row, locked with a key
that only her session cookie holds (``qd_return``: no expiry, HttpOnly,
SameSite=Strict, Secure in production); the row goes on the quick exit, on
leaving, and after ten idle minutes. Which page she is on, and a change in
progress, are kept in that row too, locked the same way: nothing about the
visit is in an address, a log, the Flask session or browser storage.

Opened with her second passphrase, the visit is "under pressure": the pages
look real and empty, what she writes reaches the team (and no one else
reads it here), changes and closing seem to work and change nothing, and the
team is told at once (docs/way-back.md).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from flask import Blueprint, current_app, g, make_response, redirect, render_template, request
from flask_babel import gettext as _
from nacl.secret import SecretBox
from sqlalchemy.exc import SQLAlchemyError

from webapp import db, presentation
from webapp.clock import now
from webapp.i18n import localised_route
from webapp.limits import limiter
from webapp.notify.models import channels
from webapp.referrals.journeys import CHECK
from webapp.rules import sealing, wayback
from webapp.rules.reference import normalise
from webapp.wayback import changes, store, story
from webapp.wayback.forms import AddForm, ConfirmForm, OpenForm, SecondPassphraseForm, WriteForm
from webapp.wayback.models import ReturnVisit

bp = Blueprint("wayback", __name__, template_folder="templates")
log = logging.getLogger(__name__)

HOME, CHANGE, ADD, STOP, DANGER, CLOSE, MORE = (
    "home",
    "change",
    "add",
    "stop",
    "danger",
    "close",
    "more",
)
PAGES = (HOME, CHANGE, ADD, STOP, DANGER, CLOSE, MORE)


def cookie_name() -> str:
    # __Host-: only over HTTPS, only from this host, for the whole site.
    return "__Host-qd_return" if current_app.config.get("SESSION_COOKIE_SECURE") else "qd_return"


def here() -> str:
    return request.path  # /return, or /cy/return...


class Visit:
    """Her visit in progress, opened with the key from her cookie."""

    def __init__(self, row: ReturnVisit, key: bytes, opened: wayback.Opened):
        self.row, self.key, self.opened = row, key, opened
        self.state = {}
        if row.state:
            held = SecretBox(key).decrypt(row.state)
            self.state = json.loads(held)

    @property
    def referral_id(self) -> int:
        return self.row.referral_id

    @property
    def under_pressure(self) -> bool:
        return self.opened.under_pressure

    @property
    def at(self) -> str:
        return self.state.get("at", HOME) if self.state.get("at") in PAGES else HOME

    def go(self, page: str, **extra) -> None:
        self.state = {"at": page, **extra, "done": self.state.get("done", [])}

    def remember(self, kind: str, data: dict, moment: datetime) -> None:
        """Under pressure: what she did in this visit, shown back to her (and
        to whoever stands over her) as a real way back would show it."""
        self.state.setdefault("done", []).append(
            {"kind": kind, "at": moment.isoformat(), "data": data}
        )

    def notice(self, text: str | None) -> None:
        self.state["notice"] = text

    def save(self) -> None:
        self.row.state = bytes(
            SecretBox(self.key).encrypt(json.dumps(self.state, ensure_ascii=False).encode())
        )
        db.session().commit()


def current_visit() -> Visit | None:
    """Her visit, if her cookie names one that is still open; None otherwise
    (``g.visit_ended`` says whether a cookie named one that has ended)."""
    value = request.cookies.get(cookie_name())
    g.visit_ended = False
    if not value:
        return None
    parts = wayback.split_visit_secret(value)
    row = store.load_visit(db.session(), wayback.visit_id(parts[0]), now()) if parts else None
    opened = wayback.open_visit(parts[1], row.locked) if row is not None else None
    if opened is None:
        g.visit_ended = True
        return None
    return Visit(row, parts[1], opened)


def not_opening() -> bool:
    return request.form.get("go") != "open"


@localised_route(bp, "/return", methods=["GET", "POST"])
@limiter.limit("120 per minute", methods=["POST"])
@limiter.limit("10 per minute;30 per hour", methods=["POST"], exempt_when=not_opening)
def page():
    try:
        visit = current_visit()
    except SQLAlchemyError:
        return trouble()
    go = request.form.get("go") if request.method == "POST" else None
    if visit is None:
        if go == "open":
            return open_way_back()
        return signed_out(notice=ended_notice() if g.visit_ended else None)
    try:
        return act(visit, go) if go else show(visit)
    except SQLAlchemyError:
        return trouble()


def ended_notice() -> str:
    return _(
        "For your safety, we logged you out after 10 minutes without any activity. "
        "Open your way back again if you need to."
    )


def trouble():
    db.session().rollback()
    log.error("Database unavailable on the way back")  # nothing about the person
    problem = _("We could not do that just now. Please wait a minute and try again, or call us.")
    return signed_out(problem=problem, status=503, keep_cookie=True)


def signed_out(form=None, problem=None, notice=None, status=200, shut=False, keep_cookie=False):
    response = make_response(
        render_template(
            "wayback/open.html",
            form=form or OpenForm(formdata=None),
            problem=problem,
            notice=notice,
            shut=shut,
        ),
        status,
    )
    if not keep_cookie and request.cookies.get(cookie_name()):
        forget_cookie(response)
    return response


def forget_cookie(response) -> None:
    response.delete_cookie(
        cookie_name(),
        path="/",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Strict",
    )


# -- opening ---------------------------------------------------------------------


def could_not_open(form):
    form.passphrase.data = ""
    return signed_out(
        form,
        problem=_("We could not open that. Check both and try again."),
        status=400,
    )


def shut_page(form):
    form.passphrase.data = ""
    return signed_out(form, status=429, shut=True)


def open_way_back():
    """The reference and passphrase. An unknown reference, a wrong passphrase
    and a closed way back get the same answer, in the same time (a key is
    derived either way); five failed tries shut the reference's way back for
    an hour, whoever tries; the try is counted before the passphrase is
    checked, so tries sent at once are counted too."""
    form = OpenForm()
    if not form.validate_on_submit():
        return signed_out(form, status=400)
    passphrase = form.passphrase.data
    reference = normalise(form.reference.data)
    session = db.session()
    if reference is None:  # cannot be anyone's: nothing to count, the same answer
        wayback.open_locks(passphrase, None)
        return could_not_open(form)
    number = store.reserve_try(session, reference, now())
    if number is None:
        return shut_page(form)
    found = store.find(session, reference)
    opened = wayback.open_locks(passphrase, store.locks_of(found[1]) if found else None)
    if opened is None:
        if store.try_failed(session, reference, number, now()):
            return shut_page(form)
        return could_not_open(form)
    referral_id = found[0]
    store.try_succeeded(session, reference)
    value, key = wayback.new_visit_secret()
    token = value.partition(".")[0]
    moment = now()
    store.start_visit(
        session, wayback.visit_id(token), referral_id, wayback.lock_visit(key, opened), moment
    )
    if opened.under_pressure:
        # The team is told at once; nothing on her page shows it.
        tell_team(session, referral_id, wayback.PRESSURE, {}, moment)
    session.commit()
    log.info("Way back opened")  # no reference: the log is not the place
    response = redirect(here(), code=303)
    response.set_cookie(
        cookie_name(),
        value,
        path="/",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Strict",
    )
    return response


def tell_team(
    session, referral_id: int, kind: str, for_staff: dict, moment: datetime, mine=None, her_key=None
):
    """An entry for the team (due under the promise when they must act on it,
    with a notification that holds no content). Their copy is sealed from
    her key when the visit holds it (``wayback.seal_from``): only then will
    the team act on a change that loosens her rules."""
    due_at = current_app.config["SITE"].response_promise.after(moment)
    staff_key = current_app.extensions["referral_public_key"]
    store.add_entry(
        session,
        referral_id,
        kind,
        moment,
        by_resident=True,
        for_resident=mine,
        for_staff=wayback.seal_from(her_key, staff_key, for_staff)
        if her_key is not None
        else sealing.seal(staff_key, for_staff),
        due_at=due_at if kind in wayback.NEEDS_ACTION else None,
    )
    if kind in wayback.NEEDS_ACTION:
        reference = store.way_back_of(session, referral_id).reference
        store.notify(session, channels(current_app), reference, due_at, moment)


# -- her pages -------------------------------------------------------------------------


def public_key(session, visit: Visit) -> bytes | None:
    row = store.way_back_of(session, visit.referral_id)
    return row.public_key if row is not None and row.closed_at is None else None


def show(visit: Visit, status=200, **forms):
    """The page she is on."""
    session = db.session()
    notice = visit.state.pop("notice", None)
    if notice:
        visit.save()
    context = {"visit": visit, "notice": notice, "at": visit.at, "when": story.when}
    if visit.under_pressure:
        told = story.Story.empty(session, visit.referral_id, visit.state.get("done", []))
    else:
        told = story.Story.read(session, visit.referral_id, visit.opened.private_key)
    context["story"] = told
    if visit.at == CHANGE:
        return show_change(visit, told, status, **forms)
    template = {
        HOME: "wayback/home.html",
        ADD: "wayback/add.html",
        STOP: "wayback/stop.html",
        DANGER: "wayback/danger.html",
        CLOSE: "wayback/close.html",
        MORE: "wayback/more.html",
    }[visit.at]
    context |= {
        "write_form": forms.get("write_form") or WriteForm(formdata=None),
        "add_form": forms.get("add_form") or AddForm(formdata=None),
        "more_form": forms.get("more_form") or SecondPassphraseForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
        "promise": presentation.promise_step(current_app.config["SITE"].response_promise),
    }
    return render_template(template, **context), status


def act(visit: Visit, go: str):
    """What a button asks for. A stale or missing security token shows the
    page again, with nothing lost."""
    if go == "leave":
        store.end_visit(db.session(), visit.row.id)
        return signed_out(notice=_("You have left your way back. Close this tab, too."))
    if go == "write":
        return write(visit, WriteForm(), wayback.RESIDENT_MESSAGE, "write_form")
    if go == "add":
        return write(visit, AddForm(), wayback.ADDED, "add_form")
    if not ConfirmForm().validate_on_submit() and go not in ("more", "answer", "save"):
        return redirect(here(), code=303)
    if go == "show":
        target = request.form.get("page")
        if target == CHANGE:
            start_change(visit)
        elif target in PAGES:
            visit.go(target)
        visit.save()
        return redirect(here(), code=303)
    if go in ("answer", "back", "save"):
        return change_step(visit, go)
    if go in ("stop", "resume"):
        return stop_or_resume(visit, go)
    if go == "close":
        return close(visit)
    if go == "more":
        return second_passphrase(visit)
    return redirect(here(), code=303)


def write(visit: Visit, form, kind: str, name: str):
    """Her message (or something she forgot): sealed to the staff key, and
    to her own key so that she can read it again here."""
    if not form.validate_on_submit():
        return show(visit, status=400, **{name: form})
    session = db.session()
    text = form.text.data
    mine = None
    moment = now()
    if visit.under_pressure:
        # Shown to her in this visit only; the team reads it knowing why.
        visit.remember(kind, {"text": text}, moment)
    else:
        key = public_key(session, visit)
        mine = wayback.seal_for(key, {"text": text}) if key else None
    tell_team(
        session,
        visit.referral_id,
        kind,
        {"text": text},
        moment,
        mine=mine,
        her_key=visit.opened.private_key,
    )
    visit.go(HOME)
    visit.notice(_("Sent. Only our team can read it, and we will answer here."))
    visit.save()
    return redirect(here(), code=303)


def stop_or_resume(visit: Visit, go: str):
    kind = wayback.STOP if go == "stop" else wayback.RESUMED
    if visit.under_pressure:
        visit.remember(kind, {}, now())  # seems to work, changes nothing
    else:
        session = db.session()
        key = public_key(session, visit)
        tell_team(
            session,
            visit.referral_id,
            kind,
            {},
            now(),
            wayback.seal_for(key, {}) if key else None,
            her_key=visit.opened.private_key,
        )
    visit.go(HOME)
    visit.notice(
        _("We will not contact you unless you ask us to, or we believe you are in danger.")
        if go == "stop"
        else _("Thank you. We may contact you again, the way you chose.")
    )
    visit.save()
    return redirect(here(), code=303)


def close(visit: Visit):
    """Her passphrase stops working and nothing sealed to her stays; the team
    keeps its own record. Under pressure it only seems to close."""
    session = db.session()
    visit_id = visit.row.id  # read now: closing takes her visits away, this one too
    if visit.under_pressure:
        # Tried again, what was closed must not open: the second lock goes
        # (her own passphrase, and all she has, stay as they are).
        store.forget_pressure_lock(session, visit.referral_id)
        session.commit()
    else:
        moment = now()
        store.close(session, visit.referral_id, moment)
        tell_team(
            session,
            visit.referral_id,
            wayback.WAY_BACK_CLOSED,
            {},
            moment,
            her_key=visit.opened.private_key,
        )
        session.commit()
    store.end_visit(session, visit_id)
    return signed_out(
        notice=_(
            "Your way back is closed. Your passphrase no longer works, and this site can no "
            "longer show what we wrote. To talk to us, call us."
        )
    )


def second_passphrase(visit: Visit):
    form = SecondPassphraseForm()
    session = db.session()
    row = store.way_back_of(session, visit.referral_id)
    if row is None or row.closed_at is not None:
        return redirect(here(), code=303)
    form.reference = ""
    if not form.validate_on_submit():
        return show(visit, status=400, more_form=form)
    lock = wayback.pressure_lock(form.passphrase.data, store.locks_of(row), visit.opened)
    if lock is None:
        form.passphrase.errors.append(_("This must be different from your passphrase"))
        return show(visit, status=400, more_form=form)
    # Under pressure it goes beside the one that opened this visit: both then
    # open the empty way back, as the onlooker expects; hers is untouched.
    store.set_pressure_lock(session, visit.referral_id, lock)
    tell_team(
        session,
        visit.referral_id,
        wayback.PRESSURE_SET,
        {},
        now(),
        her_key=visit.opened.private_key,
    )
    visit.go(HOME)
    visit.notice(_("Your second passphrase is set."))
    visit.save()
    return redirect(here(), code=303)


# -- changing how and when we contact her ---------------------------------------------


def start_change(visit: Visit) -> None:
    """From what she told us last (under pressure: from nothing)."""
    kind = story.kind_of(db.session(), visit.referral_id)
    latest = story.latest_contact(db.session(), visit)
    journey = changes.CHANGES[kind]
    first = journey.applicable(latest)[0].slug
    visit.go(CHANGE, change={"kind": kind, "answers": latest, "seen": [], "at": first})


def show_change(visit: Visit, told, status=200, form=None, **_unused):
    change = visit.state["change"]
    journey = changes.CHANGES[change["kind"]]
    at = journey.position(change["answers"], set(change["seen"]), change["at"])
    confirm = ConfirmForm(formdata=None)
    if at == CHECK:
        return render_template(
            "wayback/change_check.html",
            visit=visit,
            groups=presentation.summary(journey, change["answers"], lambda slug: slug),
            form=confirm,
        ), status
    step = journey.step(at)
    form = form or step.form(data=change["answers"])
    return render_template(
        "wayback/change_step.html", visit=visit, step=step, form=form, journey=journey
    ), status


def change_step(visit: Visit, go: str):
    if visit.at != CHANGE:
        return redirect(here(), code=303)
    change = visit.state["change"]
    journey = changes.CHANGES[change["kind"]]
    slug = request.form.get("step", "")
    if go == "back":
        target = journey.previous(slug, change["answers"]) if slug else None
        if target is None:
            visit.go(HOME)
        else:
            change["at"] = target
        visit.save()
        return redirect(here(), code=303)
    if go == "save":
        if not ConfirmForm().validate_on_submit():
            return redirect(here(), code=303)
        return save_change(visit, journey, change)
    step = journey.step(slug)
    if step is None or not step.applies(change["answers"]):
        return redirect(here(), code=303)
    form = step.form()
    if not form.validate_on_submit():
        return show_change(visit, None, status=400, form=form)
    change["answers"].update(form.answers())
    change["seen"] = sorted({*change["seen"], step.slug})
    change["at"] = journey.next_after(step.slug, change["answers"], set(change["seen"]), False)
    visit.save()
    return redirect(here(), code=303)


def save_change(visit: Visit, journey, change: dict):
    session = db.session()
    latest = story.latest_contact(session, visit)
    new = changes.changed_contact(change["kind"], latest, change["answers"])
    if visit.under_pressure:
        visit.remember(wayback.CONTACT_CHANGED, {"contact": new}, now())  # changes nothing
    else:
        key = public_key(session, visit)
        tell_team(
            session,
            visit.referral_id,
            wayback.CONTACT_CHANGED,
            {"contact": new},
            now(),
            wayback.seal_for(key, {"contact": new}) if key else None,
            her_key=visit.opened.private_key,
        )
    visit.go(HOME)
    visit.notice(_("Saved. From now on we will contact you only as you told us here."))
    visit.save()
    return redirect(here(), code=303)
