"""The audit log: every view and change of a referral, append-only, chained.

Each entry's hash covers the previous entry's hash and its own fields, so
editing or removing an entry breaks every hash after it; ``verify`` finds the
first break. No Flask here.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.staff.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def entry_hash(
    prev_hash: str, at: datetime, actor: str, action: str, reference: str | None, detail: str
) -> str:
    body = json.dumps(
        [prev_hash, at.isoformat(), actor, action, reference, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    session: Session,
    actor: str,
    action: str,
    reference: str | None,
    at: datetime,
    detail: str = "",
    attempts: int = 20,
) -> AuditEntry:
    """Append an entry and commit it (with whatever else the session holds)."""
    return record_many(session, actor, action, [reference], at, detail, attempts)[0]


def record_many(
    session: Session,
    actor: str,
    action: str,
    references: list[str | None],
    at: datetime,
    detail: str = "",
    attempts: int = 20,
) -> list[AuditEntry]:
    """Append one entry per reference, in order, in one transaction."""
    for _ in range(attempts):
        # FOR UPDATE makes PostgreSQL writers queue here; SQLite writes one at
        # a time anyway. The compare-and-swap below is the guarantee on both.
        prev = session.scalar(select(AuditHead.hash).where(AuditHead.id == 1).with_for_update())
        added, head = [], prev
        for reference in references:
            new_hash = entry_hash(head, at, actor, action, reference, detail)
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
        moved = session.execute(
            update(AuditHead)
            .where(AuditHead.id == 1, AuditHead.hash == prev)
            .values(hash=head)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved == 1:
            session.add_all(added)
            session.commit()
            return added
        session.rollback()  # someone else wrote first: try again on the new head
        session.expire_all()
        time.sleep(random.uniform(0, 0.02))  # noqa: S311  (jitter, not a secret)
    raise RuntimeError("the audit log is too busy")


def entries(session: Session):
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id))


def verify(session: Session) -> tuple[bool, int | None, int]:
    """(intact, id of the first broken entry, entries checked)."""
    prev = GENESIS
    count = 0
    for entry in entries(session):
        count += 1
        expected = entry_hash(
            prev, entry.at, entry.actor, entry.action, entry.reference, entry.detail
        )
        if entry.prev_hash != prev or entry.hash != expected:
            return False, entry.id, count
        prev = entry.hash
    head = session.get(AuditHead, 1)
    if head is not None and head.hash != prev:
        return False, None, count  # entries removed from the end
    return True, None, count


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
