"""Failed passwords and codes, counted per account and per client.

Five failures for one account from one client (a keyed hash of its address)
within 15 minutes lock that account for that client for 15 minutes. Someone
who knows an officer's email can lock themselves out, never the officer
signing in from where she always does; a guesser spread over many addresses
is slowed by the per-client rate limit on the sign-in pages and shows in
the audit log (every failure and every lock is recorded). The count is one
atomic statement (an upsert that returns the new count), so failures sent
at the same moment are each counted. Takes a database session; no Flask.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from webapp.rules.credentials import LOCKOUT, MAX_FAILURES
from webapp.staff.models import SignInFailure

INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def locked(session: Session, user_id: int, client: str, now: datetime) -> bool:
    until = session.scalar(
        select(SignInFailure.locked_until).where(
            SignInFailure.user_id == user_id, SignInFailure.client == client
        )
    )
    return until is not None and until > now


def failed(session: Session, user_id: int, client: str, now: datetime) -> bool:
    """Count a failure; True when it locks the account for this client. The
    caller commits."""
    table = SignInFailure.__table__
    insert = INSERTS[session.get_bind().dialect.name]
    stale = table.c.first_at < now - LOCKOUT  # an old run of failures starts again
    statement = insert(table).values(
        user_id=user_id, client=client, failures=1, first_at=now, locked_until=None
    )
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.client],
        set_={
            "failures": case((stale, 1), else_=table.c.failures + 1),
            "first_at": case((stale, now), else_=table.c.first_at),
        },
    ).returning(table.c.failures)
    failures = session.execute(statement).scalar_one()
    if failures < MAX_FAILURES:
        return False
    # The one request that reached the limit (or any after it) sets the lock
    # and starts the count again.
    return (
        session.execute(
            update(SignInFailure)
            .where(
                SignInFailure.user_id == user_id,
                SignInFailure.client == client,
                SignInFailure.failures >= MAX_FAILURES,
            )
            .values(locked_until=now + LOCKOUT, failures=0, first_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def cleared(session: Session, user_id: int, client: str) -> None:
    """A good sign-in from this client forgets its failures (the caller commits)."""
    session.execute(
        delete(SignInFailure)
        .where(SignInFailure.user_id == user_id, SignInFailure.client == client)
        .execution_options(synchronize_session=False)
    )


def clear_all(session: Session, user_id: int) -> None:
    session.execute(
        delete(SignInFailure)
        .where(SignInFailure.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
