"""When the team hears that a referral is about to breach, and how long a
failed notification waits before its next try."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.rules.due import bank_holidays
from webapp.rules.outbox import backoff, in_office_hours, news_about, news_due, warning_time

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"),
                         (time(9), time(17))) | {"saturday": None, "sunday": None}
HOLIDAYS = bank_holidays("ENG")
LEAD = timedelta(hours=2)


def at(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


@pytest.mark.parametrize(("received", "due", "warned"), [
    # Due at noon: two hours before, in office hours.
    (at(1, 8), at(1, 12), at(1, 10)),
    # Due at 08:00 Wednesday: 06:00 is outside office hours, so the team
    # hears before it goes home on Tuesday, not at dawn.
    (at(1, 9), at(2, 8), at(1, 16, 59)),
    # Due at midnight on Saturday: warned on Friday afternoon.
    (at(4, 10), at(5, 0), at(4, 16, 59)),
    # Arrived on Friday night, due on Saturday night: nobody is at work between,
    # so the warning comes when the office opens on Monday.
    (at(4, 20), at(5, 20), at(7, 9)),
    # Christmas Day and Boxing Day are bank holidays (Boxing Day falls on a
    # Saturday in 2026, so the 28th is the substitute day).
    (at(24, 18), at(25, 18), at(29, 9)),
])
def test_warning_times_fall_in_office_hours(received, due, warned):
    moment = warning_time(received, due, LEAD, WEEKDAYS, HOLIDAYS)
    assert moment == warned
    assert in_office_hours(moment, WEEKDAYS, HOLIDAYS)


def test_nothing_is_warned_at_night():
    assert not in_office_hours(at(1, 0, 30), WEEKDAYS, HOLIDAYS)
    assert not in_office_hours(at(1, 17), WEEKDAYS, HOLIDAYS)
    assert in_office_hours(at(1, 16, 59), WEEKDAYS, HOLIDAYS)
    assert not in_office_hours(at(5, 12), WEEKDAYS, HOLIDAYS)  # a Saturday


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() / 60 for n in range(1, 10)] == [
        1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_her_news_is_due_when_its_soonest_item_is_as_the_queue_shows_it():
    assert news_due([]) is None
    message, change = (at(1, 9), at(2, 12)), (at(1, 11), at(2, 16))
    assert news_due([change, message]) == (at(1, 9), at(2, 12))
    assert news_due([message, (at(1, 10), None)]) == (at(1, 10), at(1, 10))  # due at once
    # Warned of as a first contact is: two hours ahead, in office hours.
    assert warning_time(*news_due([message]), LEAD, WEEKDAYS, HOLIDAYS) == at(2, 10)


def test_what_a_news_warning_is_about_is_its_due_time_in_utc():
    summer = datetime(2026, 7, 1, 12, 0, 30, 999, tzinfo=LONDON)
    assert news_about(summer) == "2026-07-01T11:00:30Z"
    assert len(news_about(summer)) <= 32  # the column's width
