"""Issue 14's four quiet edits of the audit log, made as someone with write
access to the database but not the staff secret would, each now caught by
``audit verify``; a head row removed no longer stops anyone signing in; the
checkpoints kept outside the database catch a head moved back to an old
state; and on PostgreSQL the application's user cannot change or delete an
entry at all."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, delete, func, select, text, update

from tests.staff import OFFICER, sign_in
from webapp import db
from webapp.rules import audit as chain
from webapp.staff import audit
from webapp.staff.models import AuditEntry, AuditHead

pytestmark = pytest.mark.db


@pytest.fixture
def logged(site):
    """Six entries recorded by the application."""
    with site.app_context():
        session = db.session()
        for number in range(6):
            audit.record(session, OFFICER, "referral.view", f"K7M-4Q{number}",
                         datetime.now(UTC))
            session.commit()
    return site


def verify(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args], input=input)


def intact(app) -> bool:
    result = verify(app)
    return result.exit_code == 0 and "intact" in result.output


def test_an_untouched_log_verifies(logged):
    assert intact(logged)


def test_deleting_the_last_entries_and_moving_the_head_back_shows(logged):
    with logged.app_context():
        session = db.session()
        last_three = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id.desc())
                                     .limit(2)).all()
        session.execute(delete(AuditEntry).where(AuditEntry.id.in_(last_three)))
        new_last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        # Moved back as an attacker can: the hash and count are easy, the MAC is not.
        session.execute(update(AuditHead).values(hash=new_last.hash, count=4))
        session.commit()
    result = verify(logged)
    assert result.exit_code == 1 and "MAC" in result.output


def test_deleting_the_head_row_and_the_last_entry_shows_and_still_lets_people_work(logged,
                                                                                     clock):
    with logged.app_context():
        session = db.session()
        session.execute(delete(AuditHead))
        session.execute(delete(AuditEntry).where(AuditEntry.id == session.scalar(
            select(func.max(AuditEntry.id)))))
        session.commit()
    result = verify(logged)
    assert result.exit_code == 1 and "head row is missing" in result.output
    # Signing in still works (before, every audited action was a 500)...
    assert sign_in(logged, logged.test_client(), clock).headers["Location"] == "/staff/"
    # ...and the chain itself now says where the head went missing.
    result = verify(logged)
    assert result.exit_code == 1 and "restored" in result.output
    with logged.app_context():
        restored = db.session().scalar(select(AuditEntry.id).where(
            AuditEntry.action == chain.HEAD_RESTORED))
    acknowledged = logged.test_cli_runner().invoke(
        args=["audit", "acknowledge", str(restored), "--note", "restored from backup 12/07"])
    assert acknowledged.exit_code == 0
    assert intact(logged)


def test_editing_an_entry_and_hashing_everything_after_again_shows(logged):
    with logged.app_context():
        session = db.session()
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        prev = rows[1].prev_hash
        for index, row in enumerate(rows[1:], start=1):
            actor = "someone.else@example.org" if index == 1 else row.actor
            body = json.dumps([prev, row.at.isoformat(), actor, row.action, row.reference,
                               row.detail], ensure_ascii=False, separators=(",", ":"))
            new_hash = hashlib.sha256(body.encode()).hexdigest()  # no key: the best they can
            session.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(
                actor=actor, prev_hash=prev, hash=new_hash, keyed=False))
            prev = new_hash
        session.execute(update(AuditHead).values(hash=prev))
        session.commit()
    result = verify(logged)
    assert result.exit_code == 1 and "broken at entry" in result.output


def test_emptying_the_log_shows(logged):
    with logged.app_context():
        session = db.session()
        session.execute(delete(AuditEntry))
        session.execute(update(AuditHead).values(hash=chain.GENESIS, count=None, mac=None))
        session.commit()
    result = verify(logged)
    assert result.exit_code == 1 and "empty" in result.output


def test_a_checkpoint_kept_outside_catches_an_old_head_put_back(logged, tmp_path):
    """The one edit the database alone cannot show: a copy of an earlier head
    row (hash, count and MAC) put back after the entries since were deleted."""
    with logged.app_context():
        session = db.session()
        saved = session.execute(select(AuditHead.hash, AuditHead.count, AuditHead.mac)).one()
        first_new = None
        for number in range(3):
            entry = audit.record(session, OFFICER, "referral.view", f"K7M-9Q{number}",
                                 datetime.now(UTC))
            session.commit()
            first_new = first_new or entry.id
    line = logged.test_cli_runner().invoke(args=["audit", "checkpoint"]).output
    syslog = tmp_path / "syslog"
    syslog.write_text(f"Dec  7 10:00:00 staff quietdoor: {line}")
    assert verify(logged, "--checkpoints", str(syslog)).exit_code == 0
    with logged.app_context():
        session = db.session()
        session.execute(delete(AuditEntry).where(AuditEntry.id >= first_new))
        session.execute(update(AuditHead).values(hash=saved.hash, count=saved.count,
                                                 mac=saved.mac))
        session.commit()
    assert intact(logged)  # the database alone cannot tell...
    result = verify(logged, "--checkpoints", str(syslog))
    assert result.exit_code == 1 and "checkpoint" in result.output  # ...the checkpoint can
    forged = tmp_path / "forged"
    forged.write_text(line.replace(line.split("mac=")[1].strip(), "0" * 64))
    assert "wrong MAC" in verify(logged, "--checkpoints", str(forged)).output


def test_the_application_user_cannot_change_or_delete_an_entry(logged, database_url, clock):
    if not database_url.startswith("postgresql"):
        pytest.skip("database users are PostgreSQL's; SQLite has none")
    role = "qd_staff_" + uuid.uuid4().hex[:8]
    owner = create_engine(database_url)
    with owner.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        result = logged.test_cli_runner().invoke(args=["db", "grant-staff", role])
        assert result.exit_code == 0, result.output
        limited_url = database_url.replace("postgres@", f"{role}@", 1)
        limited = create_engine(limited_url)
        with limited.connect() as connection:
            for statement in ("UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry",
                              "DELETE FROM audit_head", "TRUNCATE audit_entry"):
                with pytest.raises(Exception, match="permission denied"):
                    connection.execute(text(statement))
                connection.rollback()
        limited.dispose()
        # And the staff side works as that user: sign in, the queue, all audited.
        from tests.conftest import ASK_BY_PHONE, Walker
        from webapp import create_app

        staff = create_app({"TESTING": True, "RATELIMIT_ENABLED": False,
                            "INSTANCE_PATH": logged.instance_path,
                            "SECRET_KEY": logged.config["SECRET_KEY"],
                            "DATABASE_URL": limited_url, "CLOCK": lambda: clock["now"]})
        try:
            resident = Walker(staff.test_client())
            resident.walk("/ask", ASK_BY_PHONE)
            resident.send("/ask")
            officer = staff.test_client()
            clock["now"] = clock["now"].replace(microsecond=0)
            assert sign_in(staff, officer, clock).headers["Location"] == "/staff/"
            assert officer.get("/staff/").status_code == 200
        finally:
            staff.extensions["db_engine"].dispose()
        assert intact(logged)
    finally:
        with owner.begin() as connection:
            connection.execute(text(f'REASSIGN OWNED BY "{role}" TO postgres'))
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))
        owner.dispose()



def test_the_notification_worker_writes_checkpoints_that_verify_reads(logged, capsys):
    from webapp.notify.cli import write_checkpoint
    from webapp.rules.credentials import AUDIT_KEY

    with logged.app_context():
        write_checkpoint()
        line = capsys.readouterr().out
        point = chain.read_checkpoint(logged.extensions["staff_keys"][AUDIT_KEY], line)
    assert point is not None and point.count == 6
