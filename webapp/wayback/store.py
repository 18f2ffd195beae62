"""Keeping a way back: its locks, its entries, failed tries and visits.
Takes a SQLAlchemy session and plain values; no Flask here. The caller
commits, except where a function says it does.

The public instance's database user may do exactly what this module does
from the public side (``db grant-public``): read a way back's locks and the
resident's sealed entries, add her entries, count tries, keep visits, and
close her way back. It can read no entry meant for staff only and no
referral's answers.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import case, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from webapp.notify.models import UPDATE, Notification
from webapp.rules import wayback
from webapp.wayback.models import ReturnVisit, WayBack, WayBackEntry, WayBackTry

INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def add_way_back(
    session: Session,
    referral_id: int,
    reference: str,
    kind: str,
    locks: wayback.Locks,
    write_here: bool,
    now: datetime,
) -> None:
    session.add(
        WayBack(
            referral_id=referral_id,
            reference=reference,
            kind=kind,
            public_key=locks.public_key,
            salt=locks.salt,
            ops=locks.ops,
            mem=locks.mem,
            lock=locks.lock,
            pressure_lock=locks.pressure_lock,
            write_here=write_here,
            created_at=now,
            closed_at=None,
        )
    )


def add_entry(
    session: Session,
    referral_id: int,
    kind: str,
    now: datetime,
    *,
    by_resident: bool,
    for_resident: bytes | None,
    for_staff: bytes | None,
    due_at: datetime | None = None,
) -> None:
    # A plain INSERT naming only these columns (the ORM's names every one):
    # the public database user may not set who dealt with an entry, or when.
    session.execute(
        insert(WayBackEntry).values(
            referral_id=referral_id,
            at=now,
            kind=kind,
            by_resident=by_resident,
            for_resident=for_resident,
            for_staff=for_staff,
            due_at=due_at,
        )
    )


def locks_of(row: WayBack) -> wayback.Locks:
    return wayback.Locks(row.public_key, row.salt, row.ops, row.mem, row.lock, row.pressure_lock)


def find(session: Session, reference: str) -> tuple[int, WayBack] | None:
    """The referral's id and its open way back, or None (no such reference,
    no way back, or a closed one: all three the same to the caller)."""
    row = session.scalar(
        select(WayBack).where(WayBack.reference == reference, WayBack.closed_at.is_(None))
    )
    return (row.referral_id, row) if row else None


def way_back_of(session: Session, referral_id: int) -> WayBack | None:
    return session.get(WayBack, referral_id)


def resident_entries(session: Session, referral_id: int):
    """What she may see, oldest first: (id, at, kind, by_resident, sealed)."""
    return session.execute(
        select(
            WayBackEntry.id,
            WayBackEntry.at,
            WayBackEntry.kind,
            WayBackEntry.by_resident,
            WayBackEntry.for_resident,
        )
        .where(WayBackEntry.referral_id == referral_id, WayBackEntry.for_resident.is_not(None))
        .order_by(WayBackEntry.at, WayBackEntry.id)
    ).all()


def notify(session: Session, channels, reference: str, due_at: datetime, now: datetime) -> None:
    """Tell the team there is news on ``reference`` (no content). While one
    such notification waits (or was sent and not yet dealt with), another is
    not added: the staff side clears it when an officer deals with the news.

    The only conflict there can be is that one (the id comes from its
    sequence), so none is named: naming one would need SELECT on the
    notifications' references, which the public database user must not have."""
    table = Notification.__table__
    dialect_insert = INSERTS[session.get_bind().dialect.name]
    for channel in channels:
        session.execute(
            dialect_insert(table)
            .values(
                channel=channel,
                event=UPDATE,
                reference=reference,
                due_at=due_at,
                created_at=now,
                tries=0,
                next_try_at=now,
                last_error="",
            )
            .on_conflict_do_nothing()
        )


# -- failed tries ------------------------------------------------------------------


