"""Signing in (password, then a one-time code), the queue, and a referral.

Sessions end after ``STAFF_IDLE_MINUTES`` without a request, and at sign-out.
Failed passwords and codes count against the account: after
``accounts.MAX_FAILURES`` it is locked for ``accounts.LOCKOUT``; the message
never says whether an account exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp import db
from webapp.clock import now, today
from webapp.content import routes as content_routes
from webapp.i18n import direction
from webapp.limits import limiter
from webapp.referrals.models import Referral
from webapp.referrals.reference import normalise
from webapp.staff import accounts, audit, bp, reporting
from webapp.staff.forms import CodeForm, LoginForm
from webapp.staff.models import RecoveryCode, StaffUser

PENDING = timedelta(minutes=5)  # between the password and the code
DUE_SOON = timedelta(hours=2)


@bp.before_request
def load_staff():
    g.staff = None
    signed_in = session.get("staff")
    if not signed_in:
        return
    idle = timedelta(minutes=current_app.config.get("STAFF_IDLE_MINUTES", 15))
    if now() - datetime.fromisoformat(signed_in["seen"]) > idle:
        session.pop("staff", None)
        return
    user = db.session().get(StaffUser, signed_in["id"])
    if user is None or not user.active:
        session.pop("staff", None)
        return
    g.staff = user
    signed_in["seen"] = now().isoformat()
    session.modified = True


CASEWORK_ROLES = ("officer", "manager", "admin")  # comms staff never see a referral


def staff_required(view=None, roles=CASEWORK_ROLES):
    """Signed in, with one of ``roles``: referrals are for the casework roles
    only, whatever else an account may do."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if g.staff is None:
                return redirect(url_for("staff.login"))
            if g.staff.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def home_for(user: StaffUser) -> str:
    return url_for("staff.content_list" if user.role == "comms" else "staff.queue")


def failed(user: StaffUser | None) -> str:
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= accounts.MAX_FAILURES:
            user.locked_until, user.failed_logins = now() + accounts.LOCKOUT, 0
        db.session().commit()
    return _(
        "Those details did not work. After 5 failed tries an account is locked for 15 minutes."
    )


def locked(user: StaffUser | None) -> bool:
    return bool(user and user.locked_until and user.locked_until > now())


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    form, problem = LoginForm(), None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session().scalar(select(StaffUser).where(StaffUser.email == email))
        usable = user if user is not None and user.active else None
        good = accounts.check_password(usable.password_hash if usable else None, form.password.data)
        if good and not locked(usable):
            session.pop("staff", None)
            session["staff_pending"] = {"id": usable.id, "at": now().isoformat()}
            return redirect(url_for("staff.code"))
        problem = failed(usable if not locked(usable) else None)
    return render_template("staff/login.html", form=form, problem=problem)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def code():
    pending = session.get("staff_pending")
    if not pending or now() - datetime.fromisoformat(pending["at"]) > PENDING:
        session.pop("staff_pending", None)
        return redirect(url_for("staff.login"))
    user = db.session().get(StaffUser, pending["id"])
    form, problem = CodeForm(), None
    if form.validate_on_submit() and user is not None and user.active and not locked(user):
        if second_factor_ok(user, form.code.data):
            user.failed_logins, user.locked_until = 0, None
            session.clear()
            session["staff"] = {"id": user.id, "seen": now().isoformat()}
            audit.record(db.session(), user.email, "staff.sign_in", None, now())
            return redirect(home_for(user))
        problem = failed(user)
    elif form.is_submitted():
        problem = failed(None) if locked(user) else None
    return render_template("staff/code.html", form=form, problem=problem)


def second_factor_ok(user: StaffUser, text: str) -> bool:
    step = accounts.check_totp(user.totp_secret, text, now(), user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return True
    recovery = db.session().scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.used_at.is_(None),
            RecoveryCode.code_hash == accounts.hash_recovery_code(text),
        )
    )
    if recovery is not None:
        recovery.used_at = now()
        return True
    return False


@bp.route("/logout", methods=["POST"])
def logout():
    if g.staff is not None:
        audit.record(db.session(), g.staff.email, "staff.sign_out", None, now())
    session.clear()
    return redirect(url_for("staff.login"))


@bp.route("/reports")
@staff_required(roles=(*CASEWORK_ROLES, "comms"))  # counts only, nothing personal
def reports():
    """Counts and timings only: nothing here names or describes a person."""
    summary = reporting.summarise(reporting.all_facts(db.session()))
    return render_template("staff/reports.html", summary=summary)


