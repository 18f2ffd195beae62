"""``flask --app webapp referrals export|purge`` and ``keys generate|rotate|status|retire``:
the commands that need the private key, so the staff side's alone (a public
instance registers only ``keys status``, from ``webapp/referrals/cli.py``)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from nacl.exceptions import CryptoError
from sqlalchemy import select

from webapp import clock, db, i18n, presentation, settings
from webapp.referrals import store
from webapp.referrals.models import Referral
from webapp.rules import sealing
from webapp.staff import audit, case, retention
from webapp.staff.cli import operator
from webapp.staff.models import ContactAttempt, Note

referrals_cli = AppGroup("referrals", help="Referrals: export them, purge old closed ones.")
keys_cli = AppGroup("keys", help="The key pair that seals referrals.")
BATCH = 500  # referrals whose way back entries are read in one query


@referrals_cli.command("export")
def export_command():
    """Print every referral as one JSON line, opened with the private key
    (audited first: who ran it and how many it opens, and, for each way back
    whose contact entries it reads, how many, as the referral page audits
    reading the conversation).

    The contact rules are the ones that hold now, as the referral page and the
    feed give them (``case.latest_contact``): a change she sealed on her way
    back replaces what she first gave, each changed answer says when, and a
    stop or a pressure warning puts contact on hold."""
    keyring, unopened = keyring_or_fail(), []
    session, actor, moment = db.session(), operator(), clock.now()
    referrals = list(store.all_referrals(session))
    read: dict[int, list] = {}
    for start in range(0, len(referrals), BATCH):
        read.update(case.contact_entries([r.id for r in referrals[start : start + BATCH]]))
    audit.record(session, actor, "referral.export", None, moment, f"{len(referrals)} referral(s)")
    for referral in referrals:
        if read.get(referral.id):
            audit.record(
                session,
                actor,
                "referral.conversation",
                referral.reference,
                moment,
                f"entries={len(read[referral.id])}",
            )
    session.commit()
    with force_locale(i18n.DEFAULT):  # the page's words, in English: no request here
        warnings = {rule: str(presentation.ENTRIES[kind]) for rule, kind in case.ON_HOLD.items()}
    for referral in referrals:
        try:
            opened = sealing.unseal(keyring, referral.sealed)
        except CryptoError:
            unopened.append(referral.reference)
            continue
        latest = case.latest_contact(opened["contact"], case.followed(read.get(referral.id, ())))
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
            # contact (as it holds now), contact_changed_at, contact_changed
            # (each answer she changed, and when), contact_on_hold
            **latest,
            "contact_warnings": [warnings[rule] for rule in latest["contact_on_hold"]],
            "answers": opened["answers"],
        }
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    if unopened:
        raise click.ClickException(
            f"{len(unopened)} referral(s) open with none of the keys held here and were "
            f"left out: {', '.join(unopened)} (see flask --app webapp keys status)"
        )


@referrals_cli.command("purge")
@click.option("--days", type=int, help="Override retention_days from the settings.")
@click.option("--dry-run", is_flag=True, help="Say what would go; remove nothing.")
def purge_command(days, dry_run):
    """Remove closed referrals older than retention_days (default 365).

    Anonymous counts stay for the reports, and the audit log keeps its entries."""
    days = days or current_app.config["SITE"].retention_days
    if days < 1:
        raise click.ClickException("--days must be at least 1")
    removed = retention.purge(db.session(), clock.now(), days, dry_run, actor=operator())
    verb = "Would purge" if dry_run else "Purged"
    click.echo(f"{verb} {len(removed)} closed referral(s) closed more than {days} days ago.")


@keys_cli.command("generate")
@click.option(
    "--folder",
    type=click.Path(file_okay=False),
    help="Where to write the pair (default: the instance folder).",
)
def generate_command(folder):
    """Make a new key pair. The private key goes only to the staff machine."""
    folder = folder or current_app.instance_path
    try:
        public_key = sealing.generate_keypair(folder)
    except FileExistsError:
        raise click.ClickException(
            f"A private key already exists in {folder}; move it away first"
        ) from None
    click.echo(f"Private key: {os.path.join(folder, sealing.PRIVATE_KEY_FILE)} (keep it secret)")
    click.echo(
        f"Key {sealing.fingerprint(public_key)}. "
        f"Public key (QD_PUBLIC_KEY): {sealing.encode_key(public_key)}"
    )


def echo_secret_fingerprint() -> None:
    """This instance's SECRET_KEY by its fingerprint, and whether it differs
    from the public instances' (QD_PUBLIC_SECRET_FINGERPRINT), as it must."""
    own = settings.secret_fingerprint(current_app.config["SECRET_KEY"])
    public = os.environ.get(settings.SECRET_FINGERPRINT_VARIABLE, "").strip().lower()
    if not public:
        verdict = f"{settings.SECRET_FINGERPRINT_VARIABLE} not set: cannot compare"
    elif public == own:
        verdict = "THE SAME as the public instances': give this instance its own SECRET_KEY"
    else:
        verdict = "not the public instances' key"
    click.echo(f"This instance's SECRET_KEY fingerprint: {own} ({verdict})")


def key_file() -> Path:
    return sealing.private_key_path(current_app.instance_path, os.environ)


