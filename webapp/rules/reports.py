"""The team's figures, with no personal data: referrals by week, kind and
language; the share contacted within the promise; the median time to first
contact. Built from the open and closed referrals and from the anonymous
facts kept of purged ones (read by ``webapp/staff/reports.py``).
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from webapp.rules import contact, due


@dataclass(frozen=True)
class Fact:
    week: date  # the Monday of the week it arrived (UK time)
    kind: str
    language: str
    contactable: bool
    contacted_within_promise: bool
    minutes_to_first_contact: int | None
    outcome: str | None


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def fact(referral) -> Fact:
    """What the reports keep of a referral (anything with a referral's columns)."""
    received = referral.received_at
    first = referral.first_contact_at
    return Fact(
        week=week_of(received.astimezone(due.LONDON).date()),
        kind=referral.kind,
        language=referral.language,
        contactable=referral.contact_method != contact.NO_CONTACT.code,
        contacted_within_promise=first is not None and first <= referral.promise_at,
        minutes_to_first_contact=int((first - received).total_seconds() // 60) if first else None,
        outcome=referral.outcome,
    )


@dataclass(frozen=True)
class Summary:
    rows: list[tuple[date, str, str, int]]  # week, kind, language, referrals
    total: int
    contactable: int
    within_promise: int
    median_minutes: float | None

    @property
    def share_within_promise(self) -> float | None:
        return self.within_promise / self.contactable if self.contactable else None


def summarise(facts: list[Fact]) -> Summary:
    counts = Counter((f.week, f.kind, f.language) for f in facts)
    contactable = [f for f in facts if f.contactable]
    minutes = [f.minutes_to_first_contact for f in facts if f.minutes_to_first_contact is not None]
    return Summary(
        rows=sorted(
            ((week, kind, language, count) for (week, kind, language), count in counts.items()),
            key=lambda row: (-row[0].toordinal(), row[1], row[2]),
        ),
        total=len(facts),
        contactable=len(contactable),
        within_promise=sum(1 for f in contactable if f.contacted_within_promise),
        median_minutes=statistics.median(minutes) if minutes else None,
    )


def as_csv(summary: Summary) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["week_starting", "kind", "language", "referrals"])
    for week, kind, language, count in summary.rows:
        writer.writerow([week.isoformat(), kind, language, count])
    return out.getvalue()
