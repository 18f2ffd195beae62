"""Notifications to the team (email and/or a signed webhook) through an
outbox table: ``flask --app webapp notify send-pending`` and ``notify worker``."""

from __future__ import annotations

import os


def init_app(app) -> None:
    from webapp.notify import cli, send

    environ = {**os.environ, **app.config.get("NOTIFY_SETTINGS", {})}
    try:
        senders = send.senders(environ, app.config["SITE"].team_name)
    except send.ConfigProblem as problem:
        raise RuntimeError(f"Notifications: {problem}") from None
    app.extensions["notify_senders"] = senders
    app.cli.add_command(cli.notify_cli)


def channels(app) -> tuple[str, ...]:
    """The channels a new referral is announced on (none when none is set up)."""
    return tuple(app.extensions.get("notify_senders", {}))
