"""The time as the site sees it: the real clock, or a test's (``CLOCK``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

LONDON = ZoneInfo("Europe/London")  # as in referrals/due.py, which must not import Flask


def now(app=None) -> datetime:
    """Now, aware, in UTC. ``app`` for code that runs outside a request (the
    whole-page replay in ``webapp/pages.py``); the current app otherwise."""
    return (app or current_app).config.get("CLOCK", lambda: datetime.now(UTC))()


def today(app=None) -> date:
    """Today's date in the UK, where campaigns start and end."""
    return now(app).astimezone(LONDON).date()
