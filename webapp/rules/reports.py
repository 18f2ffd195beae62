"""The team's figures, with no personal data: referrals by week, kind and
language; the share contacted within the promise; the median time to first
contact. Built from the open and closed referrals and from the anonymous
facts kept of purged ones (read by ``webapp/staff/reports.py``).

Small counts can single someone out (one Gujarati concern in a week), so
nothing is published below ``minimum`` (the ``report_minimum`` setting):

* A week with fewer than ``minimum`` referrals is *hidden*: it is shown as
  "fewer than N" and adds to no exact figure. A total over weeks that include
  a hidden one is given as the range the weeks allow ("between 31 and 34"),
  so no total can be subtracted back to a hidden week, whichever period is
  chosen and however often the page is read.
* Within a shown week, counts are merged, never suppressed: languages with
  fewer than ``minimum`` referrals of a kind become "other languages"; if that
  is still fewer than ``minimum``, the kind is shown for all languages
  together; if a kind has fewer than ``minimum``, the week is shown as one
  line. Every count in the table is then exact and at least ``minimum``, and
  adds up to the week's total, so there is nothing to subtract.
* The week still running is left out of that table: comparing two readings
  of it would show what arrived in between.
* Shares and medians are shown only when they rest on at least ``minimum``
  referrals, and with no count that adds to anything.

docs/staff.md says the same for the people who read the page.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from webapp.rules import contact, due

ALL = "all"  # every kind, or every language, together
OTHER = "other"  # the languages with too few referrals, together

# The periods a reader can choose: the week running and the weeks before it.
PERIODS: dict[str, int | None] = {"4": 4, "13": 13, "52": 52, "all": None}
DEFAULT_PERIOD = "13"

# Where a referral stands against the promise.
WITHIN = "within"  # contacted within the promise
LATE = "late"  # contacted after it, or not contacted and past it
NOT_YET_DUE = "not_yet_due"  # not contacted yet, still inside the promise
NOT_CONTACTABLE = "not_contactable"  # left no way to contact them

# Why a share within the promise is not shown.
EMPTY = "empty"  # no referrals at all
HIDDEN = "hidden"  # the week has too few referrals to show at all
NONE_DUE = "none_due"  # nobody has been contacted or is past the promise yet
FEW_DUE = "few_due"  # fewer than the minimum have


@dataclass(frozen=True)
class Fact:
    week: date  # the Monday of the week it arrived (UK time)
    kind: str
    language: str
    contactable: bool
    contacted_within_promise: bool
    minutes_to_first_contact: int | None
    outcome: str | None
    # When the promise runs out; None for a purged referral's fact, whose
    # promise ran out long ago.
    promise_at: datetime | None = None


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
        promise_at=referral.promise_at,
    )


def against_promise(fact: Fact, now: datetime) -> str:
    """Within, late, not yet due, or not contactable.

    A referral nobody has contacted yet counts against the promise only once
    the promise has run out: until then it is not yet due, not late.
    """
    if not fact.contactable:
        return NOT_CONTACTABLE
    if fact.contacted_within_promise:
        return WITHIN
    if fact.minutes_to_first_contact is not None:
        return LATE
    if fact.promise_at is None or now > fact.promise_at:
        return LATE
    return NOT_YET_DUE


@dataclass(frozen=True)
class Count:
    """A count as published: exact, or only bounds (``high`` None: no upper
    bound is given). "Fewer than 5" is ``Count(1, 4, exact=False)``."""

    low: int
    high: int | None
    exact: bool = False

    @classmethod
    def exactly(cls, value: int) -> Count:
        return cls(value, value, exact=True)

    @classmethod
    def fewer_than(cls, minimum: int) -> Count:
        return cls(1, minimum - 1)

    @classmethod
    def between(cls, low: int, high: int) -> Count:
        return cls.exactly(low) if low == high else cls(low, high)

    def is_fewer_than(self, minimum: int) -> bool:
        return not self.exact and (self.low, self.high) == (1, minimum - 1)

    @property
    def value(self) -> int | None:
        return self.low if self.exact else None


def published(value: int, minimum: int) -> Count:
    """``value`` itself if it is none or at least ``minimum``; else "fewer than"."""
    return Count.exactly(value) if value == 0 or value >= minimum else Count.fewer_than(minimum)


@dataclass(frozen=True)
class Week:
    start: date  # Monday
    referrals: Count
    share_within_promise: float | None
    no_share: str | None  # EMPTY, HIDDEN, NONE_DUE or FEW_DUE when there is no share
    running: bool  # the week is not over yet

    @property
    def hidden(self) -> bool:
        return not self.referrals.exact


@dataclass(frozen=True)
class Row:
    week: date
    kind: str  # a kind, or ALL
    language: str  # a language, OTHER or ALL
    referrals: Count


@dataclass(frozen=True)
class Report:
    minimum: int
    period: str
    weeks: list[Week]  # oldest first, the week running last
    rows: list[Row]  # the finished weeks, newest first
    referrals: Count
    hidden_weeks: int
    share_within_promise: float | None
    no_share: str | None  # NONE_DUE or FEW_DUE when there is no share
    not_yet_due: Count
    median_minutes: float | None
    contacted: int  # how many the median rests on (only read when it is shown)

    @property
    def any_referrals(self) -> bool:
        return self.referrals.low > 0


def period_start(period: str, this_week: date, facts: list[Fact]) -> date:
    """The Monday the period starts: ``period`` weeks including the one running."""
    weeks = PERIODS[period]
    if weeks is None:
        return min((f.week for f in facts), default=this_week)
    return this_week - timedelta(weeks=weeks - 1)


def protect_week(week: date, counts: Counter, minimum: int) -> list[Row]:
    """One finished week's referrals by kind and language, merged until every
    count shown is at least ``minimum`` (``counts``: (kind, language) -> n)."""
    total = sum(counts.values())
    if total == 0:
        return []
    if total < minimum:
        return [Row(week, ALL, ALL, published(total, minimum))]
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for (kind, language), n in counts.items():
        by_kind[kind][language] += n
    if any(sum(languages.values()) < minimum for languages in by_kind.values()):
        return [Row(week, ALL, ALL, Count.exactly(total))]
    rows = []
    for kind in sorted(by_kind, key=_kind_order):
        languages = by_kind[kind]
        kind_total = sum(languages.values())
        shown = sorted(
            ((lang, n) for lang, n in languages.items() if n >= minimum),
            key=lambda item: (-item[1], item[0]),
        )
        rest = kind_total - sum(n for _, n in shown)
        if 0 < rest < minimum:
            rows.append(Row(week, kind, ALL, Count.exactly(kind_total)))
            continue
        rows += [Row(week, kind, lang, Count.exactly(n)) for lang, n in shown]
        if rest:
            rows.append(Row(week, kind, OTHER, Count.exactly(rest)))
    return rows


def _kind_order(kind: str) -> tuple[int, str]:
    return (contact.KINDS.index(kind) if kind in contact.KINDS else len(contact.KINDS), kind)


def summarise(facts: list[Fact], now: datetime, minimum: int, period: str) -> Report:
    """The report for ``period`` (a key of ``PERIODS``) as it stands at ``now``."""
    this_week = week_of(now.astimezone(due.LONDON).date())
    first = period_start(period, this_week, facts)
    starts = [first + timedelta(weeks=i) for i in range((this_week - first).days // 7 + 1)]
    facts = [f for f in facts if first <= f.week <= this_week]
    standing = [(f, against_promise(f, now)) for f in facts]

    by_week: dict[date, list[tuple[Fact, str]]] = defaultdict(list)
    for f, state in standing:
        by_week[f.week].append((f, state))

    weeks = []
    for start in starts:
        those = by_week.get(start, [])
        referrals = published(len(those), minimum)
        share, no_share = _share([state for _, state in those], minimum)
        if not those:
            no_share = EMPTY
        elif not referrals.exact:
            share, no_share = None, HIDDEN
        weeks.append(Week(start, referrals, share, no_share, running=start == this_week))

    rows = []
    for week in reversed(weeks):
        if week.running:
            continue
        counts = Counter((f.kind, f.language) for f, _ in by_week.get(week.start, []))
        rows += protect_week(week.start, counts, minimum)

    shown_total = sum(w.referrals.low for w in weeks if not w.hidden)
    hidden = sum(1 for w in weeks if w.hidden)
    if hidden == 1 and not shown_total:
        referrals = Count.fewer_than(minimum)
    else:
        referrals = Count.between(shown_total + hidden, shown_total + hidden * (minimum - 1))

    share, no_share = _share([state for _, state in standing], minimum)
    waiting = sum(1 for _, state in standing if state == NOT_YET_DUE)
    not_yet_due = published(waiting, minimum)
    if hidden and not_yet_due.low >= minimum:
        # An exact number could exceed what the shown weeks hold, and so say
        # how many a hidden week holds at least: give only that it is many.
        not_yet_due = Count(minimum, None)
    minutes = [f.minutes_to_first_contact for f in facts if f.minutes_to_first_contact is not None]
    return Report(
        minimum=minimum,
        period=period,
        weeks=weeks,
        rows=rows,
        referrals=referrals,
        hidden_weeks=hidden,
        share_within_promise=share,
        no_share=no_share,
        not_yet_due=not_yet_due,
        median_minutes=statistics.median(minutes) if len(minutes) >= minimum else None,
        contacted=len(minutes),
    )


def _share(states: list[str], minimum: int) -> tuple[float | None, str | None]:
    """The share contacted within the promise of those contacted or past it."""
    counted = [state for state in states if state in (WITHIN, LATE)]
    if not counted:
        return None, NONE_DUE
    if len(counted) < minimum:
        return None, FEW_DUE
    return counted.count(WITHIN) / len(counted), None


def as_csv(report: Report) -> str:
    """The table by week, kind and language, as protected on the page."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["week_starting", "kind", "language", "referrals"])
    for row in report.rows:
        count = row.referrals
        writer.writerow(
            [
                row.week.isoformat(),
                row.kind,
                row.language,
                count.low if count.exact else f"<{report.minimum}",
            ]
        )
    return out.getvalue()
