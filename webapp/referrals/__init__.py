"""The two referral journeys: asking for help for yourself (/ask) and
reporting a concern about someone else (/concern)."""

from flask import Blueprint

bp = Blueprint("referrals", __name__, template_folder="templates")

from webapp.referrals import routes  # noqa: E402, F401  (routes attach to bp)


def demo_public_key(folder, environ):
    """The demo makes its own key pair, once, even with several workers starting."""
    import time

    from webapp.referrals import sealing

    try:
        return sealing.load_public_key(folder, environ)
    except sealing.KeyProblem:
        pass
    try:
        return sealing.generate_keypair(folder)
    except FileExistsError:  # another worker is writing it right now
        for _ in range(50):
            time.sleep(0.1)
            try:
                return sealing.load_public_key(folder, environ)
            except sealing.KeyProblem:
                continue
        raise


def init_app(app) -> None:
    import os

    from webapp.referrals import cli, sealing
    from webapp.security import csrf

    if app.config["QD_ENV"] == "production":
        public_key = sealing.load_public_key(app.instance_path, os.environ)
    else:
        public_key = demo_public_key(app.instance_path, os.environ)
    app.extensions["referral_public_key"] = public_key
    # The forms check their own CSRF token, so that a stale one re-shows the
    # page with what was typed instead of an error page that loses it.
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.cli.add_command(cli.referrals_cli)
    app.cli.add_command(cli.keys_cli)
