"""The reports page and its CSV: no count below the minimum ever shows, none
can be worked out from the totals, a referral still inside its promise is
not yet due, the period, and the chart with its table."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from tests.conftest import CONCERN_ANONYMOUS
from tests.integration.test_feed_reports_retention import refer
from tests.pages import parse
from tests.staff import OFFICER, add_officer, sign_in
from webapp import db
from webapp.referrals.models import Referral
from webapp.rules.due import LONDON

_references = (f"R{n:02d}-{m:03d}" for n, m in itertools.product(range(100), range(1000)))


def insert(app, received, count=1, kind="self", language="en", method="call",
           contacted_after=None, promise_hours=24):
    """``count`` referrals received at ``received`` (the columns the reports
    read; nothing sealed, as the reports never unseal)."""
    with app.app_context():
        session = db.session()
        for _ in range(count):
            session.add(Referral(
                reference=next(_references), kind=kind, language=language,
                received_at=received, promise_at=received + timedelta(hours=promise_hours),
                due_at=received + timedelta(hours=promise_hours), contact_method=method,
                sealed=b"-", flags="", priority=2, status="open",
                first_contact_at=received + contacted_after if contacted_after else None))
        session.commit()


def monday(clock, weeks_ago=0):
    """Noon on the Monday ``weeks_ago`` weeks before this one (UK time)."""
    today = clock["now"].astimezone(LONDON)
    start = today - timedelta(days=today.weekday(), weeks=weeks_ago)
    return start.replace(hour=12, minute=0, second=0, microsecond=0)


def officer(site, clock):
    client = site.test_client()
    sign_in(site, client, clock)
    return client


@pytest.fixture
def small_site(make_app, clock, database_url):
    """``site`` with a minimum of 2, for the tests about timings."""
    app = make_app(database_url, CLOCK=lambda: clock["now"], SITE={"report_minimum": 2})
    db.upgrade(app.extensions["db_engine"])
    add_officer(app, OFFICER, clock)
    return app


class Tables(HTMLParser):
    """The page's tables, as lists of rows of cell text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tables, self._cell = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join(self._cell.split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def summary(page):
    """The figures at the top: {"Referrals": "between 27 and 30", ...}."""
    pairs = re.findall(r'<dt>(.*?)</dt><dd class="summary-answer">(.*?)</dd>', page, re.S)
    return {dt: " ".join(re.sub(r"<[^>]+>", " ", dd).split()) for dt, dd in pairs}


def staff_page_checks(response):
    """Beyond what the test client checks on every page (tests/pages.py): no
    script at all on the reports page, and only the one hashed style."""
    html = response.get_data(as_text=True)
    page = parse(html)
    assert not [tag for tag, attrs in page.tags if "style" in attrs], "no style= (the CSP)"
    assert not [tag for tag, _ in page.tags if tag == "script"]
    assert len(re.findall(r"<style>", html)) == 1  # the brand colours, hashed in the CSP
    return html


def weekly_and_breakdown(page):
    tables = Tables(page).tables
    weekly = {row[0].removesuffix(" (so far)"): row[1:] for row in tables[0][1:]}
    return weekly, [row for row in tables[1][1:]]


def test_a_single_gujarati_concern_never_shows_and_cannot_be_worked_out(site, clock):
    last = monday(clock, 1)
    insert(site, last, 12, contacted_after=timedelta(hours=1))
    insert(site, last, 6, kind="concern", contacted_after=timedelta(hours=2))
    insert(site, last, 1, kind="concern", language="gu", contacted_after=timedelta(hours=3))
    insert(site, monday(clock, 2), 1, kind="concern", language="gu")  # alone in its week
    insert(site, monday(clock, 3), 7, contacted_after=timedelta(hours=1))
    client = officer(site, clock)

    page = staff_page_checks(client.get("/staff/reports"))
    assert "Counts below 5 are shown as “fewer than 5” so that no one can be singled out." in page
    assert "Gujarati" not in page
    weekly, rows = weekly_and_breakdown(page)
    label = f"{last.day} {last:%b %Y}"
    assert weekly[label][0] == "19"
    two_weeks = monday(clock, 2)
    assert weekly[f"{two_weeks.day} {two_weeks:%b %Y}"] == ["fewer than 5", "not shown"]
    # The rows of last week add up to its total, every one exact: the lone
    # Gujarati concern is inside "Concern, all languages: 7", and nothing is
    # hidden that a total could give away.
    assert [row for row in rows if row[0] == label] == [
        [label, "Self-referral", "English", "12"], [label, "Concern", "All languages", "7"]]
    assert [row for row in rows if row[0] == f"{two_weeks.day} {two_weeks:%b %Y}"] == [
        [f"{two_weeks.day} {two_weeks:%b %Y}", "All kinds", "All languages", "fewer than 5"]]
    # The total cannot be subtracted back to the hidden week: 19 + 7, and 1 to 4.
    assert summary(page)["Referrals"] == "between 27 and 30"
    assert "1 week had fewer than 5 referrals" in page
    for cells in [*weekly.values(), *rows]:
        assert "1" not in [cell.strip() for cell in cells]

    for weeks in ("4", "13", "52", "all"):
        lines = list(csv.reader(io.StringIO(client.get(
            f"/staff/reports.csv?weeks={weeks}").get_data(as_text=True))))
        assert lines[0] == ["week_starting", "kind", "language", "referrals"]
        body = lines[1:]
        assert not [line for line in body if line[2] == "gu" or line[3] == "1"]
        assert [two_weeks.date().isoformat(), "all", "all", "<5"] in body
        assert [last.date().isoformat(), "concern", "all", "7"] in body


