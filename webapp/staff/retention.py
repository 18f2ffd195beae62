"""Retention: closed referrals older than ``retention_days`` are removed,
answers, notes and attempts with them, and their way back (its locks, its
entries, visits in progress and the count of failed tries of its
reference); what stays is an anonymous fact for the
reports and the audit log's entries. Takes a database session; no Flask.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from webapp.notify.models import Notification
from webapp.referrals.models import Referral, ReferralFact
from webapp.rules import wayback
from webapp.rules.reports import fact
from webapp.staff import audit
from webapp.staff.models import ContactAttempt, Note
from webapp.wayback.models import ReturnVisit, WayBack, WayBackEntry, WayBackTry

PURGING = "purging"  # only inside the purge's own transaction


def purge(
    session: Session, now: datetime, days: int, dry_run: bool = False, actor: str = "cli"
) -> list[str]:
    """Purge and return the references of the referrals removed."""
    cutoff = now - timedelta(days=days)
    # What she wrote or asked since it closed waits for an officer first.
    news = exists().where(
        WayBackEntry.referral_id == Referral.id,
        WayBackEntry.kind.in_(sorted(wayback.NEEDS_ACTION)),
        WayBackEntry.dealt_at.is_(None),
    )
    due = (Referral.status == "closed", Referral.closed_at < cutoff, ~news)
    if dry_run:
        return list(session.scalars(select(Referral.reference).where(*due).order_by(Referral.id)))
    # Mark first: a referral reopened at this moment is no longer "closed", so
    # it is left alone; one marked here cannot be reopened until we are done.
    session.execute(
        update(Referral)
        .where(*due)
        .values(status=PURGING)
        .execution_options(synchronize_session=False)
    )
    old = session.scalars(
        select(Referral).where(Referral.status == PURGING).order_by(Referral.id)
    ).all()
    references = [referral.reference for referral in old]
    if not old:
        session.rollback()
        return references
    ids = [referral.id for referral in old]
    for referral in old:
        kept = fact(referral)
        session.add(
            ReferralFact(
                week=kept.week,
                kind=kept.kind,
                language=kept.language,
                contactable=kept.contactable,
                contacted_within_promise=kept.contacted_within_promise,
                minutes_to_first_contact=kept.minutes_to_first_contact,
                outcome=kept.outcome,
            )
        )
    session.execute(delete(ContactAttempt).where(ContactAttempt.referral_id.in_(ids)))
    session.execute(delete(Note).where(Note.referral_id.in_(ids)))
    session.execute(delete(Notification).where(Notification.reference.in_(references)))
    session.execute(delete(WayBackEntry).where(WayBackEntry.referral_id.in_(ids)))
    session.execute(delete(ReturnVisit).where(ReturnVisit.referral_id.in_(ids)))
    session.execute(delete(WayBack).where(WayBack.referral_id.in_(ids)))
    session.execute(delete(WayBackTry).where(WayBackTry.reference.in_(references)))
    session.execute(delete(Referral).where(Referral.id.in_(ids)))
    # The facts, the deletions and the audit entries commit together.
    audit.record_many(
        session, actor, "referral.purge", references, now, f"closed more than {days} days ago"
    )
    session.commit()
    return references
