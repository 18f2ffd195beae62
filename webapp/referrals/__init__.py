"""The two referral journeys: asking for help for yourself (/ask) and
reporting a concern about someone else (/concern).

``journeys.py`` and ``forms.py`` say what is asked, ``routes.py`` serves the
pages, ``store.py`` keeps drafts and referrals; the rules they follow
(due times, sealing, references) are in ``webapp/rules/``. Nothing here
imports the staff side.
"""

from __future__ import annotations

import os
import time


def demo_public_key(folder, environ):
    """The demo makes its own key pair, once, even with several workers starting."""
    from webapp.rules import sealing

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


def init_app(app, role: str = "all") -> None:
    """The journeys on ``public`` and ``all``, and the public key they seal
    for. Only ``all`` in the demo makes a key pair by itself: a ``public``
    instance must be given the public key (and never holds the private one).
    A ``staff`` instance seals its notes for its own current private key; it
    keeps ``QD_PUBLIC_KEY``, when given, only to check what the public
    instances seal for (``keys status``, ``keys retire``), so it starts
    without one: ``keys generate`` runs on a new machine before there is any
    key, and must make its pair only where it is asked to."""
    from flask import Blueprint

    from webapp.rules import sealing

    if app.config["QD_ENV"] == "demo" and role == "all":
        public_key = demo_public_key(app.instance_path, os.environ)
    else:
        try:
            public_key = sealing.load_public_key(app.instance_path, os.environ)
        except sealing.NoPublicKey:
            if role != "staff":
                raise
            public_key = None
    app.extensions["referral_public_key"] = public_key
    if role in ("public", "all"):
        from webapp.referrals import routes
        from webapp.security import csrf

        # The forms check their own CSRF token, so that a stale one re-shows the
        # page with what was typed instead of an error page that loses it.
        csrf.exempt(routes.bp)
        app.register_blueprint(routes.bp)
    if role == "public":
        from webapp.referrals import cli

        app.cli.add_command(cli.public_keys_cli)
    if role == "staff":  # the staff pages borrow the form macros, without any public route
        app.register_blueprint(
            Blueprint("referral_templates", __name__, template_folder="templates")
        )
