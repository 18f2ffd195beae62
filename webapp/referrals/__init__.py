"""The two referral journeys: asking for help for yourself (/ask) and
reporting a concern about someone else (/concern)."""

from flask import Blueprint

bp = Blueprint("referrals", __name__, template_folder="templates")

from webapp.referrals import routes  # noqa: E402, F401  (routes attach to bp)


def init_app(app) -> None:
    import os

    from webapp.referrals import cli, sealing
    from webapp.security import csrf

    folder = app.instance_path
    try:
        public_key = sealing.load_public_key(folder, os.environ)
    except sealing.KeyProblem:
        if app.config["QD_ENV"] == "production":
            raise
        public_key = sealing.generate_keypair(folder)  # the demo makes its own, once
    app.extensions["referral_public_key"] = public_key
    # The forms check their own CSRF token, so that a stale one re-shows the
    # page with what was typed instead of an error page that loses it.
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.cli.add_command(cli.referrals_cli)
    app.cli.add_command(cli.keys_cli)
