"""The audit log, kept in the database: every view and change of a referral,
every sign-in and failed sign-in, every command that opens referrals,
append-only, chained (the hashing and checking are ``webapp/rules/audit.py``).

``record`` adds to the caller's transaction and never commits: the view that
changes a referral commits the change and its audit entry together, or
neither. On PostgreSQL the application's user may only add entries and move
the head (``flask db grant-staff``): it cannot change or delete an entry.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from webapp.rules import audit as chain
from webapp.staff.models import AuditEntry, AuditHead

log = logging.getLogger(__name__)
INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def audit_key() -> bytes:
    from webapp.rules.credentials import AUDIT_KEY
    from webapp.staff.secret import key

    return key(AUDIT_KEY)


def record(
    session: Session,
    actor: str,
    action: str,
    reference: str | None,
    at: datetime,
    detail: str = "",
    key: bytes | None = None,
) -> AuditEntry:
    """Append an entry to the caller's transaction (the caller commits)."""
    return record_many(session, actor, action, [reference], at, detail, key)[-1]


def lock_head(session: Session) -> bool:
    """Write the head row first, which takes the write lock (a row lock on
    PostgreSQL, the database's on SQLite) until the caller commits: a second
    writer waits here and then reads the head this one leaves, so the chain
    never forks and no retry (which would lose the caller's work) is needed."""
    return (
        session.execute(
            update(AuditHead)
            .where(AuditHead.id == 1)
            .values(hash=AuditHead.hash)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def restore_head(session: Session) -> int:
    """The head row is gone (deleted behind the application's back): put it
    back on the last entry, so that the team can still sign in and work, and
    say so in the chain itself, where ``verify`` finds it. The id of the last
    entry before the restoring one."""
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    count = session.scalar(select(func.count()).select_from(AuditEntry))
    insert = INSERTS[session.get_bind().dialect.name]
    session.execute(
        insert(AuditHead.__table__)
        .values(id=1, hash=last.hash if last else chain.GENESIS, count=count, mac=None)
        .on_conflict_do_nothing()
    )
    log.error(
        "The audit log's head row was missing and has been restored: entries may have "
        "been removed. Run: flask --app webapp audit verify"
    )
    return last.id if last else 0


def record_many(
    session: Session,
    actor: str,
    action: str,
    references: list[str | None],
    at: datetime,
    detail: str = "",
    key: bytes | None = None,
) -> list[AuditEntry]:
    """Append one entry per reference, in order, to the caller's transaction."""
    key = key or audit_key()
    todo = [(actor, action, reference, detail) for reference in references]
    if not lock_head(session):
        after = restore_head(session)
        if not lock_head(session):
            raise RuntimeError("the audit log's head cannot be written")
        todo.insert(0, ("system", chain.HEAD_RESTORED, None, f"after entry {after}"))
    head = session.execute(select(AuditHead.hash, AuditHead.count).where(AuditHead.id == 1)).one()
    prev, count = head.hash, head.count
    if count is None:  # a head from before the count was kept
        count = session.scalar(select(func.count()).select_from(AuditEntry))
    added = []
    for who, what, reference, words in todo:
        new_hash = chain.entry_hash(prev, at, who, what, reference, words, key)
        added.append(
            AuditEntry(
                at=at,
                actor=who,
                action=what,
                reference=reference,
                detail=words,
                prev_hash=prev,
                hash=new_hash,
                keyed=True,
            )
        )
        prev, count = new_hash, count + 1
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(hash=prev, count=count, mac=chain.head_mac(key, count, prev))
        .execution_options(synchronize_session=False)
    )
    session.add_all(added)
    return added[len(added) - len(references) :]


def entries(session: Session):
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id))


def verify(session: Session, key: bytes | None = None, checkpoints=()) -> chain.Verdict:
    head = session.get(AuditHead, 1)
    return chain.verify_chain(entries(session), head, key or audit_key(), checkpoints)


def checkpoint(session: Session) -> chain.Checkpoint | None:
    """The chain's state now: its last entry, how many there are."""
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    if last is None:
        return None
    count = session.scalar(select(func.count()).select_from(AuditEntry))
    return chain.Checkpoint(last.id, count, last.hash)


def as_json(entry: AuditEntry) -> str:
    return json.dumps(
        {
            "id": entry.id,
            "at": entry.at.isoformat(),
            "actor": entry.actor,
            "action": entry.action,
            "reference": entry.reference,
            "detail": entry.detail,
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        },
        ensure_ascii=False,
    )
