"""The reports' rules, with plain values: where a referral stands against the
promise, the period, and what is held back so that no one can be singled out
(webapp/rules/reports.py)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from webapp.rules import reports as r

NOW = datetime(2025, 6, 11, 12, tzinfo=UTC)  # a Wednesday
THIS_WEEK = date(2025, 6, 9)


def fact(week=THIS_WEEK, kind="self", language="en", contactable=True, within=False,
         minutes=None, promise_at=None):
    return r.Fact(week, kind, language, contactable, within, minutes, None, promise_at)


def fresh(**kwargs):
    return fact(promise_at=NOW + timedelta(hours=20), **kwargs)


def weeks_ago(n):
    return THIS_WEEK - timedelta(weeks=n)


# -- the promise ---------------------------------------------------------------

def test_a_referral_inside_its_promise_and_not_contacted_is_not_yet_due():
    assert r.against_promise(fresh(), NOW) == r.NOT_YET_DUE
    assert r.against_promise(fresh(), NOW + timedelta(hours=20)) == r.NOT_YET_DUE
    assert r.against_promise(fresh(), NOW + timedelta(hours=20, seconds=1)) == r.LATE


def test_contacted_within_or_after_the_promise_and_purged_facts():
    assert r.against_promise(fresh(within=True, minutes=30), NOW) == r.WITHIN
    assert r.against_promise(fact(minutes=3000, promise_at=NOW - timedelta(days=1)), NOW) \
        == r.LATE
    # A purged referral's fact keeps no promise time: its promise ran out long ago.
    assert r.against_promise(fact(), NOW) == r.LATE
    assert r.against_promise(fact(within=True, minutes=10), NOW) == r.WITHIN
    assert r.against_promise(fresh(contactable=False), NOW) == r.NOT_CONTACTABLE


def test_one_fresh_referral_is_not_counted_against_the_promise():
    report = r.summarise([fresh()], NOW, 2, "13")
    assert report.share_within_promise is None and report.no_share == r.NONE_DUE
    assert report.not_yet_due.is_fewer_than(2)  # one, shown as "fewer than 2"
    assert report.weeks[-1].no_share == r.HIDDEN


def test_the_share_counts_only_those_contacted_or_past_the_promise():
    facts = ([fact(week=weeks_ago(1), within=True, minutes=60)] * 6
             + [fact(week=weeks_ago(1), minutes=2000)] * 2  # contacted late
             + [fact(week=weeks_ago(1))] * 2  # never contacted, purged
             + [fresh()] * 7  # this week, not yet due
             + [fact(week=weeks_ago(1), kind="concern", contactable=False)] * 3)
    report = r.summarise(facts, NOW, 5, "13")
    assert report.share_within_promise == pytest.approx(6 / 10)
    assert report.not_yet_due == r.Count.exactly(7)
    assert report.median_minutes == 60
    last, running = report.weeks[-2], report.weeks[-1]
    assert last.share_within_promise == pytest.approx(0.6)
    assert running.referrals == r.Count.exactly(7) and running.no_share == r.NONE_DUE


def test_shares_and_medians_resting_on_too_few_are_not_shown():
    facts = [fact(week=weeks_ago(1), within=True, minutes=5)] * 4 + [fresh()] * 3
    report = r.summarise(facts, NOW, 5, "13")
    assert report.share_within_promise is None and report.no_share == r.FEW_DUE
    assert report.median_minutes is None and report.contacted == 4


# -- the period ----------------------------------------------------------------

@pytest.mark.parametrize(("period", "weeks"), [("4", 4), ("13", 13), ("52", 52)])
def test_a_period_is_that_many_weeks_ending_with_the_one_running(period, weeks):
    report = r.summarise([], NOW, 5, period)
    assert len(report.weeks) == weeks
    assert report.weeks[-1].start == THIS_WEEK and report.weeks[-1].running
    assert report.weeks[0].start == THIS_WEEK - timedelta(weeks=weeks - 1)


def test_the_period_leaves_older_referrals_out_and_all_starts_with_the_first():
    facts = [fact(week=weeks_ago(2))] * 5 + [fact(week=weeks_ago(20))] * 6
    assert r.summarise(facts, NOW, 5, "4").referrals == r.Count.exactly(5)
    assert r.summarise(facts, NOW, 5, "52").referrals == r.Count.exactly(11)
    everything = r.summarise(facts, NOW, 5, "all")
    assert everything.weeks[0].start == weeks_ago(20) and len(everything.weeks) == 21
    assert everything.referrals == r.Count.exactly(11)


def test_weeks_are_monday_to_sunday_in_uk_time():
    # 23:30 on Sunday 8 June in UTC is 00:30 on Monday 9 June in London.
    assert r.week_of(datetime(2025, 6, 8, 23, 30, tzinfo=UTC).astimezone(r.due.LONDON).date()) \
        == THIS_WEEK
    monday_in_london = datetime(2025, 6, 9, 0, 30, tzinfo=UTC)
    assert r.summarise([], monday_in_london - timedelta(hours=1), 5, "4").weeks[-1].start \
        == THIS_WEEK


# -- no one singled out ----------------------------------------------------------

def test_a_week_with_fewer_than_the_minimum_is_hidden_and_the_total_is_a_range():
    facts = ([fact(week=weeks_ago(1), language="gu", kind="concern")]
             + [fact(week=weeks_ago(2))] * 12)
    report = r.summarise(facts, NOW, 5, "4")
    hidden = report.weeks[-2]
    assert hidden.hidden and hidden.referrals.is_fewer_than(5)
    assert report.referrals == r.Count(13, 16)  # 12, and 1 to 4
    assert report.hidden_weeks == 1
    assert [row for row in report.rows if row.week == weeks_ago(1)] == [
        r.Row(weeks_ago(1), r.ALL, r.ALL, r.Count.fewer_than(5))]
    assert "<5" in r.as_csv(report)


def test_a_single_gujarati_concern_is_merged_away_in_a_week_that_is_shown():
    counts = Counter({("self", "en"): 12, ("concern", "en"): 6, ("concern", "gu"): 1})
    rows = r.protect_week(weeks_ago(1), counts, 5)
    assert [(row.kind, row.language, row.referrals.value) for row in rows] == [
        ("self", "en", 12), ("concern", r.ALL, 7)]


def test_small_languages_together_are_other_languages_when_enough():
    counts = Counter({("self", "en"): 9, ("self", "gu"): 3, ("self", "ur"): 2,
                      ("self", "pl"): 5, ("concern", "en"): 5})
    rows = r.protect_week(weeks_ago(1), counts, 5)
    assert [(row.kind, row.language, row.referrals.value) for row in rows] == [
        ("self", "en", 9), ("self", "pl", 5), ("self", r.OTHER, 5), ("concern", "en", 5)]


def test_a_kind_with_too_few_makes_the_week_one_line():
    counts = Counter({("self", "en"): 20, ("concern", "gu"): 1})
    rows = r.protect_week(weeks_ago(1), counts, 5)
    assert rows == [r.Row(weeks_ago(1), r.ALL, r.ALL, r.Count.exactly(21))]


def published_cells(report):
    """Every count a reader sees: (where, Count)."""
    cells = [(("week", w.start), w.referrals) for w in report.weeks]
    cells += [(("row", row.week, row.kind, row.language), row.referrals) for row in report.rows]
    return [*cells, (("total",), report.referrals), (("waiting",), report.not_yet_due)]


@pytest.mark.parametrize("minimum", [2, 3, 5, 10])
def test_no_count_below_the_minimum_is_ever_shown_exactly(minimum):
    kinds, languages = ("self", "concern"), ("en", "gu", "pl", "ur")
    facts = []
    for i, (kind, language) in enumerate(itertools.product(kinds, languages)):
        for week in range(6):
            facts += [fact(week=weeks_ago(week), kind=kind, language=language)] * ((i * 7 + week
                                                                                      * 3) % 9)
    report = r.summarise(facts, NOW, minimum, "13")
    for where, count in published_cells(report):
        if count.exact:
            assert count.low == 0 or count.low >= minimum, where
    for row in report.rows:
        assert row.referrals.exact or row.kind == r.ALL == row.language


def test_the_rows_of_a_week_that_is_shown_add_up_to_its_total_exactly():
    """Nothing is suppressed inside a week that is shown: every row is exact,
    so there is nothing for a total to give away by subtraction."""
    facts = ([fact(week=weeks_ago(1), kind="self", language="en")] * 8
             + [fact(week=weeks_ago(1), kind="self", language="gu")] * 2
             + [fact(week=weeks_ago(1), kind="concern", language="en")] * 5
             + [fact(week=weeks_ago(1), kind="concern", language="gu")])
    report = r.summarise(facts, NOW, 5, "4")
    rows = [row for row in report.rows if row.week == weeks_ago(1)]
    assert all(row.referrals.exact for row in rows)
    assert sum(row.referrals.low for row in rows) == report.weeks[-2].referrals.value == 16
    assert {(row.kind, row.language) for row in rows} == {("self", r.ALL), ("concern", r.ALL)}


def test_no_period_total_pins_a_hidden_week_down():
    """Whichever period a reader picks, and however the totals are subtracted,
    a hidden week is only ever known to hold between 1 and minimum - 1."""
    facts = ([fact(week=weeks_ago(w))] * 6 for w in (0, 2, 3, 5, 20))
    facts = [f for group in facts for f in group] + [fact(week=weeks_ago(1), language="gu",
                                                          kind="concern")]
    for period in r.PERIODS:
        report = r.summarise(facts, NOW, 5, period)
        shown = sum(w.referrals.low for w in report.weeks if not w.hidden)
        hidden = sum(1 for w in report.weeks if w.hidden)
        assert hidden == 1
        assert (report.referrals.low, report.referrals.high) == (shown + 1, shown + 4), period
        assert not report.referrals.exact


def test_not_yet_due_says_only_many_when_a_week_is_hidden():
    # Five fresh referrals this week and one in a hidden week before: an exact
    # five would say nothing wrong, but six fresh ones with five shown could
    # say the hidden week holds at least one; "5 or more" never does.
    facts = [fresh()] * 6 + [fact(week=weeks_ago(1))]
    report = r.summarise(facts, NOW, 5, "4")
    assert report.not_yet_due == r.Count(5, None)
    assert r.summarise([fresh()] * 6, NOW, 5, "4").not_yet_due == r.Count.exactly(6)


def test_the_week_still_running_has_no_rows_by_kind_and_language():
    report = r.summarise([fresh()] * 9 + [fact(week=weeks_ago(1))] * 5, NOW, 5, "4")
    assert {row.week for row in report.rows} == {weeks_ago(1)}
    assert report.weeks[-1].referrals == r.Count.exactly(9)


def test_the_csv_has_the_rows_as_shown():
    facts = ([fact(week=weeks_ago(1), kind="concern", language="gu")]
             + [fact(week=weeks_ago(2), kind="self", language="en")] * 5)
    lines = r.as_csv(r.summarise(facts, NOW, 5, "4")).splitlines()
    assert lines == ["week_starting,kind,language,referrals",
                     f"{weeks_ago(1).isoformat()},all,all,<5",
                     f"{weeks_ago(2).isoformat()},self,en,5"]
