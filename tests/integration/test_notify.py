"""Notifications through the outbox: a mail server or webhook that is down
loses nothing, nothing is sent twice, and no personal detail is ever sent."""

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import ASK_BY_PHONE, Walker
from tests.servers import free_port
from webapp import db
from webapp.notify.models import NEWS_BREACH, Notification

LONDON = ZoneInfo("Europe/London")
PERSONAL = ("zebra-quartz", "7946", "pineapple", "Alex", "boiler", "Sam")
SECRET = "a-webhook-secret-of-some-length"


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def mail_server():
    """A real SMTP server on loopback, which tests can stop and start again."""
    mailbox, port = Mailbox(), free_port()
    state = {}

    def start():
        state["controller"] = Controller(mailbox, hostname="127.0.0.1", port=port)
        state["controller"].start()

    def stop():
        if state.get("controller"):
            state.pop("controller").stop()

    yield {"mailbox": mailbox, "port": port, "start": start, "stop": stop}
    stop()


@pytest.fixture
def notifying(make_app, clock, database_url, mail_server, webhook):
    def make(**settings):
        app = make_app(database_url, CLOCK=lambda: clock["now"], NOTIFY_SETTINGS=settings)
        db.upgrade(app.extensions["db_engine"])
        return app

    return make


def refer(app):
    resident = Walker(app.test_client())
    resident.walk("/ask", ASK_BY_PHONE)
    resident.send("/ask")


def send_pending(app):
    return app.test_cli_runner().invoke(args=["notify", "send-pending"])


def rows(app):
    with app.app_context():
        return db.session().scalars(select(Notification).order_by(Notification.id)).all()


def test_a_new_referral_mails_the_team_without_personal_details(notifying, mail_server):
    mail_server["start"]()
    app = notifying(SMTP_URL=f"smtp://127.0.0.1:{mail_server['port']}",
                    NOTIFY_EMAIL_TO="team@example.org")
    refer(app)
    result = send_pending(app)
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0, still waiting 0." in result.output
    [(to, message)] = mail_server["mailbox"].messages
    reference = rows(app)[0].reference
    assert to == ["team@example.org"]
    assert f"Subject: New referral {reference}, due" in message
    assert not [word for word in PERSONAL if word in message]


def test_a_mail_server_that_is_down_loses_nothing_and_sends_nothing_twice(
        notifying, mail_server, clock):
    app = notifying(SMTP_URL=f"smtp://127.0.0.1:{mail_server['port']}",
                    NOTIFY_EMAIL_TO="team@example.org")
    for _ in range(3):
        refer(app)
    failed = send_pending(app)
    assert failed.exit_code == 1
    assert "Sent 0, failed 3, still waiting 3." in failed.output
    assert [row.tries for row in rows(app)] == [1, 1, 1]
    assert all(row.last_error.startswith("ConnectionRefusedError") for row in rows(app))
    monitor = app.test_cli_runner()
    assert monitor.invoke(args=["notify", "status", "--older-than", "15"]).exit_code == 0
    clock["now"] += timedelta(minutes=16)  # what a monitoring check would page someone for
    alarm = monitor.invoke(args=["notify", "status", "--older-than", "15"])
    assert alarm.exit_code == 1 and "email: 3 waiting" in alarm.output
    assert "waited more than 15 minutes" in alarm.output
    assert "failed 3" in send_pending(app).output  # the second try fails too
    assert [row.tries for row in rows(app)] == [2, 2, 2]
    mail_server["start"]()
    waiting = send_pending(app)  # too soon: after two failures each waits two minutes
    assert "Sent 0, failed 0, still waiting 3." in waiting.output
    clock["now"] += timedelta(minutes=2, seconds=1)
    assert "Sent 3, failed 0, still waiting 0." in send_pending(app).output
    assert monitor.invoke(args=["notify", "status", "--older-than", "15"]).exit_code == 0
    clock["now"] += timedelta(hours=2)
    assert "Sent 0, failed 0, still waiting 0." in send_pending(app).output
    references = sorted(row.reference for row in rows(app))
    mailed = sorted(message.split("Subject: New referral ")[1][:7]
                    for _, message in mail_server["mailbox"].messages)
    assert mailed == references  # each once


