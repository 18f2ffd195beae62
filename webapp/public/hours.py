"""Office hours as people read them: "Monday to Friday: 09:00 to 17:00"."""

from __future__ import annotations

from datetime import time

from babel.dates import get_day_names
from flask_babel import format_time, get_locale
from flask_babel import gettext as _

from webapp.settings import DAYS


def group_days(hours: dict[str, tuple[time, time] | None]) -> list[tuple[int, int, tuple | None]]:
    """Runs of consecutive days with the same hours, as (first, last, hours)."""
    runs: list[tuple[int, int, tuple | None]] = []
    for index, day in enumerate(DAYS):
        if runs and runs[-1][2] == hours[day]:
            runs[-1] = (runs[-1][0], index, hours[day])
        else:
            runs.append((index, index, hours[day]))
    return runs


def office_hours_rows(hours: dict[str, tuple[time, time] | None]) -> list[dict[str, str]]:
    names = get_day_names("wide", locale=get_locale())
    rows = []
    for first, last, span in group_days(hours):
        if first == last:
            days = names[first]
        else:
            days = _("%(first)s to %(last)s", first=names[first], last=names[last])
        if span is None:
            text = _("Closed")
        else:
            text = _(
                "%(start)s to %(end)s",
                start=format_time(span[0], "HH:mm"),
                end=format_time(span[1], "HH:mm"),
            )
        rows.append({"days": days, "hours": text})
    return rows
