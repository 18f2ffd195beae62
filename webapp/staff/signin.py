"""Signing in: a password, then a one-time code (or a recovery code); signing out.

Failed passwords and codes count against the account: after
``credentials.MAX_FAILURES`` it is locked for ``credentials.LOCKOUT``; the
message never says whether an account exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from webapp import db
from webapp.clock import now
from webapp.limits import limiter
from webapp.rules import credentials
from webapp.staff import audit
from webapp.staff.forms import CodeForm, LoginForm
from webapp.staff.models import RecoveryCode, StaffUser
from webapp.staff.web import bp

PENDING = timedelta(minutes=5)  # between the password and the code


def home_for(user: StaffUser) -> str:
    return url_for("staff.content_list" if user.role == "comms" else "staff.queue")


def failed(user: StaffUser | None) -> str:
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= credentials.MAX_FAILURES:
            user.locked_until, user.failed_logins = now() + credentials.LOCKOUT, 0
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
        good = credentials.check_password(
            usable.password_hash if usable else None, form.password.data
        )
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
            db.session().commit()
            return redirect(home_for(user))
        problem = failed(user)
    elif form.is_submitted():
        problem = failed(None) if locked(user) else None
    return render_template("staff/code.html", form=form, problem=problem)


def second_factor_ok(user: StaffUser, text: str) -> bool:
    step = credentials.check_totp(user.totp_secret, text, now(), user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return True
    recovery = db.session().scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.used_at.is_(None),
            RecoveryCode.code_hash == credentials.hash_recovery_code(text),
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
        db.session().commit()
    session.clear()
    return redirect(url_for("staff.login"))
