"""Signing in: a password, then a one-time code (or a recovery code); signing out.

Both stages live on the server (``sessions.py``). Failed passwords and codes
count against the account for the client that sent them (``lockout.py``);
the message never says whether an account exists, and every failure, lock
and sign-in (by code or by recovery code, told apart) is audited. A code or
recovery code is used up by one conditional update: sent at the same moment
from several sessions, it signs in one of them.
"""

from __future__ import annotations

from flask import g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from webapp import db
from webapp.clock import now
from webapp.limits import client_key, limiter
from webapp.rules import credentials
from webapp.staff import audit, lockout, sessions
from webapp.staff.forms import CodeForm, LoginForm
from webapp.staff.models import RecoveryCode, StaffUser
from webapp.staff.secret import key
from webapp.staff.web import TOKEN, bp, lifetimes

UNKNOWN = "unknown account"  # the audit log's actor for a failure naming no account


def home_for(user: StaffUser) -> str:
    return url_for("staff.content_list" if user.role == "comms" else "staff.queue")


def did_not_work() -> str:
    return _(
        "Those details did not work. After 5 failed tries an account is locked for 15 minutes."
    )


def failure(user: StaffUser | None, stage: str) -> str:
    """Count and audit a failed password or code; the message for the page."""
    session_ = db.session()
    if user is None:
        audit.record(session_, UNKNOWN, "staff.sign_in_failed", None, now(), stage)
    else:
        audit.record(session_, user.email, "staff.sign_in_failed", None, now(), stage)
        if lockout.failed(session_, user.id, client_key(), now()):
            audit.record(
                session_,
                user.email,
                "staff.locked_out",
                None,
                now(),
                f"for one client, {credentials.LOCKOUT.seconds // 60} minutes",
            )
    session_.commit()
    return did_not_work()


def refused(user: StaffUser, stage: str) -> str:
    """A try while this client is locked out of this account: not checked, audited."""
    audit.record(
        db.session(), user.email, "staff.sign_in_refused", None, now(), f"{stage}, locked out"
    )
    db.session().commit()
    return did_not_work()


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
        if usable is not None and lockout.locked(db.session(), usable.id, client_key(), now()):
            problem = refused(usable, "password")
        elif good:
            sessions.end(db.session(), session.get(TOKEN))
            sessions.sweep(db.session(), now(), lifetimes())
            token = sessions.start(db.session(), usable.id, now())
            db.session().commit()
            session.clear()
            session[TOKEN] = token
            return redirect(url_for("staff.code"))
        else:
            problem = failure(usable, "password")
    return render_template("staff/login.html", form=form, problem=problem)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def code():
    token = session.get(TOKEN)
    user = sessions.pending_user(db.session(), token, now())
    if user is None:
        session.pop(TOKEN, None)
        return redirect(url_for("staff.login"))
    form, problem = CodeForm(), None
    if form.validate_on_submit():
        if lockout.locked(db.session(), user.id, client_key(), now()):
            problem = refused(user, "code")
        else:
            how = second_factor(user, form.code.data)
            fresh = sessions.promote(db.session(), token, now()) if how else None
            if fresh is None:
                db.session().rollback()  # a code spent elsewhere first is a failure here
                problem = failure(user, "code")
            else:
                lockout.cleared(db.session(), user.id, client_key())
                audit.record(db.session(), user.email, "staff.sign_in", None, now(), how)
                db.session().commit()
                session.clear()  # a new cookie, a new CSRF token
                session[TOKEN] = fresh
                return redirect(home_for(user))
    return render_template("staff/code.html", form=form, problem=problem)


def second_factor(user: StaffUser, text: str) -> str | None:
    """ "one-time code" or "recovery code" when ``text`` is one and this request
    used it up first; None otherwise. The caller commits."""
    seed = credentials.open_seed(key(credentials.SEED_KEY), user.totp_secret)
    step = credentials.check_totp(seed, text, now(), user.totp_last_step) if seed else None
    if step is not None:
        used = (
            db.session()
            .execute(
                update(StaffUser)
                .where(
                    StaffUser.id == user.id,
                    or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            )
            .rowcount
        )
        return "one-time code" if used == 1 else None
    recovery_key = key(credentials.RECOVERY_KEY)
    for recovery in db.session().scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        if credentials.recovery_code_matches(recovery_key, text, recovery.code_hash):
            used = (
                db.session()
                .execute(
                    update(RecoveryCode)
                    .where(RecoveryCode.id == recovery.id, RecoveryCode.used_at.is_(None))
                    .values(used_at=now())
                    .execution_options(synchronize_session=False)
                )
                .rowcount
            )
            return "recovery code" if used == 1 else None
    return None


@bp.route("/logout", methods=["POST"])
def logout():
    if g.staff is not None:
        sessions.end(db.session(), session.get(TOKEN))
        audit.record(db.session(), g.staff.email, "staff.sign_out", None, now())
        db.session().commit()
    session.clear()
    return redirect(url_for("staff.login"))
