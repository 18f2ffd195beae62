"""Notifications stored before migration 0009 (breach warnings for her news)
read the same after it: the same rows, with nothing in ``about``, and still
one per channel, event and reference: an old "breach" is not warned of again,
and an old "update" still holds back the next until an officer deals with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import ASK_BY_PHONE, Walker
from webapp import db
from webapp.notify.models import BREACH, UPDATE, Notification, enqueue
from webapp.referrals.models import Referral

pytestmark = pytest.mark.db

COLUMNS = ("channel", "event", "reference", "due_at", "created_at", "tries", "next_try_at",
           "claimed_until", "sent_at", "last_error")


def test_notifications_from_before_0009(make_app, database_url, clock):
    app = make_app(database_url, CLOCK=lambda: clock["now"])
    engine = app.extensions["db_engine"]
    db.upgrade(engine, "0008")
    resident = Walker(app.test_client())
    resident.walk("/ask", ASK_BY_PHONE)  # no channel set up: no notification written by the app
    assert resident.send("/ask").status_code == 302
    with app.app_context():
        reference = db.session().scalars(select(Referral.reference)).one()
    due = datetime(2026, 12, 1, 12, tzinfo=UTC)
    stored = [
        ("webhook", "new", reference, due, due - timedelta(hours=13), 1,
         due - timedelta(hours=13), None, due - timedelta(hours=13), ""),
        ("webhook", "breach", reference, due, due - timedelta(hours=2), 2,
         due - timedelta(hours=1), None, None, "URLError: refused"),
        ("webhook", "update", reference, due + timedelta(days=1), due, 0, due, None, None, ""),
    ]
    with engine.begin() as connection:
        for row in stored:
            connection.execute(
                text(f"INSERT INTO notification ({', '.join(COLUMNS)}) "
                     f"VALUES ({', '.join(':' + column for column in COLUMNS)})"),
                [dict(zip(COLUMNS, row, strict=True))],
            )

    db.upgrade(engine)

    with app.app_context():
        session = db.session()
        after = session.scalars(select(Notification).order_by(Notification.id)).all()
        assert [tuple(getattr(row, column) for column in COLUMNS) for row in after] == stored
        assert [row.about for row in after] == ["", "", ""]
        for event in ("new", BREACH, UPDATE):
            enqueue(session, ["webhook"], event, reference, due, due)
            with pytest.raises(IntegrityError):
                session.commit()
            session.rollback()
        enqueue(session, ["email"], BREACH, reference, due, due)  # another channel: still fine
        session.commit()
