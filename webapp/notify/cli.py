"""``flask --app webapp notify send-pending | worker | status``."""

from __future__ import annotations

import logging
import signal
import sys
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from webapp import db
from webapp.clock import now
from webapp.notify import outbox
from webapp.notify.models import Notification
from webapp.rules import due as due_rules

notify_cli = AppGroup("notify", help="Notifications to the team: send what waits.")
log = logging.getLogger(__name__)


def one_round() -> outbox.Outcome:
    """Queue the breach warnings that are due, then send everything waiting."""
    site = current_app.config["SITE"]
    senders = current_app.extensions["notify_senders"]
    session = db.session()
    outbox.queue_breach_warnings(
        session,
        senders,
        now(),
        timedelta(hours=site.warn_hours_before_due),
        site.office_hours,
        due_rules.bank_holidays(site.holidays_subdivision),
    )
    return outbox.send_pending(session, senders, now)


@notify_cli.command("send-pending")
def send_pending_command():
    """Send what is waiting once (a scheduler can run this every minute).

    Exits 1 when something failed to send: it stays waiting for the next try."""
    if not current_app.extensions["notify_senders"]:
        click.echo(
            "No channel is configured (set SMTP_URL and NOTIFY_EMAIL_TO, "
            "or NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET)."
        )
    outcome = one_round()
    click.echo(f"Sent {outcome.sent}, failed {outcome.failed}, still waiting {outcome.waiting}.")
    db.session().remove()
    sys.exit(1 if outcome.failed else 0)


CHECKPOINT_EVERY = 3600  # seconds between audit checkpoints in the worker's output


def write_checkpoint() -> None:
    """The audit chain's head, written to the worker's output (the system log
    under systemd), where the database cannot reach: ``audit verify
    --checkpoints`` checks the chain against every one kept."""
    from webapp.rules import audit as chain
    from webapp.rules.credentials import AUDIT_KEY
    from webapp.staff import audit
    from webapp.staff.secret import key

    point = audit.checkpoint(db.session())
    if point is not None:
        click.echo(chain.checkpoint_line(key(AUDIT_KEY), point))


@notify_cli.command("worker")
@click.option("--interval", default=30, show_default=True, help="Seconds between rounds.")
def worker_command(interval):
    """Send what waits, every INTERVAL seconds, until stopped (SIGTERM or Ctrl-C)."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo(
        f"Notification worker: every {interval} s, channels: "
        f"{', '.join(current_app.extensions['notify_senders']) or 'none'}"
    )
    next_checkpoint = 0.0
    try:
        while not stopping:
            try:
                if time.monotonic() >= next_checkpoint:
                    write_checkpoint()
                    next_checkpoint = time.monotonic() + CHECKPOINT_EVERY
                outcome = one_round()
                if outcome.sent or outcome.failed:
                    log.info(
                        "notifications: sent %s, failed %s, waiting %s",
                        outcome.sent,
                        outcome.failed,
                        outcome.waiting,
                    )
            except Exception:  # the database away for a moment: try again next round
                log.exception("notification round failed")
                db.session().rollback()
            finally:
                db.session().remove()
            for _ in range(interval * 10):
                if stopping:
                    break
                time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    click.echo("Notification worker stopped.")


@notify_cli.command("status")
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=1),
    metavar="MINUTES",
    help="Exit 1 if a notification has waited longer than this (for monitoring).",
)
def status_command(older_than):
    """How many notifications wait, by channel, and the last error."""
    session = db.session()
    rows = session.execute(
        select(
            Notification.channel,
            func.count(),
            func.min(Notification.created_at),
            func.max(Notification.tries),
        )
        .where(Notification.sent_at.is_(None))
        .group_by(Notification.channel)
    ).all()
    if not rows:
        click.echo("Nothing waiting.")
    for channel, count, oldest, tries in rows:
        last = session.scalar(
            select(Notification.last_error)
            .where(Notification.channel == channel, Notification.sent_at.is_(None))
            .order_by(Notification.id.desc())
            .limit(1)
        )
        click.echo(
            f"{channel}: {count} waiting, oldest from {oldest.isoformat()}, "
            f"up to {tries} tries; last error: {last or '-'}"
        )
    stale = [
        oldest
        for _, _, oldest, _ in rows
        if older_than and now() - oldest > timedelta(minutes=older_than)
    ]
    if stale:
        click.echo(
            f"A notification has waited more than {older_than} minutes: the team may "
            "not be hearing of new referrals.",
            err=True,
        )
        sys.exit(1)
