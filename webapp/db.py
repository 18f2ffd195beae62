"""The database: one SQLAlchemy engine per app, schema changes through Alembic.

SQLite is the embedded default (a file in the instance folder); PostgreSQL
through psycopg 3 in production. ``flask --app webapp db upgrade`` brings the
schema to the newest migration; nothing creates tables behind Alembic's back.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import DateTime, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class UTCDateTime(TypeDecorator):
    """A moment in time: stored as UTC, always read back timezone-aware.

    (SQLite keeps no time zone; PostgreSQL's ``timestamptz`` does. This makes
    both give the same answer.)
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


def normalise_url(url: str) -> str:
    """Let ``postgres://`` and ``postgresql://`` mean psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_file(url: str) -> Path | None:
    """The database file of a ``sqlite:///`` address (None in memory)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_private_file(path: Path) -> None:
    """Make an empty SQLite database readable by its owner only (0600), in
    a folder only they can enter when it is made here. SQLite gives its
    -wal and -shm files the same mode as the database file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another worker made it first
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})
        path = sqlite_file(url)

        @event.listens_for(engine, "do_connect")
        def _private_file(_dialect, _record, _args, _params):
            # Before SQLite makes the file itself, with the umask's mode (often 0644).
            if path is not None and not path.exists():
                create_private_file(path)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA secure_delete=ON")  # purged rows leave no bytes behind
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


# The content folder of the app each engine belongs to: the first migration
# that keeps content in the database loads its files (0010_content.py).
CONTENT_FOLDERS: weakref.WeakKeyDictionary[Engine, Path] = weakref.WeakKeyDictionary()


def alembic_config(engine: Engine) -> Config:
    # Imported here: only the migration commands need Alembic, and a web
    # worker that never loads it is some 12 MB smaller.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    config.attributes["content_dir"] = CONTENT_FOLDERS.get(engine)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not answering"; the caller says so
        return False
    return True


def forget_connections(engine: Engine | None) -> None:
    """In a forked child: drop the parent's pooled connections without closing
    them (they still belong to the parent)."""
    if engine is not None:
        engine.dispose(close=False)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    # gunicorn loads the app once and forks its workers (preload_app): a
    # worker must never use a connection its parent opened. (A weak reference,
    # so that the tests' many apps are not all kept alive.)
    weak = weakref.ref(engine)
    os.register_at_fork(after_in_child=lambda: forget_connections(weak()))
    app.extensions["db_engine"] = engine
    app.extensions["db_session"] = scoped_session(sessionmaker(bind=engine))

    @app.teardown_appcontext
    def remove_session(_exc):
        app.extensions["db_session"].remove()

    app.cli.add_command(db_cli)


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def session():
    return current_app.extensions["db_session"]


db_cli = AppGroup("db", help="Create and migrate the database.")


@db_cli.command("upgrade", help="Bring the schema to the newest migration.")
def upgrade_command():
    upgrade(engine())
    click.echo("Database is up to date.")


# What the public instance may do, and nothing more: keep drafts, add a
# referral and its notifications, and the public side of the way back (add
# one with its referral, read its locks, set a second lock, count failed
# tries, keep visits, add her entries and read back only her sealed copies,
# and close it: new random locks, her copies emptied). Reading ``id`` is only
# for INSERT ... RETURNING (and the order of her entries). Notifications are
# added with a bare ON CONFLICT DO NOTHING: naming the conflict would need
# SELECT on their references. A new entry names only the columns it sets, so
# it cannot say who dealt with it. A public server taken over can then read
# no referral's details, no reference but a way back's, no entry's copy for
# the team nor when it is due or who dealt with it; it can change or delete
# no referral and no entry (but for her own copies, which closing empties, as
# it replaces the locks), and never sees a staff account or the audit log.
# What it can read of a way back is ciphertext, and locks that open only with
# her passphrase. Of the content it reads what is published (a view) and the
# serial that says when that changed: no draft, no history, no author.
PUBLIC_GRANTS = (
    "GRANT SELECT, INSERT, UPDATE, DELETE ON draft TO {role}",
    "GRANT INSERT, SELECT (id) ON referral TO {role}",
    "GRANT INSERT, SELECT (id) ON notification TO {role}",
    "GRANT SELECT, INSERT, UPDATE (lock, pressure_lock, closed_at) ON way_back TO {role}",
    "GRANT INSERT (referral_id, at, kind, by_resident, for_resident, for_staff, due_at), "
    "SELECT (id, referral_id, at, kind, by_resident, for_resident), "
    "UPDATE (for_resident) ON way_back_entry TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON way_back_try, return_visit TO {role}",
    "GRANT USAGE ON SEQUENCE {referral_seq}, {notification_seq}, {way_back_entry_seq} TO {role}",
    "GRANT SELECT ON published_content, content_serial TO {role}",
)
PUBLIC_SEQUENCES = ("referral", "notification", "way_back_entry")


def revoke_all(engine: Engine, role: str):
    """The quoting function, and the statements that first take everything
    away from ``role``: each grant command starts from nothing."""
    if engine.dialect.name != "postgresql":
        raise click.ClickException("Roles are PostgreSQL's: SQLite has no users to limit")
    quote = engine.dialect.identifier_preparer.quote
    return quote, [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quote(role)}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quote(role)}",
    ]


def grant_public(engine: Engine, role: str) -> list[str]:
    """Give ``role`` (an existing PostgreSQL role) exactly what a public
    instance needs, after taking away anything it had; the statements run."""
    quote, statements = revoke_all(engine, role)
    with engine.begin() as connection:
        sequences = {
            f"{table}_seq": connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table}
            )
            for table in PUBLIC_SEQUENCES
        }
        statements += [grant.format(role=quote(role), **sequences) for grant in PUBLIC_GRANTS]
        for statement in statements:
            connection.execute(text(statement))
    return statements


@db_cli.command("grant-public")
@click.argument("role")
def grant_public_command(role):
    """Limit ROLE, the public instance's database user, to what it needs."""
    try:
        statements = grant_public(engine(), role)
    except DBAPIError as problem:  # most often: no such role yet
        raise click.ClickException(str(problem.orig).strip()) from None
    for statement in statements:
        click.echo(statement + ";")
    click.echo(
        f"{role} can now keep drafts, add referrals and keep their ways back, and read no "
        "referral and nothing meant for the team."
    )


