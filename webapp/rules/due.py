"""When a referral is due: the promise, then the person's safe window.

Plain Python, no Flask. Times are timezone-aware; the office hours and the
safe windows are local (Europe/London) wall-clock times.

1. The promise: 24 hours after receipt by default; or the same working day,
   which respects office hours and the bank holidays of the landlord's
   nation (received with less than ``SAME_DAY_LEAD`` of the working day left,
   or outside it, it becomes the close of the next working day).
2. The safe window: when the person named safe times and the promise falls
   outside them, the due time moves to the start of the last safe window
   that begins inside the promise (or to the moment of receipt, when we are
   inside a safe window already). When no safe window falls inside the
   promise, the referral is flagged ``no_safe_window`` and the due time is
   the start of the first safe window after the promise. A window counts only
   while at least ``USABLE`` of it is left (five minutes of a safe morning is
   not a safe time to call).

Every result is in UTC. (Python compares and subtracts two datetimes that
share a tzinfo by their wall-clock times, which goes wrong across a change
of the clocks; in UTC it cannot.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from webapp.rules.contact import DAYS, NO_SAFE_WINDOW

LONDON = ZoneInfo("Europe/London")
SAME_DAY_LEAD = timedelta(hours=2)
USABLE = timedelta(minutes=30)  # a safe window with less time left than this is no use
HOURS, SAME_WORKING_DAY = "24h", "same-working-day"  # the promise rules
PROMISE_RULES = (HOURS, SAME_WORKING_DAY)


@dataclass(frozen=True)
class Window:
    """A weekly safe window: ``weekday`` 0 is Monday."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Due:
    promise: datetime
    due: datetime
    window_end: datetime | None = None  # the end of the safe window ``due`` falls in
    flags: tuple[str, ...] = ()


OfficeHours = dict[str, tuple[time, time] | None]


@functools.cache
def bank_holidays(subdivision: str) -> Callable[[date], bool]:
    """``is_holiday(day)`` for a UK nation (``ENG``, ``WLS``, ``SCT``, ``NIR``)."""
    calendar = holidays.country_holidays("GB", subdiv=subdivision)
    return lambda day: day in calendar


@dataclass(frozen=True)
class Promise:
    """The landlord's promise: ``hours`` after receipt, or the same working
    day in ``office_hours``, skipping the bank holidays of ``subdivision``."""

    rule: str = HOURS
    hours: int = 24
    office_hours: OfficeHours | None = None
    subdivision: str = "ENG"

    def after(self, received: datetime) -> datetime:
        return promise(
            received,
            self.rule,
            self.office_hours or {},
            bank_holidays(self.subdivision),
            self.hours,
        )


def promise(
    received: datetime,
    rule: str,
    office_hours: OfficeHours,
    is_holiday: Callable[[date], bool],
    hours: int = 24,
    tz: ZoneInfo = LONDON,
) -> datetime:
    if rule == HOURS:
        return received.astimezone(UTC) + timedelta(hours=hours)
    if rule != SAME_WORKING_DAY:
        raise ValueError(f"unknown promise rule {rule!r}")
    local = received.astimezone(tz)
    day = local.date()
    for _ in range(30):  # the next working day is never a month away
        span = working_hours(day, office_hours, is_holiday)
        if span is not None:
            close = datetime.combine(day, span[1], tz).astimezone(UTC)
            if day != local.date() or close - received >= SAME_DAY_LEAD:
                return close
        day += timedelta(days=1)
    raise ValueError("no working day in the next 30 days: check office_hours")


def working_hours(day: date, office_hours: OfficeHours, is_holiday) -> tuple[time, time] | None:
    if is_holiday(day):
        return None
    return office_hours.get(DAYS[day.weekday()])


def concrete_windows(
    windows: Iterable[Window], first: date, last: date, tz: ZoneInfo = LONDON
) -> list[tuple[datetime, datetime]]:
    """The weekly windows laid out on the calendar from ``first`` to ``last``."""
    weekly = list(windows)
    found = []
    day = first
    while day <= last:
        for window in weekly:
            if window.weekday == day.weekday():
                found.append(
                    (
                        datetime.combine(day, window.start, tz).astimezone(UTC),
                        datetime.combine(day, window.end, tz).astimezone(UTC),
                    )
                )
        day += timedelta(days=1)
    return sorted(found)


def due_time(
    received: datetime, promised: datetime, windows: Iterable[Window] | None, tz: ZoneInfo = LONDON
) -> Due:
    received, promised = received.astimezone(UTC), promised.astimezone(UTC)
    windows = list(windows or ())
    if not windows:
        return Due(promised, promised)
    laid = concrete_windows(
        windows,
        received.astimezone(tz).date() - timedelta(days=1),
        promised.astimezone(tz).date() + timedelta(days=8),
        tz,
    )
    laid = [(start, end) for start, end in laid if end - max(start, received) >= USABLE]
    for start, end in laid:
        if start <= promised and end - promised >= USABLE:
            return Due(promised, promised, end)
    inside = [(start, end) for start, end in laid if start < promised]
    if inside:
        start, end = inside[-1]
        return Due(promised, max(start, received), end)
    start, end = next((s, e) for s, e in laid if s >= promised)  # none usable inside
    return Due(promised, start, end, (NO_SAFE_WINDOW,))
