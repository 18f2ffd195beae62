"""Staff sessions kept on the server.

The browser's cookie holds a random id and nothing else; the database keeps
only its SHA-256, with who it belongs to and when it was made and last used.
So a cookie copied before sign-out opens nothing after it, and the key that
signs cookies (``SECRET_KEY``) cannot make a signed-in session: only a row
here can, and only the password and the code make one. Takes a database
session; no Flask.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from webapp.staff.models import StaffSession, StaffUser

PASSWORD, SIGNED_IN = "password", "signed_in"  # the stages of a sign-in
PENDING = timedelta(minutes=5)  # between the password and the code


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta  # ends after this long without a request
    absolute: timedelta  # and this long after the code, whatever happens


def row_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user_id: int, now: datetime) -> str:
    """After a good password: a new session at the first stage; its token."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(id=row_id(token), user_id=user_id, stage=PASSWORD, created_at=now, seen_at=now)
    )
    return token


def pending_user(session: Session, token: str | None, now: datetime) -> StaffUser | None:
    """Who gave a good password within ``PENDING`` with this token."""
    if not token:
        return None
    row = session.get(StaffSession, row_id(token))
    if row is None or row.stage != PASSWORD or now - row.created_at > PENDING:
        return None
    user = session.get(StaffUser, row.user_id)
    return user if user is not None and user.active else None


def promote(session: Session, token: str, now: datetime) -> str | None:
    """After a good code: the password-stage session is replaced by a signed-in
    one with a new token (the old one, seen before the code, opens nothing).
    None when the first stage was already used (two codes at once)."""
    old = row_id(token)
    row = session.get(StaffSession, old)
    if row is None:
        return None
    taken = session.execute(
        delete(StaffSession)
        .where(StaffSession.id == old, StaffSession.stage == PASSWORD)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        return None
    fresh = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            id=row_id(fresh), user_id=row.user_id, stage=SIGNED_IN, created_at=now, seen_at=now
        )
    )
    return fresh


def signed_in_user(
    session: Session, token: str | None, now: datetime, lifetimes: Lifetimes
) -> StaffUser | None:
    """The officer this token signs in, or None: no such session, ended,
    idle too long, past its absolute lifetime, or the account disabled. A
    session found stale is removed. Marks the session as used now."""
    if not token:
        return None
    row = session.get(StaffSession, row_id(token))
    if row is None or row.stage != SIGNED_IN:
        return None
    if now - row.seen_at > lifetimes.idle or now - row.created_at > lifetimes.absolute:
        session.delete(row)
        session.commit()
        return None
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        end_all(session, row.user_id)
        session.commit()
        return None
    if now - row.seen_at > timedelta(seconds=30):  # one write a request would be a lot
        session.execute(
            update(StaffSession)
            .where(StaffSession.id == row.id)
            .values(seen_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return user


def end(session: Session, token: str | None) -> None:
    """Sign-out: this session, at once (the caller commits)."""
    if token:
        session.execute(
            delete(StaffSession)
            .where(StaffSession.id == row_id(token))
            .execution_options(synchronize_session=False)
        )


def end_all(session: Session, user_id: int) -> int:
    """Every session of one officer (disabled, new second factor, new
    password); how many there were. The caller commits."""
    return session.execute(
        delete(StaffSession)
        .where(StaffSession.user_id == user_id)
        .execution_options(synchronize_session=False)
    ).rowcount


def sweep(session: Session, now: datetime, lifetimes: Lifetimes) -> None:
    """Remove sessions no one can use any more (the caller commits)."""
    session.execute(
        delete(StaffSession)
        .where(
            or_(
                StaffSession.seen_at < now - lifetimes.idle,
                StaffSession.created_at < now - lifetimes.absolute,
                (StaffSession.stage == PASSWORD) & (StaffSession.created_at < now - PENDING),
            )
        )
        .execution_options(synchronize_session=False)
    )
