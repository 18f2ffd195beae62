"""The way back (docs/way-back.md): a resident or a reporter comes back with
her reference and passphrase to read what the team wrote and to write back.

``routes.py`` serves ``/return``; ``story.py`` opens what she may read;
``changes.py`` is the change of contact rules; ``store.py`` keeps it all;
the crypto and the rules are in ``webapp/rules/wayback.py``. Nothing here
imports the staff side.
"""

from __future__ import annotations


def init_app(app, role: str = "all") -> None:
    if role in ("public", "all"):
        from webapp.security import csrf
        from webapp.wayback import routes

        # The forms check their own CSRF token, so that a stale one shows the
        # page again with what was typed, not an error page that loses it.
        csrf.exempt(routes.bp)
        app.register_blueprint(routes.bp)
