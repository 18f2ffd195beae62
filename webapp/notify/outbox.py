"""The notification outbox: queueing breach warnings, and sending what
waits, with retries and back-off (the timing rules are
``webapp/rules/outbox.py``). Takes a database session; no Flask. The staff
side runs this: a public instance only writes rows (``notify/models.py``).

A new referral's notifications are written in the same transaction as the
referral, so one cannot exist without the other. A sender that fails leaves
its row waiting for the next try; a row is claimed before it is sent, so two
workers never send the same one. (A worker that dies between sending and
marking the row sent would send it again after the claim lapses: the message
carries a stable id so that the receiver can tell.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.notify.models import BREACH, NEWS_BREACH, Notification, enqueue
from webapp.referrals.models import Referral
from webapp.rules import wayback
from webapp.rules.outbox import (
    CLAIM,
    backoff,
    in_office_hours,
    news_about,
    news_due,
    warning_time,
)
from webapp.staff.models import ContactAttempt
from webapp.wayback.models import WayBackEntry

log = logging.getLogger(__name__)


def queue_breach_warnings(
    session: Session,
    channels: Iterable[str],
    now: datetime,
    lead: timedelta,
    office_hours,
    is_holiday,
) -> int:
    """Add a warning for each open referral that nobody has tried to contact
    yet and whose warning time has come, and for each open referral whose
    news from the resident nobody has dealt with and whose news warning time
    has come (``queue_news_warnings``). Only in office hours. Returns how
    many warnings were queued (one per referral or news due time, whatever
    the number of channels)."""
    channels = list(channels)
    if not channels or not in_office_hours(now, office_hours, is_holiday):
        return 0
    untouched = ~exists().where(ContactAttempt.referral_id == Referral.id)
    warned = exists().where(
        Notification.reference == Referral.reference, Notification.event == BREACH
    )
    rows = session.execute(
        select(Referral.reference, Referral.received_at, Referral.due_at)
        .where(
            Referral.status == "open",
            Referral.due_at <= now + lead + timedelta(days=7),
            untouched,
            ~warned,
        )
        .order_by(Referral.due_at)
    ).all()
    count = 0
    for reference, received, due in rows:
        if warning_time(received, due, lead, office_hours, is_holiday) > now:
            continue
        enqueue(session, channels, BREACH, reference, due, now)
        try:
            session.commit()
            count += 1
        except IntegrityError:  # another worker queued it first
            session.rollback()
    return count + queue_news_warnings(session, channels, now, lead, office_hours, is_holiday)


def queue_news_warnings(
    session: Session,
    channels: list[str],
    now: datetime,
    lead: timedelta,
    office_hours,
    is_holiday,
) -> int:
    """Warn of her news on the way back that nobody has dealt with, as of a
    first contact: the referral's news is due when the queue says (its soonest
    item not dealt with), and the warning comes at the same lead, in office
    hours. One warning per referral per news due time, whoever else is
    queueing at once (the unique constraint on the row's ``about``): when an
    officer deals with that news and other news is still waiting, its own due
    time is warned of in turn. The caller has checked the office hours."""
    horizon = now + lead + timedelta(days=7)
    items = session.execute(
        select(Referral.reference, WayBackEntry.at, WayBackEntry.due_at)
        .join(Referral, Referral.id == WayBackEntry.referral_id)
        .where(
            Referral.status == "open",
            WayBackEntry.kind.in_(sorted(wayback.NEEDS_ACTION)),
            WayBackEntry.dealt_at.is_(None),
            or_(
                WayBackEntry.due_at <= horizon,
                WayBackEntry.due_at.is_(None) & (WayBackEntry.at <= horizon),
            ),
        )
    ).all()
    news: dict[str, list] = {}
    for reference, at, due_at in items:
        news.setdefault(reference, []).append((at, due_at))
    if not news:
        return 0
    warned = set(
        session.execute(
            select(Notification.reference, Notification.about).where(
                Notification.event == NEWS_BREACH, Notification.reference.in_(list(news))
            )
        ).all()
    )
    count = 0
    for reference in sorted(news):
        received, due = news_due(news[reference])
        about = news_about(due)
        if (reference, about) in warned:
            continue
        if warning_time(received, due, lead, office_hours, is_holiday) > now:
            continue
        enqueue(session, channels, NEWS_BREACH, reference, due, now, about=about)
        try:
            session.commit()
            count += 1
        except IntegrityError:  # another worker queued it first
            session.rollback()
    return count


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    waiting: int = 0


Sender = Callable[[Notification], None]  # raises on failure


def send_pending(
    session: Session, senders: Mapping[str, Sender], now: Callable[[], datetime], batch: int = 200
) -> Outcome:
    """Send every row that is due for a try; each failure waits longer."""
    outcome = Outcome()
    moment = now()
    due = session.scalars(
        select(Notification.id)
        .where(
            Notification.sent_at.is_(None),
            Notification.next_try_at <= moment,
            Notification.channel.in_(list(senders)),
            or_(Notification.claimed_until.is_(None), Notification.claimed_until < moment),
        )
        .order_by(Notification.id)
        .limit(batch)
    ).all()
    for notification_id in due:
        if not claim(session, notification_id, now()):
            continue  # another worker has it, or has just failed it
        notification = session.get(Notification, notification_id)
        session.refresh(notification)
        try:
            senders[notification.channel](notification)
        except Exception as problem:
            notification.tries += 1
            notification.next_try_at = now() + backoff(notification.tries)
            notification.claimed_until = None
            notification.last_error = describe(problem)
            session.commit()
            outcome.failed += 1
            log.warning(
                "notification %s by %s failed (try %s): %s",
                notification.id,
                notification.channel,
                notification.tries,
                notification.last_error,
            )
        else:
            notification.sent_at, notification.claimed_until = now(), None
            notification.tries += 1
            session.commit()
            outcome.sent += 1
    outcome.waiting = len(
        session.scalars(select(Notification.id).where(Notification.sent_at.is_(None))).all()
    )
    unknown = session.scalars(
        select(Notification.channel)
        .where(Notification.sent_at.is_(None), Notification.channel.not_in(list(senders)))
        .distinct()
    ).all()
    for channel in unknown:
        log.warning("notifications wait for channel %r, which is not configured", channel)
    return outcome


def claim(session: Session, notification_id: int, moment: datetime) -> bool:
    """Take a row for sending, or not: it must still be unsent, due (another
    worker may have failed it since we listed it) and not held by another."""
    claimed = session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.sent_at.is_(None),
            Notification.next_try_at <= moment,
            or_(Notification.claimed_until.is_(None), Notification.claimed_until < moment),
        )
        .values(claimed_until=moment + CLAIM)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return claimed == 1


def describe(problem: Exception) -> str:
    """The kind of failure, for the log and the row: the exception's class and
    its first line, cut short (never the message we tried to send)."""
    first = str(problem).splitlines()[0] if str(problem) else ""
    return f"{type(problem).__name__}: {first}"[:200]