class Hook(BaseHTTPRequestHandler):
    received: ClassVar[list] = []
    status = 204

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers, body))  # case-blind lookups
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    Hook.received, Hook.status = [], 204
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_the_webhook_is_signed_and_retried(notifying, webhook, clock):
    app = notifying(NOTIFY_WEBHOOK_URL=webhook, NOTIFY_WEBHOOK_SECRET=SECRET)
    Hook.status = 503
    refer(app)
    assert send_pending(app).exit_code == 1
    Hook.status = 204
    clock["now"] += timedelta(minutes=2)
    assert "Sent 1" in send_pending(app).output
    headers, body = Hook.received[-1]
    expected = hmac.new(SECRET.encode(), headers["X-QuietDoor-Timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert headers["X-QuietDoor-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert set(payload) == {"id", "event", "reference", "due_at", "created_at"}
    assert payload["event"] == "new"
    assert not [word for word in PERSONAL if word in body.decode()]


def test_a_bad_channel_setting_stops_the_app_with_a_clear_message(make_app):
    with pytest.raises(RuntimeError, match="NOTIFY_EMAIL_TO"):
        make_app(NOTIFY_SETTINGS={"SMTP_URL": "smtp://127.0.0.1:25"})
    with pytest.raises(RuntimeError, match="NOTIFY_WEBHOOK_SECRET"):
        make_app(NOTIFY_SETTINGS={"NOTIFY_WEBHOOK_URL": "https://example.org/hook"})


def test_breach_warnings_come_two_hours_ahead_and_once(notifying, webhook, clock):
    # Received on Monday 30 November at 23:00: the promise is Tuesday 23:00, but
    # the resident's safe times are weekdays 8 to 5, so it is due at the start
    # of Tuesday's last safe window, 12:00; the team hears at 10:00.
    clock["now"] = datetime(2026, 11, 30, 23, 0, tzinfo=LONDON).astimezone(UTC)
    app = notifying(NOTIFY_WEBHOOK_URL=webhook, NOTIFY_WEBHOOK_SECRET=SECRET)
    refer(app)
    send_pending(app)
    assert [json.loads(body)["event"] for _, body in Hook.received] == ["new"]
    for hour, minute in ((6, 0), (9, 59)):
        clock["now"] = datetime(2026, 12, 1, hour, minute, tzinfo=LONDON).astimezone(UTC)
        send_pending(app)
        assert len(Hook.received) == 1
    clock["now"] = datetime(2026, 12, 1, 10, 0, tzinfo=LONDON).astimezone(UTC)
    send_pending(app)
    send_pending(app)
    events = [json.loads(body) for _, body in Hook.received]
    assert [event["event"] for event in events] == ["new", "breach"]
    assert events[1]["due_at"] == "2026-12-01T12:00:00+00:00"


def test_a_failed_notification_is_not_sent_again_by_another_worker_at_once(
        notifying, webhook, clock):
    """Worker B picked the row before worker A failed it: B must respect A's back-off."""
    app = notifying(NOTIFY_WEBHOOK_URL=webhook, NOTIFY_WEBHOOK_SECRET=SECRET)
    refer(app)
    Hook.status = 503
    assert send_pending(app).exit_code == 1  # worker A: failed, next try in a minute
    with app.app_context():
        from webapp.notify import outbox

        [row] = db.session().scalars(select(Notification)).all()
        # Worker B listed this row before A failed it; now B tries to claim it.
        assert not outbox.claim(db.session(), row.id, clock["now"])
        assert outbox.claim(db.session(), row.id, clock["now"] + timedelta(minutes=1))


def test_a_password_is_never_sent_to_a_mail_server_without_tls(notifying, mail_server):
    mail_server["start"]()  # this test server offers no STARTTLS
    app = notifying(SMTP_URL=f"smtp://team:secret@127.0.0.1:{mail_server['port']}",
                    NOTIFY_EMAIL_TO="team@example.org")
    refer(app)
    assert send_pending(app).exit_code == 1
    assert rows(app)[0].last_error.startswith("ConnectionError: the mail server offers no "
                                              "STARTTLS")
    assert mail_server["mailbox"].messages == []


def test_an_hour_of_both_channels_down_delivers_everything_once(
        notifying, mail_server, webhook, clock):
    app = notifying(SMTP_URL=f"smtp://127.0.0.1:{mail_server['port']}",
                    NOTIFY_EMAIL_TO="team@example.org",
                    NOTIFY_WEBHOOK_URL=webhook, NOTIFY_WEBHOOK_SECRET=SECRET)
    from webapp.notify.models import NEW, enqueue

    references = [f"T{n:02}-XYZ" for n in range(40)]
    with app.app_context():
        session = db.session()
        for reference in references:  # an hour's worth of a busy campaign day
            enqueue(session, ("email", "webhook"), NEW, reference,
                    clock["now"] + timedelta(hours=24), clock["now"])
        session.commit()
    Hook.status = 503  # the webhook answers, badly; the mail server is not there at all
    for _ in range(12):  # the worker keeps trying, every five minutes, for an hour
        send_pending(app)
        clock["now"] += timedelta(minutes=5)
    assert mail_server["mailbox"].messages == []
    assert all(row.sent_at is None and row.tries >= 4 for row in rows(app))  # 1+2+4+8+16 min
    mail_server["start"]()
    Hook.received.clear()  # the refused tries were answered 503: not delivered
    Hook.status = 204
    clock["now"] += timedelta(hours=1)  # past the longest back-off
    result = send_pending(app)
    assert "Sent 80, failed 0, still waiting 0." in result.output
    assert "Sent 0, failed 0, still waiting 0." in send_pending(app).output
    mailed = sorted(message.split("Subject: New referral ")[1][:7]
                    for _, message in mail_server["mailbox"].messages)
    hooked = sorted(json.loads(body)["reference"] for _, body in Hook.received
                    if json.loads(body)["reference"] in references)
    assert mailed == sorted(references) and hooked == sorted(references)  # each once


# -- her news on the way back, not dealt with ------------------------------------------


def at(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def queue_warnings(app, moment):
    """One round's queueing, as ``notify send-pending`` does it."""
    from webapp.notify import outbox
    from webapp.notify.cli import due_rules

    site = app.config["SITE"]
    with app.app_context():
        return outbox.queue_breach_warnings(
            db.session(),
            app.extensions["notify_senders"],
            moment,
            timedelta(hours=site.warn_hours_before_due),
            site.office_hours,
            due_rules.bank_holidays(site.holidays_subdivision),
        )


def her_news(app, kind, came, due):
    """An item of news as the public side adds it (webapp/wayback/routes.py)."""
    from webapp.referrals.models import Referral
    from webapp.wayback.models import WayBackEntry

    with app.app_context():
        session = db.session()
        referral = session.scalars(select(Referral)).one()
        entry = WayBackEntry(referral_id=referral.id, at=came, kind=kind, by_resident=True,
                             for_staff=b"sealed", due_at=due)
        session.add(entry)
        session.commit()
        return entry.id


def deal_with(app, *entry_ids):
    from webapp.wayback.models import WayBackEntry

    with app.app_context():
        for entry_id in entry_ids:
            db.session().get(WayBackEntry, entry_id).dealt_at = at(2, 13)
        db.session().commit()


def news_warnings(app):
    return [(row.channel, row.reference, row.due_at, row.about)
            for row in rows(app) if row.event == NEWS_BREACH]


@pytest.fixture
def news_app(notifying, webhook, clock):
    """A referral that arrived on Monday 30 November at 23:00 (first contact
    due Tuesday 12:00), on both channels."""
    clock["now"] = at(1, 0) - timedelta(hours=1)
    app = notifying(NOTIFY_WEBHOOK_URL=webhook, NOTIFY_WEBHOOK_SECRET=SECRET,
                    SMTP_URL="smtp://127.0.0.1:25", NOTIFY_EMAIL_TO="team@example.org")
    refer(app)
    return app


def test_her_news_not_dealt_with_is_warned_of_at_the_lead_and_once(news_app, webhook, clock):
    from webapp.rules import wayback

    app = news_app
    [reference] = {row.reference for row in rows(app)}
    # She writes on Tuesday at 09:00; it is due on Wednesday at 12:00.
    her_news(app, wayback.RESIDENT_MESSAGE, at(1, 9), at(2, 12))
    queue_warnings(app, at(2, 9, 59))
    assert news_warnings(app) == []
    assert queue_warnings(app, at(2, 10)) >= 1
    assert queue_warnings(app, at(2, 10, 1)) == 0
    assert sorted(news_warnings(app)) == [
        (channel, reference, at(2, 12), "2026-12-02T12:00:00Z") for channel in ("email", "webhook")
    ]
    # Nothing of what she wrote: the webhook says the event, reference and due time.
    clock["now"] = at(2, 10, 1)
    send_pending(app)
    sent = [json.loads(body) for _, body in Hook.received]
    news = [event for event in sent if event["event"] == NEWS_BREACH]
    assert [(event["reference"], event["due_at"]) for event in news] == [
        (reference, "2026-12-02T12:00:00+00:00")]
    assert set(news[0]) == {"id", "event", "reference", "due_at", "created_at"}
    from webapp.notify.send import wording

    [row] = [row for row in rows(app) if row.event == NEWS_BREACH and row.channel == "email"]
    subject, body = wording(row, "Community Safety team")
    assert subject == (f"News on referral {reference} is about to breach: "
                       "due Wednesday 2 December 12:00")
    assert "no one has dealt with it yet" in body
    assert not any(word in subject + body for word in PERSONAL)


def test_more_news_is_warned_of_when_its_own_due_time_heads_the_queue(news_app):
    from webapp.rules import wayback

    app = news_app
    first = her_news(app, wayback.RESIDENT_MESSAGE, at(1, 9), at(2, 12))
    second = her_news(app, wayback.CONTACT_CHANGED, at(1, 11), at(2, 16))
    queue_warnings(app, at(2, 10))
    assert [row[2] for row in news_warnings(app)] == [at(2, 12)] * 2
    # Still waiting at 14:00: the queue shows the referral due at 12:00, already warned of.
    queue_warnings(app, at(2, 14))
    assert len(news_warnings(app)) == 2
    # An officer deals with the message only: the change is due at 16:00, and
    # its warning time (14:00) has come.
    deal_with(app, first)
    queue_warnings(app, at(2, 14, 1))
    queue_warnings(app, at(2, 14, 2))
    assert sorted(row[2] for row in news_warnings(app)) == [at(2, 12)] * 2 + [at(2, 16)] * 2
    deal_with(app, second)
    her_news(app, wayback.CONTACT_CHANGED, at(1, 11), at(2, 16))  # the same due time again
    queue_warnings(app, at(2, 15))
    assert len(news_warnings(app)) == 4


def test_news_dealt_with_or_on_a_closed_referral_or_out_of_hours_raises_nothing(news_app):
    from webapp.referrals.models import Referral
    from webapp.rules import wayback

    app = news_app
    dealt = her_news(app, wayback.STOP, at(1, 9), at(2, 12))
    deal_with(app, dealt)
    queue_warnings(app, at(2, 11))
    assert news_warnings(app) == []
    # Due on Monday 7 December at 09:30: warned of at the close of Friday
    # 4 December, never at the weekend.
    her_news(app, wayback.PRESSURE, at(4, 10), at(7, 9, 30))
    queue_warnings(app, at(5, 12))
    queue_warnings(app, at(4, 16, 58))
    assert news_warnings(app) == []
    with app.app_context():
        db.session().scalars(select(Referral)).one().status = "closed"
        db.session().commit()
    queue_warnings(app, at(4, 16, 59))
    assert news_warnings(app) == []
    with app.app_context():
        db.session().scalars(select(Referral)).one().status = "open"
        db.session().commit()
    queue_warnings(app, at(4, 16, 59))
    assert [row[2] for row in news_warnings(app)] == [at(7, 9, 30)] * 2


def test_the_database_refuses_a_second_warning_for_the_same_news(news_app):
    from sqlalchemy.exc import IntegrityError

    from webapp.notify.models import enqueue

    app = news_app
    with app.app_context():
        session = db.session()
        enqueue(session, ["webhook"], NEWS_BREACH, "K7M-4QP", at(2, 12), at(2, 10),
                about="2026-12-02T12:00:00Z")
        session.commit()
        enqueue(session, ["webhook"], NEWS_BREACH, "K7M-4QP", at(2, 16), at(2, 14),
                about="2026-12-02T16:00:00Z")
        session.commit()  # another due time: another warning
        enqueue(session, ["webhook"], NEWS_BREACH, "K7M-4QP", at(2, 12), at(2, 10),
                about="2026-12-02T12:00:00Z")
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()


def test_two_workers_at_once_warn_of_the_same_news_once(news_app, database_url):
    """Both list the news before either has queued its warning; the unique
    constraint lets one in. PostgreSQL only (SQLite serialises writers)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_POSTGRES_URL)")
    from sqlalchemy.orm import Session

    from webapp.notify import outbox
    from webapp.rules import wayback

    app = news_app
    her_news(app, wayback.RESIDENT_MESSAGE, at(1, 9), at(2, 12))
    site = app.config["SITE"]
    from webapp.rules import due as due_rules

    holidays = due_rules.bank_holidays(site.holidays_subdivision)
    engine = app.extensions["db_engine"]
    barrier = threading.Barrier(2)
    counts, problems = [], []
    real_enqueue = outbox.enqueue

    def enqueue_together(*args, **kwargs):
        real_enqueue(*args, **kwargs)
        barrier.wait(timeout=10)  # both have listed the news and not yet committed

    def worker():
        try:
            with Session(engine) as session:
                counts.append(outbox.queue_news_warnings(
                    session, ["email", "webhook"], at(2, 10), timedelta(hours=2),
                    site.office_hours, holidays))
        except Exception as problem:  # reported below
            problems.append(problem)

    outbox.enqueue = enqueue_together
    try:
        workers = [threading.Thread(target=worker) for _ in range(2)]
        for each in workers:
            each.start()
        for each in workers:
            each.join(timeout=30)
    finally:
        outbox.enqueue = real_enqueue
    assert problems == []
    assert sorted(counts) == [0, 1]
    assert len(news_warnings(app)) == 2  # one per channel
