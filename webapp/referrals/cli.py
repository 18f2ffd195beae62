"""``flask --app webapp referrals export`` and ``flask --app webapp keys generate``."""

from __future__ import annotations

import json
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from webapp import clock, db
from webapp.referrals import retention, sealing, store

referrals_cli = AppGroup("referrals", help="Referrals: export them, purge old closed ones.")
keys_cli = AppGroup("keys", help="The key pair that seals referrals.")


def refuse_on_public(what: str) -> None:
    if current_app.config["QD_ROLE"] == "public":
        raise click.ClickException(
            f"This is a public instance (QD_ROLE=public): it cannot {what}. "
            "Run this on the staff instance, which holds the private key.")


@referrals_cli.command("export")
def export_command():
    """Print every referral as one JSON line, opened with the private key."""
    refuse_on_public("open referrals")
    try:
        private_key = sealing.load_private_key(current_app.instance_path, os.environ)
    except sealing.KeyProblem as problem:
        raise click.ClickException(str(problem)) from None
    for referral in store.all_referrals(db.session()):
        opened = sealing.unseal(private_key, referral.sealed)
        record = {
            "reference": referral.reference,
            "kind": referral.kind,
            "received_at": referral.received_at.isoformat(),
            "due_at": referral.due_at.isoformat(),
            "promise_at": referral.promise_at.isoformat(),
            "safe_window_end": referral.window_end.isoformat() if referral.window_end else None,
            "flags": referral.flag_list,
            "priority": referral.priority,
            "status": referral.status,
            "language": referral.language,
            "contact": opened["contact"],
            "answers": opened["answers"],
        }
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@referrals_cli.command("purge")
@click.option("--days", type=int, help="Override retention_days from the settings.")
@click.option("--dry-run", is_flag=True, help="Say what would go; remove nothing.")
def purge_command(days, dry_run):
    """Remove closed referrals older than retention_days (default 365).

    Anonymous counts stay for the reports, and the audit log keeps its entries."""
    refuse_on_public("purge referrals")
    days = days or current_app.config["SITE"].retention_days
    if days < 1:
        raise click.ClickException("--days must be at least 1")
    removed = retention.purge(db.session(), clock.now(), days, dry_run)
    verb = "Would purge" if dry_run else "Purged"
    click.echo(f"{verb} {len(removed)} closed referral(s) closed more than {days} days ago.")


@keys_cli.command("generate")
@click.option("--folder", type=click.Path(file_okay=False),
              help="Where to write the pair (default: the instance folder).")
def generate_command(folder):
    """Make a new key pair. The private key goes only to the staff machine."""
    refuse_on_public("make a key pair (the private key must never be on it)")
    folder = folder or current_app.instance_path
    try:
        public_key = sealing.generate_keypair(folder)
    except FileExistsError:
        raise click.ClickException(
            f"A private key already exists in {folder}; move it away first") from None
    click.echo(f"Private key: {os.path.join(folder, sealing.PRIVATE_KEY_FILE)} (keep it secret)")
    click.echo(f"Public key (QD_PUBLIC_KEY): {sealing.encode_key(public_key)}")
