"""The time as the site sees it: the real clock, or a test's (``CLOCK``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

LONDON = ZoneInfo("Europe/London")  # as in referrals/due.py, which must not import Flask


def now() -> datetime:
    """Now, aware, in UTC."""
    return current_app.config.get("CLOCK", lambda: datetime.now(UTC))()


def today() -> date:
    """Today's date in the UK, where campaigns start and end."""
    return now().astimezone(LONDON).date()
