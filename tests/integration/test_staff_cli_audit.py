"""Staff accounts from the command line, and the chained audit log, on
SQLite and (when set) PostgreSQL."""

import json
import threading
from datetime import UTC, datetime
from itertools import pairwise

import pyotp
import pytest
from sqlalchemy import select, update

from webapp import db
from webapp.rules import credentials as accounts
from webapp.staff import audit
from webapp.staff.models import AuditEntry, RecoveryCode, StaffUser
from webapp.staff.secret import key

pytestmark = pytest.mark.db


@pytest.fixture
def staff_app(make_app, database_url):
    app = make_app(database_url)
    db.upgrade(app.extensions["db_engine"])
    return app


def test_create_an_officer_with_a_password_from_stdin(staff_app):
    runner = staff_app.test_cli_runner()
    result = runner.invoke(args=["staff", "create", "Officer@Example.org", "--role", "officer"],
                           input="a long pass phrase\na long pass phrase\n")
    assert result.exit_code == 0, result.output
    secret = next(line.split(": ")[1] for line in result.output.splitlines()
                  if line.startswith("TOTP secret: "))
    assert "otpauth://totp/" in result.output
    with staff_app.app_context():
        user = db.session().scalar(select(StaffUser))
        assert user.email == "officer@example.org" and user.role == "officer"
        assert accounts.check_password(user.password_hash, "a long pass phrase")
        assert secret not in user.totp_secret  # sealed: a dump of the database does not give it
        assert accounts.open_seed(key(accounts.SEED_KEY), user.totp_secret) == secret
        code = pyotp.TOTP(secret).now()
        assert accounts.check_totp(secret, code, datetime.now(UTC), None) is not None
        assert len(list(db.session().scalars(select(RecoveryCode)))) == 8
    again = runner.invoke(args=["staff", "create", "officer@example.org"],
                          input="a long pass phrase\na long pass phrase\n")
    assert again.exit_code != 0 and "already has an account" in again.output


def test_passwords_must_match_and_be_long(staff_app):
    runner = staff_app.test_cli_runner()
    mismatch = runner.invoke(args=["staff", "create", "a@example.org"],
                             input="a long pass phrase\nanother phrase!!\n")
    assert mismatch.exit_code != 0
    short = runner.invoke(args=["staff", "create", "a@example.org"], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 12" in short.output


def test_disable_and_reset(staff_app):
    runner = staff_app.test_cli_runner()
    runner.invoke(args=["staff", "create", "a@example.org"],
                  input="a long pass phrase\na long pass phrase\n")
    assert runner.invoke(args=["staff", "disable", "a@example.org"]).exit_code == 0
    reset = runner.invoke(args=["staff", "reset-2fa", "a@example.org"])
    assert reset.exit_code == 0 and "TOTP secret: " in reset.output
    with staff_app.app_context():
        assert db.session().scalar(select(StaffUser)).active is False
    assert runner.invoke(args=["staff", "disable", "nobody@example.org"]).exit_code != 0


def test_audit_chain_exports_and_verifies(staff_app):
    with staff_app.app_context():
        for number in range(5):
            audit.record(db.session(), "officer@example.org", "referral.view", f"K7M-4Q{number}",
                         datetime.now(UTC))
            db.session().commit()  # record adds to the caller's transaction
    runner = staff_app.test_cli_runner()
    lines = [json.loads(line) for line in
             runner.invoke(args=["audit", "export"]).output.splitlines()]
    assert [line["reference"] for line in lines] == [f"K7M-4Q{n}" for n in range(5)]
    assert all(b["prev_hash"] == a["hash"] for a, b in pairwise(lines))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 5 entries" in result.output


def test_tampering_shows(staff_app):
    with staff_app.app_context():
        session = db.session()
        for number in range(3):
            audit.record(session, "officer@example.org", "referral.view", f"REF-{number}",
                         datetime.now(UTC))
            session.commit()
        session.execute(update(AuditEntry).where(AuditEntry.reference == "REF-1")
                        .values(actor="someone.else@example.org"))
        session.commit()
    result = staff_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "broken at entry" in result.output


def test_removing_the_last_entry_shows(staff_app):
    with staff_app.app_context():
        session = db.session()
        for number in range(3):
            audit.record(session, "a@example.org", "referral.view", f"R{number}",
                         datetime.now(UTC))
            session.commit()
        last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
        session.delete(last)
        session.commit()
        assert audit.verify(session)[0] is False


def test_writers_at_once_never_fork_the_chain(staff_app):
    engine = staff_app.extensions["db_engine"]
    chain_key = staff_app.extensions["staff_keys"][accounts.AUDIT_KEY]
    from sqlalchemy.orm import Session

    def write(worker):
        with Session(engine) as session:
            for number in range(10):
                audit.record(session, f"w{worker}@example.org", "referral.view",
                             f"R{worker}-{number}", datetime.now(UTC), key=chain_key)
                session.commit()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as session:
        intact, _, count, _ = audit.verify(session, chain_key)
    assert intact and count == 40
