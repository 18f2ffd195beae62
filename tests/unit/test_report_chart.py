"""The reports' chart, laid out in plain Python (webapp/rules/chart.py)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from webapp.rules import chart

THIS_WEEK = date(2025, 6, 9)


def weeks_ago(n):
    return THIS_WEEK - timedelta(weeks=n)


def test_nice_axis_tops():
    assert chart.nice_top(4) == (4, 1)
    assert chart.nice_top(23) == (30, 10)
    assert chart.nice_top(7) == (8, 2)
    assert chart.nice_top(0) == (1, 1)
    assert chart.nice_top(180) == (200, 50)


def test_the_chart_draws_bars_outlines_and_the_share():
    weeks = [(weeks_ago(3), 10, 0.8), (weeks_ago(2), None, None), (weeks_ago(1), 0, None),
             (THIS_WEEK, 20, 0.5)]
    drawn = chart.layout(weeks, hidden_up_to=4)
    assert [bar.week for bar in drawn.bars] == [weeks_ago(3), THIS_WEEK]
    assert drawn.bars[1].height == pytest.approx(drawn.bars[0].height * 2, abs=0.2)
    assert drawn.bars[1].y == drawn.counts_top  # the axis tops out at 20
    assert [bar.week for bar in drawn.outlines] == [weeks_ago(2)]
    assert drawn.outlines[0].height == pytest.approx(drawn.bars[0].height * 0.4, abs=0.2)
    assert [dot.week for dot in drawn.dots] == [weeks_ago(3), THIS_WEEK]
    assert drawn.lines == []  # the two shares are not next to each other
    assert drawn.dots[0].y < drawn.dots[1].y  # 80 % is higher up than 50 %
    assert [tick.value for tick in drawn.share_ticks] == [0, 0.5, 1]
    assert [tick.value for tick in drawn.count_ticks] == [0, 5, 10, 15, 20]


@pytest.mark.parametrize("count", [1, 4, 13, 52, 260])
def test_the_chart_fits_its_viewbox_and_its_labels_do_not_overlap(count):
    weeks = [(THIS_WEEK - timedelta(weeks=count - 1 - i), i % 7, (i % 5) / 4)
             for i in range(count)]
    drawn = chart.layout(weeks, hidden_up_to=4)
    for bar in drawn.bars:
        assert drawn.left <= bar.x and bar.x + bar.width <= drawn.right
        assert drawn.counts_top <= bar.y <= drawn.counts_bottom
    assert drawn.labels and drawn.labels[0].week == THIS_WEEK  # the latest is labelled
    width = drawn.font * (3.6 if drawn.label_format == "day" else 4.6) + 12
    spans = sorted((label.x - width, label.x) if label.anchor == "end"
                   else (label.x - width / 2, label.x + width / 2) for label in drawn.labels)
    assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans))
    assert spans[0][0] >= 0 and spans[-1][1] <= drawn.width
    assert len(drawn.labels) >= min(count, 4)
    assert len(drawn.lines) == 1 and drawn.lines[0].count(",") == count if count > 1 else True
