"""The staff side at ``/staff/``: sign-in with a second factor (``signin.py``),
the callback queue (``queue.py``), a referral opened with the private key
and the casework on it (``case.py``, ``referral.py``), reports
(``reports.py``), the comms team's content editor (``content.py``, its changes in
``publishing.py``), the
JSON feed (``api.py``), and the commands that need the private key or touch
staff accounts (``cli.py``, ``keys.py``). The shared pieces of every view
(the blueprint, who is signed in, the role check) are in ``web.py``.

A public instance never imports anything here.
"""

from __future__ import annotations

import os


def init_app(app) -> None:
    # The views register on the blueprint as they are imported, here.
    from webapp.rules import sealing
    from webapp.settings import SettingsError, staff_secret
    from webapp.staff import (
        api,
        cli,
        content,
        keys,
        queue,
        referral,
        reports,
        secret,
        signin,
        web,
    )

    del api, queue, referral, reports, signin  # imported for their views
    # Now, so that gunicorn's workers (recycled ones too) share the master's
    # keys; else when first needed, as `keys generate` runs before there is one.
    # A key file other users could read stops the start, whatever the command.
    try:
        app.extensions["referral_private_key"] = sealing.load_keyring(app.instance_path, os.environ)
    except sealing.KeyFileTooOpen:
        raise
    except sealing.KeyProblem:
        pass
    try:
        master = staff_secret(
            app.instance_path, os.environ, generate=app.config["QD_ENV"] != "production"
        )
    except SettingsError as problem:
        # `keys generate` on a new machine runs before there is one; serving
        # refuses to start without it (webapp/wsgi.py), and anything that
        # needs it says what is missing.
        app.extensions["staff_keys_problem"] = str(problem)
    else:
        app.extensions["staff_keys"] = secret.keys_for(master)
    if app.config["QD_ROLE"] == "staff" and app.config["QD_ENV"] == "production":
        # The staff cookie: only for this host and https, never sent from another site.
        app.config["SESSION_COOKIE_NAME"] = "__Host-qd_staff"
        app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
        app.config["SESSION_COOKIE_PATH"] = "/"
    app.register_blueprint(web.bp)
    app.config["LARGER_REQUESTS"]["staff.edit_content"] = content.EDIT_REQUEST_BYTES
    from webapp import db

    app.cli.add_command(db.staff_db_cli())
    app.cli.add_command(cli.content_cli())  # content.init_app keeps it (check, import, export)
    for group in (cli.staff_cli, cli.audit_cli, cli.token_cli, keys.referrals_cli, keys.keys_cli):
        app.cli.add_command(group)