# What the staff instances (and their commands) may do: everything they need
# on every table, except that audit entries can only be added, never changed
# or deleted, and the head of the chain can be moved on but not removed.
# Migrations run as the tables' owner, a different user (docs/deploy.md).
STAFF_GRANTS = (
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "REVOKE UPDATE, DELETE ON audit_entry FROM {role}",
    "REVOKE DELETE ON audit_head FROM {role}",
    "REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
)


def grant_staff(engine: Engine, role: str) -> list[str]:
    """Give ``role`` (an existing PostgreSQL role, not the tables' owner) what a
    staff instance needs, after taking away anything it had; the statements run."""
    quote, statements = revoke_all(engine, role)
    statements += [grant.format(role=quote(role)) for grant in STAFF_GRANTS]
    with engine.begin() as connection:
        owner = connection.scalar(
            text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_entry'")
        )
        if owner == role:
            raise click.ClickException(
                f"{role} owns the tables, and an owner can always change them: run the "
                "staff instances as another user (docs/deploy.md)"
            )
        for statement in statements:
            connection.execute(text(statement))
    return statements


@click.command("grant-staff")
@click.argument("role")
@with_appcontext
def grant_staff_command(role):
    """Limit ROLE, the staff instances' database user: audit entries can be
    added, never changed or deleted."""
    try:
        statements = grant_staff(engine(), role)
    except DBAPIError as problem:  # most often: no such role yet
        raise click.ClickException(str(problem.orig).strip()) from None
    for statement in statements:
        click.echo(statement + ";")
    click.echo(f"{role} can now work the queue, and can add to the audit log but not change it.")


def staff_db_cli() -> AppGroup:
    """The ``db`` commands on a staff instance: the shared ones and grant-staff."""
    group = AppGroup("db", help=db_cli.help)
    for name, command in db_cli.commands.items():
        group.add_command(command, name)
    group.add_command(grant_staff_command)
    return group