def test_one_fresh_referral_is_not_yet_due_not_late(site, clock):
    refer(site, "/concern", CONCERN_ANONYMOUS)  # left no way back: not counted at all
    refer(site)
    client = officer(site, clock)
    figures_shown = summary(client.get("/staff/reports").get_data(as_text=True))
    assert figures_shown["Contacted within the promise"].startswith("None due yet")
    assert figures_shown["Not yet due"].startswith("fewer than 5 ")
    assert "0%" not in str(figures_shown) and " of 1" not in str(figures_shown)


def test_a_referral_counts_against_the_promise_once_it_runs_out(small_site, clock):
    site = small_site
    insert(site, clock["now"] - timedelta(hours=1), 3)  # fresh, nobody has called
    client = officer(site, clock)
    shown = summary(client.get("/staff/reports").get_data(as_text=True))
    assert shown["Contacted within the promise"].startswith("None due yet")
    assert shown["Not yet due"].startswith("3 ")

    clock["now"] += timedelta(hours=24)
    client = officer(site, clock)
    shown = summary(client.get("/staff/reports").get_data(as_text=True))
    assert shown["Contacted within the promise"].startswith("0% ")
    assert shown["Not yet due"].startswith("0 ")


def test_the_timings(small_site, clock):
    site = small_site
    last = monday(clock, 1)
    insert(site, last, 3, contacted_after=timedelta(minutes=100))
    insert(site, last, 1, contacted_after=timedelta(hours=30))  # late
    insert(site, last, 2, kind="concern", method="none")  # no way back: not counted
    page = officer(site, clock).get("/staff/reports").get_data(as_text=True)
    assert summary(page)["Contacted within the promise"].startswith("75% ")
    assert "2 hours" in page  # the median: 100 minutes, as a person would say it
    weekly, _ = weekly_and_breakdown(page)
    assert weekly[f"{last.day} {last:%b %Y}"] == ["6", "75%"]


def test_the_period_is_chosen_in_the_query_string(site, clock):
    insert(site, monday(clock, 2), 5)
    insert(site, monday(clock, 20), 6)
    insert(site, monday(clock, 60), 7)
    client = officer(site, clock)
    totals = {}
    for query in ("", "?weeks=4", "?weeks=13", "?weeks=52", "?weeks=all", "?weeks=nonsense"):
        page = client.get("/staff/reports" + query).get_data(as_text=True)
        totals[query] = summary(page)["Referrals"]
        chosen = query.removeprefix("?weeks=") if query in ("?weeks=4", "?weeks=52",
                                                             "?weeks=all") else "13"
        assert re.search(rf'<option value="{chosen}" selected>', page), query
        assert len(re.findall(r"<option value=\"[^\"]+\" selected>", page)) == 1
    assert totals == {"": "5", "?weeks=4": "5", "?weeks=13": "5", "?weeks=52": "11",
                      "?weeks=all": "18", "?weeks=nonsense": "5"}
    assert '<form method="get" action="/staff/reports"' in page
    four = client.get("/staff/reports.csv?weeks=4").get_data(as_text=True).splitlines()
    everything = client.get("/staff/reports.csv?weeks=all").get_data(as_text=True).splitlines()
    assert len(four) == 2 and len(everything) == 4


def test_the_chart_is_an_image_with_a_name_and_the_table_has_its_numbers(site, clock):
    insert(site, monday(clock, 1), 12, contacted_after=timedelta(hours=1))
    insert(site, monday(clock, 1), 3, contacted_after=timedelta(hours=30))
    insert(site, monday(clock, 2), 2)
    insert(site, monday(clock, 4), 6, contacted_after=timedelta(hours=1))
    client = officer(site, clock)
    page = staff_page_checks(client.get("/staff/reports?weeks=13"))
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="chart-title"' in svg
    assert re.search(r'<title id="chart-title">Referrals a week, and the share contacted '
                     r"within the promise, for the weeks starting", svg)
    assert "style" not in svg and "<script" not in page
    assert re.search(r'viewBox="0 0 480 \d+"', svg)
    # The chart and the table tell the same numbers, week by week.
    weekly, _ = weekly_and_breakdown(page)
    bars = re.findall(r'<rect class="chart-(?:bar|outline)"[^>]*><title>([^<]*)</title>', svg)
    assert dict(bar.split(": ") for bar in bars) == {
        week: cells[0] for week, cells in weekly.items() if cells[0] != "0"}
    shares = {week: cells[1] for week, cells in weekly.items() if cells[1].endswith("%")}
    assert shares == {f"{monday(clock, 1).day} {monday(clock, 1):%b %Y}": "80%",
                      f"{monday(clock, 4).day} {monday(clock, 4):%b %Y}": "100%"}
    dots = re.findall(r'<circle class="chart-dot"[^>]*><title>([^<]*)</title>', svg)
    assert sorted(dots) == sorted(f"{week}: {share}" for week, share in shares.items())
    assert len(re.findall(r'class="chart-outline"', svg)) == 1  # the week with 2
    assert len(weekly) == 13


def test_no_chart_without_referrals(site, clock):
    page = officer(site, clock).get("/staff/reports").get_data(as_text=True)
    assert "<svg" not in page and "No referrals in this period." in page
