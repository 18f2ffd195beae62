"""The due-time rules, with the clock fixed by construction (every test names
its own moment of receipt)."""

from datetime import datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.rules.due import (
    LONDON,
    NO_SAFE_WINDOW,
    Window,
    bank_holidays,
    due_time,
    promise,
)
from webapp.settings import DAYS

OFFICE = dict.fromkeys(DAYS[:5], (time(9), time(17))) | dict.fromkeys(DAYS[5:])
ENGLAND = bank_holidays("ENG")
SCOTLAND = bank_holidays("SCT")


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def evenings(*weekdays):
    return [Window(day, time(18), time(20)) for day in weekdays]


# -- the promise -------------------------------------------------------------

def test_24_hours_by_default():
    assert promise(at("2026-11-24 14:00"), "24h", OFFICE, ENGLAND) == at("2026-11-25 14:00")


def test_24_hours_across_the_clocks_going_back():
    received = at("2026-10-24 12:00")  # the clocks go back on Sunday 25 October
    assert promise(received, "24h", OFFICE, ENGLAND) - received == timedelta(hours=24)
    assert promise(received, "24h", OFFICE, ENGLAND) == at("2026-10-25 11:00")


def test_same_working_day_in_the_morning():
    assert promise(at("2026-11-24 10:00"), "same-working-day", OFFICE, ENGLAND) \
        == at("2026-11-24 17:00")


def test_same_working_day_before_opening():
    assert promise(at("2026-11-24 07:30"), "same-working-day", OFFICE, ENGLAND) \
        == at("2026-11-24 17:00")


def test_same_working_day_too_late_in_the_day_goes_to_tomorrow():
    assert promise(at("2026-11-24 15:30"), "same-working-day", OFFICE, ENGLAND) \
        == at("2026-11-25 17:00")


def test_friday_evening_goes_to_monday():
    assert promise(at("2026-11-27 18:00"), "same-working-day", OFFICE, ENGLAND) \
        == at("2026-11-30 17:00")


def test_christmas_and_boxing_day_are_skipped():
    # Thursday 24 December 2026, after hours; 25th Friday and 28th Monday
    # (Boxing Day substitute) are bank holidays in England.
    assert promise(at("2026-12-24 18:00"), "same-working-day", OFFICE, ENGLAND) \
        == at("2026-12-29 17:00")


def test_the_nations_differ():
    # 30 November (St Andrew's Day) is a bank holiday in Scotland, not England.
    received = at("2026-11-27 18:00")
    assert promise(received, "same-working-day", OFFICE, ENGLAND) == at("2026-11-30 17:00")
    assert promise(received, "same-working-day", OFFICE, SCOTLAND) == at("2026-12-01 17:00")


def test_unknown_rule():
    with pytest.raises(ValueError):
        promise(at("2026-11-24 10:00"), "whenever", OFFICE, ENGLAND)


# -- the safe window ----------------------------------------------------------

def test_no_safe_times_given_keeps_the_promise():
    received = at("2026-11-24 14:00")
    due = due_time(received, at("2026-11-25 14:00"), None)
    assert (due.due, due.flags, due.window_end) == (at("2026-11-25 14:00"), (), None)


def test_promise_inside_a_safe_window_stays():
    due = due_time(at("2026-11-24 14:00"), at("2026-11-25 14:00"),
                   [Window(2, time(12), time(17))])
    assert due.due == at("2026-11-25 14:00") and due.window_end == at("2026-11-25 17:00")


def test_moves_to_the_start_of_the_last_window_inside_the_promise():
    # Received Tuesday 14:00, promised Wednesday 14:00; safe on weekday evenings.
    due = due_time(at("2026-11-24 14:00"), at("2026-11-25 14:00"), evenings(0, 1, 2, 3, 4))
    assert due.due == at("2026-11-24 18:00")
    assert due.window_end == at("2026-11-24 20:00")
    assert due.flags == ()


def test_already_inside_a_safe_window_is_due_now():
    received = at("2026-11-24 19:00")
    due = due_time(received, at("2026-11-25 19:00"), evenings(1))
    assert due.due == received and due.window_end == at("2026-11-24 20:00")


def test_no_safe_window_inside_the_promise_is_flagged():
    # Received Tuesday; only Saturday mornings are safe.
    due = due_time(at("2026-11-24 14:00"), at("2026-11-25 14:00"),
                   [Window(5, time(9), time(12))])
    assert due.flags == (NO_SAFE_WINDOW,)
    assert due.due == at("2026-11-28 09:00")


def test_window_on_the_day_the_clocks_change():
    due = due_time(at("2026-10-24 21:00"), at("2026-10-25 21:00"),
                   [Window(6, time(9), time(12))])
    assert due.due == at("2026-10-25 09:00")
    assert due.due.utcoffset() == timedelta(0)  # GMT again by then


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31),
                       timezones=st.just(LONDON))
weekly = st.lists(
    st.builds(lambda day, start, length: Window(day, time(start), time(start + length)),
              st.integers(0, 6), st.integers(0, 20), st.integers(1, 3)),
    max_size=6,
)


@settings(deadline=None)  # the first look-up of a year builds its holiday calendar
@given(received=moments, windows=weekly, rule=st.sampled_from(["24h", "same-working-day"]))
def test_due_is_safe_and_within_the_promise_unless_flagged(received, windows, rule):
    promised = promise(received, rule, OFFICE, ENGLAND)
    assert promised > received
    due = due_time(received, promised, windows)
    if due.flags:
        assert due.due >= promised
    else:
        assert received <= due.due <= promised
    if windows:
        assert due.window_end is not None and due.due < due.window_end


def test_a_window_nearly_over_does_not_count():
    # Received Monday 11:55; only Monday mornings (08:00-12:00) are safe.
    due = due_time(at("2026-11-23 11:55"), at("2026-11-24 11:55"),
                   [Window(0, time(8), time(12))])
    assert due.flags == (NO_SAFE_WINDOW,)
    assert due.due == at("2026-11-30 08:00")


def test_promise_at_the_very_end_of_a_window_moves_to_its_start():
    # Promised Wednesday 11:50, safe Wednesday 08:00-12:00: only 10 minutes left then.
    due = due_time(at("2026-11-24 11:50"), at("2026-11-25 11:50"),
                   [Window(2, time(8), time(12))])
    assert due.due == at("2026-11-25 08:00") and due.flags == ()
