"""Retention: closed referrals older than ``retention_days`` are removed,
answers, notes and attempts with them; what stays is an anonymous fact for the
reports and the audit log's entries. No Flask here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.notify.models import Notification
from webapp.referrals.models import Referral, ReferralFact
from webapp.staff import audit
from webapp.staff.models import ContactAttempt, Note
from webapp.staff.reporting import fact


def purge(session: Session, now: datetime, days: int, dry_run: bool = False) -> list[str]:
    """Purge and return the references of the referrals removed."""
    old = session.scalars(select(Referral).where(
        Referral.status == "closed", Referral.closed_at < now - timedelta(days=days))
        .order_by(Referral.id)).all()
    references = [referral.reference for referral in old]
    if dry_run or not old:
        return references
    ids = [referral.id for referral in old]
    for referral in old:
        kept = fact(referral)
        session.add(ReferralFact(
            week=kept.week, kind=kept.kind, language=kept.language,
            contactable=kept.contactable, contacted_within_promise=kept.contacted_within_promise,
            minutes_to_first_contact=kept.minutes_to_first_contact, outcome=kept.outcome))
    session.execute(delete(ContactAttempt).where(ContactAttempt.referral_id.in_(ids)))
    session.execute(delete(Note).where(Note.referral_id.in_(ids)))
    session.execute(delete(Notification).where(Notification.reference.in_(references)))
    session.execute(delete(Referral).where(Referral.id.in_(ids)))
    # The facts, the deletions and the audit entries commit together.
    audit.record_many(session, "cli", "referral.purge", references, now,
                      f"closed more than {days} days ago")
    return references
