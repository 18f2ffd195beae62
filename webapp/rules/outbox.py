"""When notifications are tried again, and when the team hears that a
referral is about to breach (in office hours, never at midnight). The
outbox itself is ``webapp/notify/outbox.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from webapp.rules import due as due_rules

CLAIM = timedelta(minutes=5)  # how long a sender may take before another may retry
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)


def backoff(tries: int) -> timedelta:
    """1, 2, 4, 8... minutes after each failure, never more than an hour."""
    return min(FIRST_RETRY * 2 ** max(tries - 1, 0), LONGEST_WAIT)


# Office hours: breach warnings reach people at work, not at midnight.


def office_span(day: date, office_hours, is_holiday) -> tuple[datetime, datetime] | None:
    hours = due_rules.working_hours(day, office_hours, is_holiday)
    if hours is None:
        return None
    return (
        datetime.combine(day, hours[0], due_rules.LONDON),
        datetime.combine(day, hours[1], due_rules.LONDON),
    )


def in_office_hours(moment: datetime, office_hours, is_holiday) -> bool:
    span = office_span(moment.astimezone(due_rules.LONDON).date(), office_hours, is_holiday)
    return span is not None and span[0] <= moment < span[1]


def warning_time(
    received: datetime, due: datetime, lead: timedelta, office_hours, is_holiday
) -> datetime:
    """When the team should hear that a referral is about to breach.

    ``lead`` before it is due, if that falls in office hours; otherwise the
    last office-hours moment before that (the close of the day before, for a
    referral due early in the morning); and if the office is not open at all
    between receipt and then, the next time it opens.
    """
    target = due - lead
    day = target.astimezone(due_rules.LONDON).date()
    for back in range(15):
        span = office_span(day - timedelta(days=back), office_hours, is_holiday)
        if span is None or span[0] > target:
            continue
        moment = min(span[1] - timedelta(minutes=1), target)
        if moment >= received:
            return moment
        break
    day = received.astimezone(due_rules.LONDON).date()
    for ahead in range(15):
        span = office_span(day + timedelta(days=ahead), office_hours, is_holiday)
        if span is not None and span[1] > received:
            return max(span[0], received)
    return target


# Her news on the way back: warned of as a first contact is, once per due time.


def news_due(items) -> tuple[datetime, datetime] | None:
    """(when it came, when it is due) for a referral's news not yet dealt
    with, given each item's ``(at, due_at)``: the soonest due, as the staff
    queue shows it (what has no promise is due at once). None without news."""
    soonest = None
    for at, due_at in items:
        due = due_at or at
        if soonest is None or (due, at) < (soonest[1], soonest[0]):
            soonest = (at, due)
    return soonest


def news_about(due: datetime) -> str:
    """What a news warning is about, so that one due time is warned of once:
    the due time, to the second, in UTC."""
    return due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
