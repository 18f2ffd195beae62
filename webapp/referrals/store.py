"""Keeping drafts and referrals. Takes a SQLAlchemy session; no Flask here."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.notify.models import NEW, enqueue
from webapp.referrals.models import Draft, Referral
from webapp.rules.intake import NewReferral
from webapp.rules.reference import new_reference

DRAFT_IDLE = timedelta(minutes=30)


class DraftGone(Exception):
    """The draft expired, was already sent, or never existed."""


def new_draft_id() -> str:
    return secrets.token_urlsafe(32)


def load_draft(session: Session, draft_id: str, now: datetime) -> bytes | None:
    """The locked answers, or None when missing or idle for too long (then removed)."""
    draft = session.get(Draft, draft_id)
    if draft is None:
        return None
    if draft.updated_at < now - DRAFT_IDLE:
        session.delete(draft)
        session.commit()
        return None
    return draft.locked


def save_draft(session: Session, draft_id: str, kind: str, locked: bytes, now: datetime) -> None:
    draft = session.get(Draft, draft_id)
    if draft is None:
        session.add(Draft(id=draft_id, kind=kind, locked=locked, updated_at=now))
    else:
        draft.locked, draft.updated_at = locked, now
    # Other people's abandoned drafts go as soon as they expire.
    session.execute(delete(Draft).where(Draft.updated_at < now - DRAFT_IDLE))
    session.commit()


def discard_draft(session: Session, draft_id: str) -> None:
    session.execute(delete(Draft).where(Draft.id == draft_id))
    session.commit()


SENT = "sent"  # a draft's kind once its referral is stored


def submit(
    session: Session,
    draft_id: str,
    new: NewReferral,
    tombstone: Callable[[str], bytes],
    now: datetime,
    attempts: int = 5,
    notify: tuple[str, ...] = (),
    reference: str | None = None,
    also: Callable[[Session, int, str], None] | None = None,
) -> str:
    """Store the referral and close its draft in one transaction; its reference.

    The draft is not deleted at once: it becomes a tombstone holding what the
    confirmation page shows (``tombstone(reference)``, locked with the
    visitor's key), so that a second press of "Send" finds it and shows the
    confirmation again instead of starting over. Tombstones expire like any
    draft. A draft already sent or gone raises DraftGone: one draft never
    becomes two referrals.

    ``reference`` is tried first, when given (the one the way back page
    showed); ``also(session, referral_id, reference)`` adds what belongs with the
    referral (its way back) in the same transaction.
    """
    wanted = reference
    for number in range(attempts):
        reference = (wanted if number == 0 else None) or new_reference()
        try:
            closed = session.execute(
                update(Draft)
                .where(Draft.id == draft_id, Draft.kind != SENT)
                .values(kind=SENT, locked=tombstone(reference), updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if closed != 1:
                session.rollback()
                raise DraftGone(draft_id)
            referral = Referral(
                reference=reference,
                kind=new.kind,
                language=new.language,
                received_at=new.received_at,
                promise_at=new.promise_at,
                due_at=new.due_at,
                window_end=new.window_end,
                flags=",".join(new.flags),
                priority=new.priority,
                status="open",
                contact_method=new.contact_method,
                sealed=new.sealed,
            )
            session.add(referral)
            if also is not None:
                session.flush()  # its id, for what goes with it
                also(session, referral.id, reference)
            # The team hears of it through the outbox, in this same transaction.
            enqueue(session, notify, NEW, reference, new.due_at, now)
            session.commit()
            return reference
        except IntegrityError:  # the reference was taken: draw another
            session.rollback()
    raise RuntimeError("could not find a free reference")


def all_referrals(session: Session):
    return session.scalars(select(Referral).order_by(Referral.received_at, Referral.id))
