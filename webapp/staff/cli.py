"""``flask --app webapp staff ...``, ``audit ...``, ``api-token ...``, and
``content import`` and ``content export``."""

from __future__ import annotations

import getpass
import os
import pathlib
import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import delete, select

from webapp import clock, db
from webapp.content.library import KINDS
from webapp.rules import audit as chain
from webapp.rules import credentials
from webapp.rules.contact import ROLES
from webapp.staff import api, audit, lockout, publishing, sessions
from webapp.staff.models import ApiToken, AuditEntry, RecoveryCode, StaffUser
from webapp.staff.secret import key

staff_cli = AppGroup(
    "staff",
    help="Staff accounts: create, set a password, disable, enable, reset the second "
    "factor, new recovery codes.",
)
audit_cli = AppGroup("audit", help="The audit log: export it, check its chain.")
token_cli = AppGroup("api-token", help="Tokens for the JSON feed at /staff/api/referrals.")


def _now():
    return datetime.now(UTC)


def operator() -> str:
    """Who ran a command, for the audit log: "cli:" and the machine's user name."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        name = f"uid {os.getuid()}"
    return f"cli:{name}"


def _user(email: str) -> StaffUser:
    user = db.session().scalar(select(StaffUser).where(StaffUser.email == email.lower()))
    if user is None:
        raise click.ClickException(f"No staff account for {email}")
    return user


def ask_password(email: str) -> str:
    """A new password, typed twice at a prompt (never on the command line,
    where ``ps`` and the shell's history would keep it), refused with the
    reason until it will do."""
    while True:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        problem = credentials.password_problem(password, (email, email.split("@")[0]))
        if problem is None:
            return password
        click.echo(problem, err=True)
        if not sys.stdin.isatty():  # a script: no second chance to type
            raise click.ClickException("The password was refused")


def new_recovery_codes(user: StaffUser) -> list[str]:
    """Replace the account's recovery codes; the new ones, to print once."""
    session = db.session()
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = credentials.new_recovery_codes()
    recovery_key = key(credentials.RECOVERY_KEY)
    for code in codes:
        session.add(
            RecoveryCode(
                user_id=user.id, code_hash=credentials.hash_recovery_code(recovery_key, code)
            )
        )
    return codes


def print_codes(codes: list[str]) -> None:
    click.echo("Recovery codes (each works once; keep them somewhere safe):")
    for code in codes:
        click.echo(f"  {code}")


def _enrol(user: StaffUser) -> None:
    """A new TOTP secret and new recovery codes, committed, then printed once."""
    seed = credentials.new_totp_secret()
    user.totp_secret = credentials.seal_seed(key(credentials.SEED_KEY), seed)
    user.totp_last_step = None
    codes = new_recovery_codes(user)
    db.session().commit()
    click.echo(f"TOTP secret: {seed}")
    click.echo(f"TOTP URI: {credentials.totp_uri(seed, user.email)}")
    print_codes(codes)


def end_sessions(user: StaffUser) -> None:
    ended = sessions.end_all(db.session(), user.id)
    if ended:
        click.echo(f"Signed out of {ended} session(s).")


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="officer", show_default=True)
def create_command(email, role):
    """Create a staff account: a password (asked for twice) and a second factor."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.ClickException("Give the officer's email address")
    session = db.session()
    if session.scalar(select(StaffUser).where(StaffUser.email == email)):
        raise click.ClickException(f"{email} already has an account")
    password_hash = credentials.hash_password(ask_password(email))
    user = StaffUser(
        email=email,
        role=role,
        password_hash=password_hash,
        totp_secret="",
        active=True,
        failed_logins=0,
        created_at=_now(),
    )
    session.add(user)
    session.flush()
    audit.record(session, operator(), "staff.create", None, _now(), detail=f"{email} as {role}")
    _enrol(user)  # commits the account, its second factor and the audit entry together


@staff_cli.command("set-password")
@click.argument("email")
def set_password_command(email):
    """Give an account a new password (asked for twice); signs it out everywhere."""
    user = _user(email)
    user.password_hash = credentials.hash_password(ask_password(user.email))
    end_sessions(user)
    audit.record(db.session(), operator(), "staff.set_password", None, _now(), detail=user.email)
    db.session().commit()
    click.echo(f"{user.email} has a new password.")


@staff_cli.command("disable")
@click.argument("email")
def disable_command(email):
    """Stop an account signing in; signs it out everywhere at once."""
    user = _user(email)
    user.active = False
    end_sessions(user)
    audit.record(db.session(), operator(), "staff.disable", None, _now(), detail=user.email)
    db.session().commit()
    click.echo(f"{user.email} can no longer sign in.")


@staff_cli.command("enable")
@click.argument("email")
def enable_command(email):
    """Let a disabled account sign in again (with its password and second factor)."""
    user = _user(email)
    user.active = True
    audit.record(db.session(), operator(), "staff.enable", None, _now(), detail=user.email)
    db.session().commit()
    click.echo(f"{user.email} can sign in again.")


@staff_cli.command("reset-2fa")
@click.argument("email")
def reset_2fa_command(email):
    """Give an account a new second factor and new recovery codes; signs it
    out everywhere and forgets its failed sign-ins."""
    user = _user(email)
    lockout.clear_all(db.session(), user.id)
    end_sessions(user)
    audit.record(db.session(), operator(), "staff.reset_2fa", None, _now(), detail=user.email)
    _enrol(user)


@staff_cli.command("recovery-codes")
@click.argument("email")
def recovery_codes_command(email):
    """Give an account new recovery codes (the old ones stop working)."""
    user = _user(email)
    codes = new_recovery_codes(user)
    audit.record(db.session(), operator(), "staff.recovery_codes", None, _now(), detail=user.email)
    db.session().commit()
    print_codes(codes)


@staff_cli.command("seal-seeds")
def seal_seeds_command():
    """Seal every one-time-code seed still kept in clear (once, after upgrading)."""
    seed_key = key(credentials.SEED_KEY)
    sealed = 0
    for user in db.session().scalars(select(StaffUser)):
        if user.totp_secret and not credentials.is_sealed_seed(user.totp_secret):
            user.totp_secret = credentials.seal_seed(seed_key, user.totp_secret)
            sealed += 1
    audit.record(
        db.session(), operator(), "staff.seal_seeds", None, _now(), detail=f"{sealed} sealed"
    )
    db.session().commit()
    click.echo(f"Sealed {sealed} seed(s); none is kept in clear now.")


@audit_cli.command("export")
def export_command():
    """Print the audit log as JSON lines."""
    for entry in audit.entries(db.session()):
        sys.stdout.write(audit.as_json(entry) + "\n")


@audit_cli.command("verify")
@click.option(
    "--checkpoints",
    "checkpoint_file",
    type=click.File("r"),
    help="A file (the system log, say) whose checkpoint lines the chain must match.",
)
def verify_command(checkpoint_file):
    """Check the chain, its head and any checkpoints; exit 1 if anything was
    changed, removed or cut."""
    audit_key = key(credentials.AUDIT_KEY)
    points, forged = [], 0
    for line in checkpoint_file or ():
        if "qd-audit-checkpoint" not in line:
            continue
        point = chain.read_checkpoint(audit_key, line)
        if point is None:
            forged += 1
        else:
            points.append(point)
    verdict = audit.verify(db.session(), audit_key, points)
    if forged:
        click.echo(
            f"{forged} checkpoint line(s) have a wrong MAC: not written by this service.", err=True
        )
    if verdict.intact and not forged:
        against = f", matching {len(points)} checkpoint(s)" if points else ""
        click.echo(f"Audit log intact: {verdict.checked} entries{against}.")
        return
    where = f" at entry {verdict.broken_at}" if verdict.broken_at else ""
    click.echo(f"Audit log broken{where}: {verdict.reason or 'checkpoint MAC'}.", err=True)
    sys.exit(1)


@audit_cli.command("checkpoint")
def checkpoint_command():
    """Print the chain's state as a checkpoint line to keep outside the
    database (send it to the system log: ``... | logger -t quietdoor``)."""
    point = audit.checkpoint(db.session())
    if point is None:
        click.echo("The audit log is empty: nothing to checkpoint yet.")
        return
    click.echo(chain.checkpoint_line(key(credentials.AUDIT_KEY), point))


@audit_cli.command("acknowledge")
@click.argument("entry_id", type=int)
@click.option("--note", required=True, help="What was found (kept in the log).")
def acknowledge_command(entry_id, note):
    """Record that a restored head (audit verify names its entry) was looked into."""
    session = db.session()
    found = session.get(AuditEntry, entry_id)
    if found is None or found.action != chain.HEAD_RESTORED:
        raise click.ClickException(f"Entry {entry_id} is not a restored head")
    audit.record(session, operator(), chain.ACKNOWLEDGED, str(entry_id), _now(), note[:500])
    session.commit()
    click.echo(f"Acknowledged entry {entry_id}.")


@token_cli.command("create")
@click.argument("name")
@click.option(
    "--days",
    type=click.IntRange(1, api.DAYS_MAX),
    default=api.DAYS_DEFAULT,
    show_default=True,
    help="How many days the token works; make the next one before it expires.",
)
@click.option(
    "--scope",
    type=click.Choice(api.SCOPES),
    default="all",
    show_default=True,
    help="all: every referral; open: open referrals only.",
)
def token_create_command(name, days, scope):
    """Make a token for the JSON feed; it is printed once, on the last line."""
    name = name.strip()
    session = db.session()
    if not name or len(name) > 80:
        raise click.ClickException("Give the token a name of up to 80 characters")
    if session.scalar(select(ApiToken).where(ApiToken.name == name)):
        raise click.ClickException(
            f"A token called {name} exists: revoke it, or choose another name"
        )
    row, token = api.make_token(name, days, scope)
    session.add(row)
    audit.record(
        session,
        operator(),
        "api_token.create",
        None,
        row.created_at,
        f"name={name} scope={scope} expires={row.expires_at.date().isoformat()}",
    )
    session.commit()
    reads = "every referral" if scope == "all" else "open referrals only"
    click.echo(f"Token for {name}: reads {reads}; {api.expiry(row)}.")
    click.echo("Shown once (it is stored only as a hash):")
    click.echo(token)


@token_cli.command("revoke")
@click.argument("name")
def token_revoke_command(name):
    """Stop a token working."""
    session = db.session()
    found = session.scalar(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    )
    if found is None:
        raise click.ClickException(f"No working token called {name}")
    found.revoked_at = _now()
    audit.record(session, operator(), "api_token.revoke", None, _now(), f"name={name}")
    session.commit()
    click.echo(f"Revoked {name}.")


@token_cli.command("list")
def token_list_command():
    """The tokens: what each reads, when it was made, expires and was last used."""
    for found in db.session().scalars(select(ApiToken).order_by(ApiToken.name)):
        used = found.last_used_at.isoformat() if found.last_used_at else "never"
        click.echo(
            f"{found.name}\t{api.state(found)}\tscope {found.scope}"
            f"\tmade {found.created_at.isoformat()}\t{api.expiry(found)}\tlast used {used}"
        )


# ``flask content import`` and ``export``: on a staff instance only (a public
# instance's database user cannot write content, and it loads no staff code).


@click.command("import")
@with_appcontext
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=pathlib.Path))
def content_import_command(folder):
    """Publish the files under FOLDER (KIND/SLUG.LANG.md, as content/ holds
    them) whose text differs from what is published: all of them, or none if
    one is broken. Each is in the audit log, as approved by whoever ran it."""
    site = current_app.config["SITE"]
    session = db.session()
    errors, versions = publishing.import_folder(
        session,
        folder,
        operator(),
        clock.now(),
        site.languages,
        clock.today(),
        areas=site.areas,
        production=current_app.config.get("QD_ENV") == "production",
    )
    if errors:
        session.rollback()
        for line in errors:
            click.echo(f"error: {line}")
        raise click.ClickException(f"Nothing was published: {len(errors)} error(s).")
    if not versions:  # nothing changed: the serial stays, and no instance drops its pages
        session.rollback()
    else:
        session.commit()
        current_app.extensions["content"].forget()
    for version in versions:
        click.echo(f"published {version.kind}/{version.filename} (#{version.id})")
    click.echo(f"{len(versions)} version(s) published; every instance shows them within a second.")


@click.command("export")
@with_appcontext
@click.argument("folder", type=click.Path(file_okay=False, path_type=pathlib.Path))
def content_export_command(folder):
    """Write what is published to FOLDER/KIND/SLUG.LANG.md (files already
    there are overwritten; none is deleted)."""
    written = publishing.export(db.session(), folder)
    click.echo(f"{len(written)} file(s) written under {folder}.")


@click.command("unpublish")
@with_appcontext
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("slug")
@click.option(
    "--lang",
    default="en",
    show_default=True,
    help="One language; the English takes every language down.",
)
def content_unpublish_command(kind, slug, lang):
    """Take a published page, campaign or local service down at once (the
    editor does this for pages and campaigns; local services, such as the
    demo's examples, are taken down here). Audited."""
    session = db.session()
    try:
        taken = publishing.unpublish(session, kind, slug, lang, operator(), clock.now())
    except publishing.Refused:
        session.rollback()
        raise click.ClickException(f"Nothing published as {kind}/{slug}.{lang}.md") from None
    session.commit()
    current_app.extensions["content"].forget()
    for version in taken:
        click.echo(f"taken down {version.kind}/{version.filename} (#{version.id})")
    click.echo("Every instance stops showing it within a second.")


def content_cli() -> AppGroup:
    """The ``content`` commands on a staff instance: the shared ones (check),
    import and export."""
    from webapp.content.cli import content_cli as shared

    group = AppGroup("content", help=shared.help)
    for name, command in shared.commands.items():
        group.add_command(command, name)
    group.add_command(content_import_command)
    group.add_command(content_export_command)
    group.add_command(content_unpublish_command)
    return group
