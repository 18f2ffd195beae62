"""Notifications to the team (email and/or a signed webhook) through an
outbox table: ``flask --app webapp notify send-pending`` and ``notify worker``."""

from __future__ import annotations

import os


def init_app(app, role: str = "all") -> None:
    """The public site only writes outbox rows, one per channel, and needs no
    mail password or webhook secret: it learns the channels from which of
    ``SMTP_URL`` and ``NOTIFY_WEBHOOK_URL`` are set (or ``NOTIFY_CHANNELS``).
    The staff side sends them."""
    environ = {**os.environ, **app.config.get("NOTIFY_SETTINGS", {})}
    if role == "public":
        named = environ.get("NOTIFY_CHANNELS")
        found = (
            [c.strip() for c in named.split(",") if c.strip()]
            if named is not None
            else [
                c
                for c, key in (("email", "SMTP_URL"), ("webhook", "NOTIFY_WEBHOOK_URL"))
                if environ.get(key)
            ]
        )
        unknown = set(found) - {"email", "webhook"}
        if unknown:
            raise RuntimeError(
                f"Notifications: NOTIFY_CHANNELS has {', '.join(sorted(unknown))}; "
                "use email and/or webhook"
            )
        app.extensions["notify_channels"] = tuple(found)
        return
    # The staff side sends (and so needs the secrets), and warns of breaches.
    from webapp.notify import cli, send

    try:
        senders = send.senders(environ, app.config["SITE"].team_name)
    except send.ConfigProblem as problem:
        raise RuntimeError(f"Notifications: {problem}") from None
    app.extensions["notify_senders"] = senders
    app.extensions["notify_channels"] = tuple(senders)
    app.cli.add_command(cli.notify_cli)