@bp.route("/reports.csv")
@staff_required(roles=(*CASEWORK_ROLES, "comms"))
def reports_csv():
    summary = reporting.summarise(reporting.all_facts(db.session()))
    return Response(
        reporting.as_csv(summary),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=quietdoor-referrals-by-week.csv"},
    )


@bp.route("/find")
@staff_required
def find_reference():
    """A reference as a caller reads it out ("k7m 4qp") to the referral's page."""
    typed = request.args.get("reference", "")[:40]
    reference = normalise(typed)
    if reference and db.session().scalar(
        select(Referral.id).where(Referral.reference == reference)
    ):
        return redirect(url_for("staff.referral", reference=reference))
    flash(
        _(
            "No referral has the reference %(typed)s. References look like K7M-4QP.",
            typed=typed.strip() or "–",
        )
    )
    return redirect(url_for("staff.queue"))


CONTENT_ROLES = ("comms", "admin")


@bp.route("/content/")
@staff_required(roles=CONTENT_ROLES)
def content_list():
    """Every campaign, with its dates and whether it is live, for the comms team."""
    library = current_app.extensions["content"]
    day = today()
    documents = library.snapshot().documents
    rows = [
        {
            "slug": slug,
            "doc": documents[(kind, slug, "en")],
            "languages": sorted(lang for k, s, lang in documents if (k, s) == (kind, slug)),
            "state": state(documents[(kind, slug, "en")], day),
        }
        for kind, slug, lang in sorted(documents)
        if kind == "campaigns" and lang == "en"
    ]
    return render_template(
        "staff/content.html",
        rows=rows,
        problems=sorted(str(path.name) for path in library.snapshot().problems),
    )


def state(doc, today) -> str:
    if doc.live(today):
        return "live"
    return "scheduled" if doc.publish_from and doc.publish_from > today else "ended"


@bp.route("/content/campaigns/<slug:slug>")
@staff_required(roles=CONTENT_ROLES)
def preview_campaign(slug):
    """A campaign as residents will see it, whatever its dates (comms and admin)."""
    site = current_app.config["SITE"]
    lang = request.args.get("lang", "en")
    g.lang_code = lang if lang in site.languages else "en"
    doc = current_app.extensions["content"].find("campaigns", slug, g.lang_code)
    if doc is None:
        abort(404)
    # Links inside stay as they are: on a staff-only instance they point at the
    # public site's addresses.
    return render_template(
        "staff/preview.html", doc=content_routes.shown(doc), direction=direction(doc.lang)
    )


FILTERS = ("all", "mine", "unassigned", "overdue")
PAGE_SIZE = 100


@bp.route("/", defaults={"show": "all"})
@bp.route("/<any(mine, unassigned, overdue):show>")
@staff_required
def queue(show):
    """Open referrals by due time, then priority, a page at a time. Nothing is
    unsealed here: the list is built from the columns kept in clear."""
    moment = now()
    query = select(Referral).where(Referral.status == "open")
    if show == "mine":
        query = query.where(Referral.assigned_to == g.staff.id)
    elif show == "unassigned":
        query = query.where(Referral.assigned_to.is_(None))
    elif show == "overdue":
        query = query.where(Referral.due_at < moment)
    # Kind and language narrow any of these; they name no person, so the query
    # string is fine here (this is the staff side).
    kind = request.args.get("kind") if request.args.get("kind") in ("self", "concern") else None
    language = request.args.get("language", "")[:8] or None
    if kind:
        query = query.where(Referral.kind == kind)
    if language:
        query = query.where(Referral.language == language)
    total = db.session().scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    referrals = (
        db.session()
        .scalars(
            query.order_by(Referral.due_at, Referral.priority, Referral.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
        .all()
    )
    officers = dict(db.session().execute(select(StaffUser.id, StaffUser.email)).all())
    rows = [
        {
            "referral": referral,
            "overdue": referral.due_at < moment,
            "due_soon": moment <= referral.due_at < moment + DUE_SOON,
            "assignee": officers.get(referral.assigned_to),
        }
        for referral in referrals
    ]
    languages = (
        db.session()
        .scalars(
            select(Referral.language)
            .where(Referral.status == "open")
            .distinct()
            .order_by(Referral.language)
        )
        .all()
    )

    def page_url(number: int) -> str:
        args = {"kind": kind, "language": language, "page": number if number > 1 else None}
        return url_for(request.endpoint, **request.view_args, **args)

    paging = {
        "page": page,
        "pages": pages,
        "total": total,
        "previous": page_url(page - 1) if page > 1 else None,
        "next": page_url(page + 1) if page < pages else None,
    }
    return render_template(
        "staff/queue.html",
        rows=rows,
        show=show,
        filters=FILTERS,
        kind=kind,
        language=language,
        languages=languages,
        paging=paging,
    )