def reserve_try(session: Session, reference: str, now: datetime) -> int | None:
    """Count a try before the passphrase is checked, in one atomic statement:
    its number within the hour, or None when the way back of ``reference`` is
    shut (five tries failed: nothing more is checked for an hour, whichever
    client asks and however many ask at once). Commits."""
    table = WayBackTry.__table__
    dialect_insert = INSERTS[session.get_bind().dialect.name]
    stale = or_(
        table.c.shut_until < now,
        table.c.shut_until.is_(None) & (table.c.first_at < now - wayback.SHUT_FOR),
    )
    statement = (
        dialect_insert(table)
        .values(reference=reference, failures=1, first_at=now, shut_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.reference],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "first_at": case((stale, now), else_=table.c.first_at),
                "shut_until": case((stale, None), else_=table.c.shut_until),
            },
        )
        .returning(table.c.failures, table.c.shut_until)
    )
    number, shut_until = session.execute(statement).one()
    # Abandoned counts of other references go once they are over.
    session.execute(
        delete(WayBackTry)
        .where(
            WayBackTry.first_at < now - 2 * wayback.SHUT_FOR,
            or_(WayBackTry.shut_until.is_(None), WayBackTry.shut_until < now),
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if shut_until is not None or number > wayback.MAX_TRIES:
        return None
    return number


def try_failed(session: Session, reference: str, number: int, now: datetime) -> bool:
    """The try ``number`` failed; True when it shuts the way back. Commits."""
    if number < wayback.MAX_TRIES:
        return False
    session.execute(
        update(WayBackTry)
        .where(WayBackTry.reference == reference, WayBackTry.shut_until.is_(None))
        .values(shut_until=now + wayback.SHUT_FOR)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return True


def try_succeeded(session: Session, reference: str) -> None:
    """She opened it: her earlier failures are forgotten (the caller commits)."""
    session.execute(
        delete(WayBackTry)
        .where(WayBackTry.reference == reference, WayBackTry.shut_until.is_(None))
        .execution_options(synchronize_session=False)
    )


# -- visits --------------------------------------------------------------------------


def start_visit(
    session: Session, visit_id: str, referral_id: int, locked: bytes, now: datetime
) -> None:
    forget_idle_visits(session, now)
    session.add(ReturnVisit(id=visit_id, referral_id=referral_id, locked=locked, seen_at=now))


def load_visit(session: Session, visit_id: str, now: datetime) -> ReturnVisit | None:
    """The visit, seen now; None (and gone) when idle too long or unknown. Commits."""
    visit = session.get(ReturnVisit, visit_id)
    if visit is None:
        return None
    if visit.seen_at < now - wayback.VISIT_IDLE:
        session.delete(visit)
        session.commit()
        return None
    visit.seen_at = now
    session.commit()
    return visit


def end_visit(session: Session, visit_id: str) -> None:
    """Commits."""
    session.execute(
        delete(ReturnVisit)
        .where(ReturnVisit.id == visit_id)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def forget_idle_visits(session: Session, now: datetime) -> None:
    session.execute(
        delete(ReturnVisit)
        .where(ReturnVisit.seen_at < now - wayback.VISIT_IDLE)
        .execution_options(synchronize_session=False)
    )


# -- her choices ---------------------------------------------------------------------


def forget_pressure_lock(session: Session, referral_id: int) -> None:
    """A visit under pressure closed the way back: as a real close would, the
    passphrases it was opened with stop working (only the second lock's)."""
    set_pressure_lock(session, referral_id, wayback.no_pressure_lock())


def set_pressure_lock(session: Session, referral_id: int, lock: bytes) -> None:
    session.execute(
        update(WayBack)
        .where(WayBack.referral_id == referral_id, WayBack.closed_at.is_(None))
        .values(pressure_lock=lock)
        .execution_options(synchronize_session=False)
    )


def close(session: Session, referral_id: int, now: datetime) -> None:
    """Her passphrase stops working and nothing sealed to her is kept: the
    locks become random bytes, her copies of the entries go, and so do her
    visits. The team's record (sealed to the staff key) stays. The caller
    commits."""
    session.execute(
        update(WayBack)
        .where(WayBack.referral_id == referral_id)
        .values(
            lock=secrets.token_bytes(wayback.LOCK_SIZE),
            pressure_lock=wayback.no_pressure_lock(),
            closed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(WayBackEntry)
        .where(WayBackEntry.referral_id == referral_id)
        .values(for_resident=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(ReturnVisit)
        .where(ReturnVisit.referral_id == referral_id)
        .execution_options(synchronize_session=False)
    )
