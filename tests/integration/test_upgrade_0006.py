"""Accounts and audit entries stored before migration 0006 still work and
read the same after it: a seed kept in clear still gives codes (until
`staff seal-seeds` seals it, after which it still does), the chain written
with plain SHA-256 still verifies once keyed entries follow it, and only the
old unsalted recovery codes stop working, as docs/deploy.md says."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import text

from tests.staff import OFFICER, PASSWORD, post, sign_in
from webapp import db
from webapp.rules import credentials

pytestmark = pytest.mark.db


def old_hash(prev, at, actor, action, reference, detail):
    """As the audit log hashed entries before 0006."""
    body = json.dumps([prev, at.isoformat(), actor, action, reference, detail],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def test_an_account_and_a_chain_from_before_0006(make_app, database_url, clock):
    app = make_app(database_url, CLOCK=lambda: clock["now"])
    engine = app.extensions["db_engine"]
    db.upgrade(engine, "0005")
    seed = pyotp.random_base32()
    old_code = "ab12-cd34-ef56"
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO staff_user (email, role, password_hash, totp_secret, active, "
            "failed_logins, created_at) VALUES (:email, 'officer', :hash, :seed, true, 0, :at)"),
            {"email": OFFICER, "hash": credentials.hash_password(PASSWORD), "seed": seed,
             "at": at.replace(tzinfo=None) if engine.dialect.name == "sqlite" else at})
        connection.execute(text(
            "INSERT INTO staff_recovery_code (user_id, code_hash) VALUES (1, :hash)"),
            {"hash": hashlib.sha256(old_code.encode()).hexdigest()})
        prev = "0" * 64
        for number in range(3):
            moment = at + timedelta(minutes=number)
            new = old_hash(prev, moment, OFFICER, "referral.view", f"K7M-4Q{number}", "")
            connection.execute(text(
                "INSERT INTO audit_entry (at, actor, action, reference, detail, prev_hash, "
                "hash) VALUES (:at, :actor, 'referral.view', :ref, '', :prev, :hash)"),
                {"at": moment.replace(tzinfo=None) if engine.dialect.name == "sqlite"
                 else moment, "actor": OFFICER, "ref": f"K7M-4Q{number}", "prev": prev,
                 "hash": new})
            prev = new
        connection.execute(text("UPDATE audit_head SET hash = :hash"), {"hash": prev})

    db.upgrade(engine)

    runner = app.test_cli_runner()
    # The chain from before reads the same, and is held by the first keyed entry.
    exported = [json.loads(line) for line in runner.invoke(args=["audit", "export"])
                .output.splitlines()]
    assert [entry["reference"] for entry in exported] == ["K7M-4Q0", "K7M-4Q1", "K7M-4Q2"]
    # The seed kept in clear still gives codes.
    officer = app.test_client()
    assert sign_in(app, officer, clock).headers["Location"] == "/staff/"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 4 entries" in result.output, result.output
    # Sealed, it still does, and is no longer in clear.
    assert runner.invoke(args=["staff", "seal-seeds"]).output.startswith("Sealed 1 seed(s)")
    with engine.connect() as connection:
        assert seed not in connection.scalar(text("SELECT totp_secret FROM staff_user"))
    clock["now"] += timedelta(seconds=31)
    assert sign_in(app, app.test_client(), clock).headers["Location"] == "/staff/"
    # The old six-character recovery code no longer signs in.
    client = app.test_client()
    post(client, "/staff/login", {"email": OFFICER, "password": PASSWORD})
    assert post(client, "/staff/login/code", {"code": old_code}).status_code == 200
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