def keyring_or_fail() -> sealing.Keyring:
    try:
        return sealing.load_keyring(current_app.instance_path, os.environ)
    except sealing.KeyProblem as problem:
        raise click.ClickException(str(problem)) from None


def count_by_key(keyring: sealing.Keyring) -> tuple[list[int], int]:
    """How many stored sealed things (referrals, notes, override reasons) each
    key opens, and how many none of them opens."""
    counts, unopened = [0] * len(keyring.keys), 0
    session = db.session()
    for column in (Referral.sealed, Note.sealed, ContactAttempt.sealed_reason):
        for sealed in session.scalars(
            select(column).where(column.is_not(None)).execution_options(yield_per=500)
        ):
            index = keyring.index_of(sealed)
            if index is None:
                unopened += 1
            else:
                counts[index] += 1
    return counts, unopened


@keys_cli.command("rotate")
def rotate_command():
    """Put a new current key in front of the old ones in the key file.

    New referrals are sealed for it once the public instances have its public
    key; the old keys stay in the file to open what was sealed before."""
    path = key_file()
    keyring_or_fail()  # the file must be there and readable first
    try:
        keyring = sealing.rotate(path)
    except sealing.KeyProblem as problem:
        raise click.ClickException(str(problem)) from None
    current = keyring.current.public_key
    audit.record(
        db.session(),
        operator(),
        "keys.rotate",
        None,
        clock.now(),
        f"new current key {sealing.fingerprint(current)}",
    )
    db.session().commit()
    click.echo(
        f"New current key {sealing.fingerprint(current)} written to {path}; "
        f"{len(keyring.keys) - 1} older key(s) kept to open older referrals."
    )
    click.echo(f"Public key (QD_PUBLIC_KEY): {sealing.encode_key(current)}")
    click.echo(
        "Next: set QD_PUBLIC_KEY to it on every instance, restart them (staff "
        "first), then check with: flask --app webapp keys status"
    )


@keys_cli.command("status")
def status_command():
    """Each private key, how much it opens, and which key this instance seals
    with; exit 1 if something stored opens with none of them."""
    public_key = current_app.extensions["referral_public_key"]
    keyring = keyring_or_fail()
    counts, unopened = count_by_key(keyring)
    click.echo(f"Key file {key_file()}: {len(keyring.keys)} key(s)")
    for index, (key, count) in enumerate(zip(keyring.keys, counts, strict=True)):
        state = "current" if index == 0 else "retired"
        click.echo(f"  {sealing.fingerprint(key)}  {state:<8} opens {count} sealed item(s)")
    if public_key is None:
        click.echo(
            "This instance has no QD_PUBLIC_KEY: set it to the key the public instances "
            "seal for, so that this command can compare them"
        )
    else:
        sealing_with = sealing.fingerprint(public_key)
        click.echo(
            f"This instance's QD_PUBLIC_KEY: {sealing_with}"
            + (
                " (the current key)"
                if sealing_with == sealing.fingerprint(keyring.current)
                else " (NOT the current key: set QD_PUBLIC_KEY)"
            )
        )
    echo_secret_fingerprint()
    if unopened:
        click.echo(
            f"{unopened} sealed item(s) open with none of these keys: a public "
            "instance may be sealing for a key that is not here.",
            err=True,
        )
        sys.exit(1)


@keys_cli.command("retire")
@click.argument("fingerprint")
def retire_command(fingerprint):
    """Remove an old key from the key file, once nothing stored needs it."""
    public_key = current_app.extensions["referral_public_key"]
    if public_key is None:
        raise click.ClickException(
            "Set QD_PUBLIC_KEY on this instance to the key the public instances seal for "
            "first: retire never removes that key"
        )
    if fingerprint == sealing.fingerprint(public_key):
        raise click.ClickException(
            f"This instance's QD_PUBLIC_KEY is {fingerprint}: set the new public key "
            "everywhere first (flask --app webapp keys status)"
        )
    # Under the lock, reading the file afresh: a rotate meanwhile is never undone.
    with sealing.key_file_lock(key_file()):
        keyring = keyring_or_fail()
        names = [sealing.fingerprint(key) for key in keyring.keys]
        if fingerprint not in names:
            raise click.ClickException(
                f"No key {fingerprint} in {key_file()} (there are: {', '.join(names)})"
            )
        index = names.index(fingerprint)
        if index == 0:
            raise click.ClickException(
                "That is the current key: rotate first, then retire the old one"
            )
        still = count_by_key(keyring)[0][index]
        if still:
            raise click.ClickException(
                f"Key {fingerprint} still opens {still} stored item(s). Keep it until the "
                "retention purge has removed them (flask --app webapp referrals purge)."
            )
        try:
            sealing.write_keyring(
                key_file(),
                sealing.Keyring([key for key in keyring.keys if key is not keyring.keys[index]]),
            )
        except sealing.KeyProblem as problem:
            raise click.ClickException(str(problem)) from None
    audit.record(
        db.session(), operator(), "keys.retire", None, clock.now(), f"retired key {fingerprint}"
    )
    db.session().commit()
    click.echo(
        f"Retired key {fingerprint}; {len(keyring.keys) - 1} key(s) left. "
        "Destroy any other copy of it (backups of the key file) as your policy says."
    )
