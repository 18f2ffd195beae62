"""``flask --app webapp staff ...``, ``audit ...`` and ``api-token ...``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask.cli import AppGroup
from sqlalchemy import delete, select

from webapp import db
from webapp.rules import credentials
from webapp.rules.contact import ROLES
from webapp.staff import api, audit
from webapp.staff.models import ApiToken, RecoveryCode, StaffUser

staff_cli = AppGroup("staff", help="Staff accounts: create, disable, reset the second factor.")
audit_cli = AppGroup("audit", help="The audit log: export it, check its chain.")
token_cli = AppGroup("api-token", help="Tokens for the JSON feed at /staff/api/referrals.")


def _now():
    return datetime.now(UTC)


def _user(email: str) -> StaffUser:
    user = db.session().scalar(select(StaffUser).where(StaffUser.email == email.lower()))
    if user is None:
        raise click.ClickException(f"No staff account for {email}")
    return user


def _enrol(user: StaffUser) -> None:
    """A new TOTP secret and new recovery codes, printed once."""
    user.totp_secret = credentials.new_totp_secret()
    user.totp_last_step = None
    session = db.session()
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = credentials.new_recovery_codes()
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=credentials.hash_recovery_code(code)))
    session.commit()
    click.echo(f"TOTP secret: {user.totp_secret}")
    click.echo(f"TOTP URI: {credentials.totp_uri(user.totp_secret, user.email)}")
    click.echo("Recovery codes (each works once; keep them somewhere safe):")
    for code in codes:
        click.echo(f"  {code}")


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="officer", show_default=True)
@click.password_option(help="Asked for twice when not given.")
def create_command(email, role, password):
    """Create a staff account with a password and a second factor."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.ClickException("Give the officer's email address")
    session = db.session()
    if session.scalar(select(StaffUser).where(StaffUser.email == email)):
        raise click.ClickException(f"{email} already has an account")
    try:
        password_hash = credentials.hash_password(password)
    except ValueError as problem:
        raise click.ClickException(str(problem)) from None
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
    audit.record(session, "cli", "staff.create", None, _now(), detail=f"{email} as {role}")
    _enrol(user)  # commits the account, its second factor and the audit entry together


@staff_cli.command("disable")
@click.argument("email")
def disable_command(email):
    """Stop an account signing in."""
    user = _user(email)
    user.active = False
    audit.record(db.session(), "cli", "staff.disable", None, _now(), detail=user.email)
    db.session().commit()
    click.echo(f"{user.email} can no longer sign in.")


@staff_cli.command("reset-2fa")
@click.argument("email")
def reset_2fa_command(email):
    """Give an account a new second factor and new recovery codes."""
    user = _user(email)
    user.failed_logins, user.locked_until = 0, None
    audit.record(db.session(), "cli", "staff.reset_2fa", None, _now(), detail=user.email)
    _enrol(user)


@audit_cli.command("export")
def export_command():
    """Print the audit log as JSON lines."""
    for entry in audit.entries(db.session()):
        sys.stdout.write(audit.as_json(entry) + "\n")


@audit_cli.command("verify")
def verify_command():
    """Check the hash chain; exit 1 if anything was changed or removed."""
    verdict = audit.verify(db.session())
    if verdict.intact:
        click.echo(f"Audit log intact: {verdict.checked} entries.")
        return
    where = f"at entry {verdict.broken_at}" if verdict.broken_at else "at the end (entries removed)"
    click.echo(f"Audit log broken {where}.", err=True)
    sys.exit(1)


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
        "cli",
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
    audit.record(session, "cli", "api_token.revoke", None, _now(), f"name={name}")
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
