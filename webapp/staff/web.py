"""What every staff view shares: the blueprint, who is signed in, and the
role check.

Who is signed in is kept on the server (``sessions.py``): the cookie holds
a random token. A session ends at sign-out, after ``staff_idle_minutes``
without a request, ``staff_session_hours`` after signing in, and when the
account is disabled or given a new password or second factor.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from functools import wraps

from flask import Blueprint, abort, current_app, g, redirect, session, url_for
from flask_babel import format_date, format_datetime, format_percent, format_timedelta, get_locale

from webapp import db, presentation
from webapp.clock import now
from webapp.rules.contact import CASEWORK_ROLES
from webapp.staff import sessions

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates")


TOKEN = "staff_token"  # noqa: S105  (the session key under which the token is kept)


def lifetimes() -> sessions.Lifetimes:
    site = current_app.config["SITE"]
    idle = current_app.config.get("STAFF_IDLE_MINUTES", site.staff_idle_minutes)
    return sessions.Lifetimes(
        idle=timedelta(minutes=idle), absolute=timedelta(hours=site.staff_session_hours)
    )


@bp.before_request
def load_staff():
    # A token at the password stage signs no one in; the code page reads it.
    g.staff = sessions.signed_in_user(db.session(), session.get(TOKEN), now(), lifetimes())


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


def language_name(code: str) -> str:
    """A referral's language as staff read it ("Welsh (Cymraeg)")."""
    return _language_name(code, str(get_locale()))


@functools.lru_cache(maxsize=512)
def _language_name(code: str, locale: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        theirs = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return code
    ours = theirs.get_display_name(locale) or code
    own = theirs.get_display_name(theirs)
    return ours if own in (None, ours) else f"{ours} ({own})"


def format_minutes(minutes: float) -> str:
    """ "3 hours", "45 minutes": rounded, in the page's language."""
    return format_timedelta(timedelta(minutes=minutes), threshold=1.5)


@bp.context_processor
def staff_context():
    return {
        "format_datetime": format_datetime,
        "format_date": format_date,
        "format_percent": format_percent,
        "format_minutes": format_minutes,
        "labels": presentation.staff_labels(),
        "language_name": language_name,
    }
