"""Issue 14's findings, each as the attack that found it, now failing.

The concurrency attacks run through gunicorn (four worker processes) on
PostgreSQL with requests sent at the same moment from separate sessions; the
others run on SQLite and PostgreSQL through the test client.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import create_engine, func, select, text

from tests.conftest import CSRF
from tests.servers import ROOT, flask, gunicorn
from tests.staff import OFFICER, PASSWORD, post, secret, sign_in
from webapp import db
from webapp.staff.models import AuditEntry, StaffSession, StaffUser

BIN = Path(sys.executable).parent


# -- sessions ----------------------------------------------------------------------

def test_a_cookie_copied_before_sign_out_opens_nothing_after(site, clock):
    officer = site.test_client()
    sign_in(site, officer, clock)
    stolen = officer.get_cookie("session").value
    page = officer.get("/staff/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert officer.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    thief = site.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/staff/").headers["Location"] == "/staff/login"
    with site.app_context():
        assert db.session().scalar(select(func.count()).select_from(StaffSession)) == 0


def test_a_cookie_forged_with_the_secret_key_signs_no_one_in(site, clock):
    """SECRET_KEY signs cookies; it cannot make a session, which lives on the server."""
    signer = SecureCookieSessionInterface().get_signing_serializer(site)
    with site.app_context():
        user_id = db.session().scalar(select(StaffUser.id))
    forged_values = [
        {"staff": {"id": user_id, "seen": clock["now"].isoformat()}},  # the old shape
        {"staff_token": "made-up-token"},
        {"staff_pending": {"id": user_id, "at": clock["now"].isoformat()}},
    ]
    for values in forged_values:
        thief = site.test_client()
        thief.set_cookie("session", signer.dumps(values))
        assert thief.get("/staff/").headers["Location"] == "/staff/login", values
        # Nor does it skip the password: the code page wants a password-stage session.
        assert thief.get("/staff/login/code").headers["Location"] == "/staff/login", values


def test_a_session_used_every_few_minutes_still_ends_after_a_working_day(site, clock):
    """A copy used every 14 minutes stayed signed in for almost three days."""
    officer = site.test_client()
    signed_in_at = clock["now"]
    sign_in(site, officer, clock)
    while officer.get("/staff/").status_code == 200:  # every 14 minutes
        clock["now"] += timedelta(minutes=14)
        assert clock["now"] - signed_in_at < timedelta(hours=11), "never ended"
    lasted = clock["now"] - signed_in_at
    assert timedelta(hours=9, minutes=46) < lasted <= timedelta(hours=10, minutes=14)


@pytest.mark.parametrize("command", [["staff", "disable", OFFICER],
                                     ["staff", "reset-2fa", OFFICER],
                                     ["staff", "set-password", OFFICER]])
def test_disable_reset_and_new_password_end_every_session_at_once(site, clock, command):
    sessions = [site.test_client() for _ in range(2)]
    for officer in sessions:
        sign_in(site, officer, clock)
        assert officer.get("/staff/").status_code == 200
        clock["now"] += timedelta(seconds=31)  # the next one-time code
    result = site.test_cli_runner().invoke(
        args=command, input="tangerine lantern harbour\ntangerine lantern harbour\n")
    assert result.exit_code == 0, result.output
    for officer in sessions:
        assert officer.get("/staff/").headers["Location"] == "/staff/login"


def test_the_staff_cookie_is_host_only_and_strict_in_production(make_app, tmp_path, keys,
                                                               monkeypatch):
    monkeypatch.setenv("QD_PUBLIC_KEY", keys["public"])
    monkeypatch.setenv("QD_PRIVATE_KEY_FILE", keys["private_file"])
    monkeypatch.setenv("QD_STAFF_SECRET", uuid.uuid4().hex * 2)
    monkeypatch.setenv("QD_PUBLIC_SECRET_FINGERPRINT", "0123456789abcdef")  # another key's
    landlord = {"organisation_name": "Riverside Housing", "team_phone": "0113 496 0000"}
    app = make_app(QD_ENV="production", QD_ROLE="staff", PROXY_HOPS=1, SITE=landlord,
                   INSTANCE_PATH=str(tmp_path / "staff"))
    db.upgrade(app.extensions["db_engine"])
    response = app.test_client().get("/staff/login", headers={"X-Forwarded-Proto": "https"})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-qd_staff=")
    assert "Secure" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie and "Expires" not in cookie


# -- lockout -------------------------------------------------------------------------

def test_someone_who_knows_her_email_cannot_keep_an_officer_out(site, clock):
    attacker = site.test_client()
    for _ in range(12):
        post(attacker, "/staff/login", {"email": OFFICER, "password": "not her password"})
    # The attacker's client is locked out of that account...
    assert sign_in(site, attacker, clock).status_code == 200
    # ...the officer, from where she always signs in, is not.
    officer = site.test_client()
    officer.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert sign_in(site, officer, clock).headers["Location"] == "/staff/"
    with site.app_context():
        actions = [e.action for e in db.session().scalars(select(AuditEntry))]
    assert actions.count("staff.sign_in_failed") == 5  # then locked: refused unchecked
    assert "staff.locked_out" in actions and "staff.sign_in_refused" in actions


def test_failures_are_audited_and_told_apart(site, clock):
    client = site.test_client()
    post(client, "/staff/login", {"email": "nobody@example.org", "password": PASSWORD})
    post(client, "/staff/login", {"email": OFFICER, "password": "wrong password!"})
    post(client, "/staff/login", {"email": OFFICER, "password": PASSWORD})
    post(client, "/staff/login/code", {"code": "000000"})
    with site.app_context():
        entries = [(e.actor, e.action, e.detail) for e in db.session().scalars(
            select(AuditEntry).order_by(AuditEntry.id))]
    assert ("unknown account", "staff.sign_in_failed", "password") in entries
    assert (OFFICER, "staff.sign_in_failed", "password") in entries
    assert (OFFICER, "staff.sign_in_failed", "code") in entries
    assert all("nobody@example.org" not in str(entry) for entry in entries)


def test_a_sign_in_by_recovery_code_is_told_apart(site, clock):
    result = site.test_cli_runner().invoke(args=["staff", "recovery-codes", OFFICER])
    codes = re.findall(r"^  (\S+)$", result.output, re.M)
    client = site.test_client()
    post(client, "/staff/login", {"email": OFFICER, "password": PASSWORD})
    assert post(client, "/staff/login/code", {"code": codes[0]}).headers["Location"] == "/staff/"
    with site.app_context():
        last = db.session().scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert (last.action, last.detail) == ("staff.sign_in", "recovery code")
    again = site.test_client()
    post(again, "/staff/login", {"email": OFFICER, "password": PASSWORD})
    assert post(again, "/staff/login/code", {"code": codes[0]}).status_code == 200  # used


# -- a database dump -----------------------------------------------------------------

def test_a_database_dump_does_not_give_away_the_second_factor(site, clock):
    result = site.test_cli_runner().invoke(args=["staff", "recovery-codes", OFFICER])
    codes = re.findall(r"^  (\S+)$", result.output, re.M)
    seed = secret(site)
    engine = create_engine(site.config["DATABASE_URL"])
    with engine.connect() as connection:
        dump = "\n".join(str(row) for table in ("staff_user", "staff_recovery_code")
                         for row in connection.execute(text(f"SELECT * FROM {table}")))
    engine.dispose()
    assert seed not in dump
    for code in codes:
        assert code not in dump and code.replace("-", "") not in dump


# -- at the same moment, on PostgreSQL, through gunicorn ------------------------------

class Browser:
    """One staff session: its own cookies, its own CSRF tokens."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirects())

    def form(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return CSRF.search(response.read().decode()).group(1)

    def post(self, path: str, data: dict, token: str) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrf_token": token, **data}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, ""
        except urllib.error.HTTPError as redirect:
            return redirect.code, redirect.headers.get("Location", "")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def staff_server(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("requests at the same moment are tested on PostgreSQL, as in production")
    env = {"QD_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url,
           "SECRET_KEY": uuid.uuid4().hex * 2, "RATELIMIT_ENABLED": "false",
           "QD_ROLE": "staff"}
    flask("db", "upgrade", env=env)
    created = subprocess.run(
        [BIN / "flask", "--app", "webapp", "staff", "create", OFFICER],
        input=f"{PASSWORD}\n{PASSWORD}\n", capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, **env}, check=True)
    seed = re.search(r"TOTP secret: (\S+)", created.stdout).group(1)
    codes = re.findall(r"^  (\S+)$", created.stdout, re.M)
    with gunicorn(env, workers=4, quiet=True) as (base, _server):
        yield base, seed, codes, database_url


def at_once(calls) -> list:
    """Run each call in its own thread, released together."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def password_stage(base: str) -> tuple[Browser, str]:
    browser = Browser(base)
    status, where = browser.post("/staff/login", {"email": OFFICER, "password": PASSWORD},
                                 browser.form("/staff/login"))
    assert (status, where) == (302, "/staff/login/code")
    return browser, browser.form("/staff/login/code")


def test_one_code_sent_from_eight_sessions_at_once_signs_in_one(staff_server):
    base, seed, _codes, _url = staff_server
    staged = [password_stage(base) for _ in range(8)]
    code = pyotp.TOTP(seed).now()
    results = at_once([lambda b=b, t=t: b.post("/staff/login/code", {"code": code}, t)
                       for b, t in staged])
    signed_in = [result for result in results if result == (302, "/staff/")]
    assert len(signed_in) == 1, results


def test_one_recovery_code_sent_from_six_sessions_at_once_signs_in_one(staff_server):
    base, _seed, codes, _url = staff_server
    staged = [password_stage(base) for _ in range(6)]
    results = at_once([lambda b=b, t=t: b.post("/staff/login/code", {"code": codes[0]}, t)
                       for b, t in staged])
    assert sum(1 for result in results if result == (302, "/staff/")) == 1, results


def test_twenty_four_wrong_passwords_at_once_are_all_counted(staff_server):
    base, _seed, _codes, url = staff_server
    browsers = [Browser(base) for _ in range(24)]
    tokens = [browser.form("/staff/login") for browser in browsers]
    at_once([lambda b=b, t=t: b.post("/staff/login", {"email": OFFICER, "password": "wrong!"},
                                     t) for b, t in zip(browsers, tokens, strict=True)])
    engine = create_engine(url)
    with engine.connect() as connection:
        failed = connection.scalar(text(
            "SELECT count(*) FROM audit_entry WHERE action = 'staff.sign_in_failed'"))
        refused = connection.scalar(text(
            "SELECT count(*) FROM audit_entry WHERE action = 'staff.sign_in_refused'"))
        locked = connection.scalar(text(
            "SELECT count(*) FROM staff_sign_in_failure WHERE locked_until IS NOT NULL"))
    engine.dispose()
    assert failed + refused == 24  # every one counted: checked and failed, or refused
    assert failed >= 5 and locked == 1  # the client is locked out of the account
    # And the right password from that client is now refused too.
    browser = Browser(base)
    assert browser.post("/staff/login", {"email": OFFICER, "password": PASSWORD},
                        browser.form("/staff/login")) == (200, "")

