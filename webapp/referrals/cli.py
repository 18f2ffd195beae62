"""``flask --app webapp keys status`` on a public instance: which key it seals
new referrals for, and nothing more. It holds no private key; the commands
that need one (export, purge, rotate, retire) are the staff side's
(``webapp/staff/keys.py``) and are not registered here at all."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from webapp import settings
from webapp.rules import sealing

public_keys_cli = AppGroup("keys", help="Which key this public instance seals referrals for.")


@public_keys_cli.command("status")
def status_command():
    """The fingerprint of the key new referrals are sealed for here."""
    sealing_with = sealing.fingerprint(current_app.extensions["referral_public_key"])
    click.echo(
        f"This public instance seals new referrals for key {sealing_with} "
        "(compare with keys status on the staff instance)."
    )
    click.echo(
        "Its SECRET_KEY fingerprint: "
        f"{settings.secret_fingerprint(current_app.config['SECRET_KEY'])} "
        f"(set {settings.SECRET_FINGERPRINT_VARIABLE} to it on the staff instances, "
        "whose own SECRET_KEY must differ)"
    )
