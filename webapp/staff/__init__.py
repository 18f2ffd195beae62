"""The staff side: sign-in with a second factor, the callback queue, a
referral opened with the private key, and the audit log."""

import functools

from flask import Blueprint
from flask_babel import (
    format_date,
    format_datetime,
    format_percent,
    format_timedelta,
    get_locale,
)

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates")


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


@bp.context_processor
def staff_context():
    from webapp.staff.labels import labels

    return {
        "format_datetime": format_datetime,
        "format_date": format_date,
        "format_percent": format_percent,
        "format_minutes": format_minutes,
        "labels": labels(),
        "language_name": language_name,
    }


def format_minutes(minutes: float) -> str:
    """ "3 hours", "45 minutes": rounded, in the page's language."""
    from datetime import timedelta

    return format_timedelta(timedelta(minutes=minutes), threshold=1.5)


from webapp.staff import api, case, routes  # noqa: E402, F401  (routes attach to bp)


def init_app(app) -> None:
    import contextlib
    import os

    from webapp.referrals import sealing
    from webapp.staff import cli

    # Now, so that gunicorn's workers (recycled ones too) share the master's
    # keys; else when first needed, as `keys generate` runs before there is one.
    with contextlib.suppress(sealing.KeyProblem):
        app.extensions["referral_private_key"] = sealing.load_keyring(app.instance_path, os.environ)
    app.register_blueprint(bp)
    app.cli.add_command(cli.staff_cli)
    app.cli.add_command(cli.audit_cli)
    app.cli.add_command(cli.token_cli)
