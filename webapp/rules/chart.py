"""The reports' chart, laid out in plain Python: where each bar, dot, line
and label of the SVG goes. The template only draws what this returns, with
presentation attributes and classes (the CSP allows no inline style), and
formats the numbers and dates in the page's language.

Two panels share the weeks along the bottom: referrals a week (bars) above,
the share contacted within the promise (dots, joined where weeks follow each
other) below, 0 to 100 %. A week with too few referrals to show is drawn as a
dashed outline up to the largest count it could hold, so it is never drawn
as a number it is not. The viewBox is 480 wide, so that on a 375px phone the
19-unit text is still about 13.5px (and 19px beside the table on a wide
screen).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

WIDTH = 480
FONT = 19  # user units; see the module docstring
LEFT = 54  # room for the axis labels ("100%")
RIGHT = 8
TITLE = 42  # room for a panel's title above it
COUNTS_HEIGHT = 150
SHARE_HEIGHT = 110
GAP = 22  # between the panels
LABELS = 34  # room for the weeks along the bottom


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    week: date
    value: int | None  # None: too few to show


@dataclass(frozen=True)
class Tick:
    y: float
    value: float  # a count, or a share (0 to 1)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    week: date
    share: float


@dataclass(frozen=True)
class Label:
    x: float
    week: date
    anchor: str = "middle"  # "end" for one that would run off the right edge


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    font: int
    left: float
    right: float  # where the plots end
    counts_title_y: float
    counts_top: float
    counts_bottom: float
    share_title_y: float
    share_top: float
    share_bottom: float
    labels_y: float
    bars: list[Bar]
    outlines: list[Bar]  # weeks with too few to show
    count_ticks: list[Tick]
    share_ticks: list[Tick]
    lines: list[str]  # "x,y x,y ..." for a <polyline>, one per run of weeks
    dots: list[Dot]
    labels: list[Label]
    label_format: str  # "day" ("3 Mar") or "month" ("Mar 2025")


def nice_top(largest: float, most_intervals: int = 4) -> tuple[int, int]:
    """The axis's top and step: 1, 2 or 5 times a power of ten, so that at
    most ``most_intervals`` steps reach ``largest``."""
    largest = max(largest, 1)
    power = 10 ** max(0, math.floor(math.log10(largest / most_intervals)))
    while True:
        for multiple in (1, 2, 5):
            step = multiple * power
            if math.ceil(largest / step) <= most_intervals:
                return math.ceil(largest / step) * step, step
        power *= 10


def layout(weeks: list[tuple[date, int | None, float | None]], hidden_up_to: int) -> Chart:
    """``weeks``: oldest first, (Monday, referrals or None if hidden, share
    within the promise or None); ``hidden_up_to``: the most a hidden week can
    hold (the minimum less one)."""
    counts_title_y = FONT + 2
    counts_top = TITLE
    counts_bottom = counts_top + COUNTS_HEIGHT
    share_title_y = counts_bottom + GAP + FONT + 2
    share_top = counts_bottom + GAP + TITLE
    share_bottom = share_top + SHARE_HEIGHT
    labels_y = share_bottom + FONT + 8
    height = share_bottom + LABELS
    right = WIDTH - RIGHT

    shown = [count for _, count, _ in weeks if count is not None]
    any_hidden = any(count is None for _, count, _ in weeks)
    top, step = nice_top(max([*shown, hidden_up_to if any_hidden else 0, 1]))

    def count_y(value: float) -> float:
        return round(counts_bottom - value / top * COUNTS_HEIGHT, 1)

    def share_y(value: float) -> float:
        return round(share_bottom - value * SHARE_HEIGHT, 1)

    band = (right - LEFT) / max(len(weeks), 1)
    bar_width = round(max(band * 0.7, 1.0), 1)
    bars, outlines, dots, lines, run = [], [], [], [], []
    for i, (week, count, share) in enumerate(weeks):
        middle = LEFT + band * (i + 0.5)
        x = round(middle - bar_width / 2, 1)
        if count is None:
            y = count_y(hidden_up_to)
            outlines.append(Bar(x, y, bar_width, round(counts_bottom - y, 1), week, None))
        elif count:
            y = count_y(count)
            bars.append(Bar(x, y, bar_width, round(counts_bottom - y, 1), week, count))
        if share is None:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
            continue
        dot = Dot(round(middle, 1), share_y(share), week, share)
        dots.append(dot)
        run.append(f"{dot.x},{dot.y}")
    if len(run) > 1:
        lines.append(" ".join(run))

    span_days = (weeks[-1][0] - weeks[0][0]).days if weeks else 0
    label_format = "day" if span_days < 364 else "month"
    label_width = FONT * (3.6 if label_format == "day" else 4.6) + 12
    every = max(1, math.ceil(label_width / band))
    # From the latest week back, every few weeks; where one would overlap the
    # label after it (or run off the left edge), the next week back that fits.
    labels: list[Label] = []
    free_up_to = WIDTH  # labels that end before this do not overlap
    i = len(weeks) - 1
    while i >= 0:
        middle = LEFT + band * (i + 0.5)
        if middle + label_width / 2 > WIDTH:
            label = Label(round(LEFT + band * (i + 1), 1), weeks[i][0], "end")
            start, end = label.x - label_width, label.x
        else:
            label = Label(round(middle, 1), weeks[i][0])
            start, end = middle - label_width / 2, middle + label_width / 2
        if start < 0:
            break
        if end > free_up_to:
            i -= 1
            continue
        labels.append(label)
        free_up_to = start
        i -= every
    return Chart(
        width=WIDTH,
        height=height,
        font=FONT,
        left=LEFT,
        right=right,
        counts_title_y=counts_title_y,
        counts_top=counts_top,
        counts_bottom=counts_bottom,
        share_title_y=share_title_y,
        share_top=share_top,
        share_bottom=share_bottom,
        labels_y=labels_y,
        bars=bars,
        outlines=outlines,
        count_ticks=[Tick(count_y(v), v) for v in range(0, top + 1, step)],
        share_ticks=[Tick(share_y(v), v) for v in (0, 0.5, 1)],
        lines=lines,
        dots=dots,
        labels=labels,
        label_format=label_format,
    )
