"""The audit log, kept in the database: every view and change of a referral,
append-only, chained (the hashing and checking are ``webapp/rules/audit.py``).

``record`` adds to the caller's transaction and never commits: the view that
changes a referral commits the change and its audit entry together, or
neither.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.rules import audit as chain
from webapp.staff.models import AuditEntry, AuditHead


class AuditUnavailable(RuntimeError):
    """The audit log's head is missing: nothing audited can be done."""


def record(
    session: Session, actor: str, action: str, reference: str | None, at: datetime, detail: str = ""
) -> AuditEntry:
    """Append an entry to the caller's transaction (the caller commits)."""
    return record_many(session, actor, action, [reference], at, detail)[0]


def record_many(
    session: Session,
    actor: str,
    action: str,
    references: list[str | None],
    at: datetime,
    detail: str = "",
) -> list[AuditEntry]:
    """Append one entry per reference, in order, to the caller's transaction.

    The head row is written first, which takes the write lock (a row lock on
    PostgreSQL, the database's on SQLite) until the caller commits: a second
    writer waits here and then reads the head this one leaves, so the chain
    never forks and no retry (which would lose the caller's work) is needed.
    """
    locked = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(hash=AuditHead.hash)
        .execution_options(synchronize_session=False)
    ).rowcount
    if locked != 1:
        raise AuditUnavailable("the audit log has no head row")
    head = session.scalar(select(AuditHead.hash).where(AuditHead.id == 1))
    added = []
    for reference in references:
        new_hash = chain.entry_hash(head, at, actor, action, reference, detail)
        added.append(
            AuditEntry(
                at=at,
                actor=actor,
                action=action,
                reference=reference,
                detail=detail,
                prev_hash=head,
                hash=new_hash,
            )
        )
        head = new_hash
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(hash=head)
        .execution_options(synchronize_session=False)
    )
    session.add_all(added)
    return added


def entries(session: Session):
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id))


def verify(session: Session) -> chain.Verdict:
    head = session.scalar(select(AuditHead.hash).where(AuditHead.id == 1))
    return chain.verify_chain(entries(session), head)


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
