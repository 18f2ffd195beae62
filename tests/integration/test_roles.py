"""One codebase, three roles: ``public`` (the resident site, never the private
key), ``staff`` (the queue, with the private key) and ``all`` (the demo)."""

import json
from pathlib import Path

import pytest

from tests.conftest import ASK_BY_PHONE, Walker
from tests.staff import OFFICER, REFERENCE_LINK, add_officer, sign_in
from webapp import db
from webapp.rules import sealing


def test_each_role_answers_404_for_the_others_routes(instances):
    public, staff = instances
    for path in ("/staff/login", "/staff/", "/staff/api/referrals"):
        assert public.test_client().get(path).status_code == 404, path
    for path in ("/", "/ask", "/concern", "/safety-online", "/clares-law", "/campaigns/",
                 "/exit"):
        response = staff.test_client().get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.get_data(as_text=True)
    for instance in (public, staff):
        assert instance.test_client().get("/health").status_code == 200


def test_a_referral_made_on_the_public_instance_reaches_the_staff_queue(instances, clock):
    public, staff = instances
    resident = Walker(public.test_client())
    resident.walk("/ask", ASK_BY_PHONE)
    resident.send("/ask")
    add_officer(staff, OFFICER, clock)
    officer = staff.test_client()
    sign_in(staff, officer, clock)
    reference = REFERENCE_LINK.search(officer.get("/staff/").get_data(as_text=True)).group(1)
    assert "zebra-quartz-7731" in officer.get(f"/staff/referral/{reference}").get_data(
        as_text=True)
    exported = staff.test_cli_runner().invoke(args=["referrals", "export"]).output
    assert json.loads(exported.splitlines()[0])["reference"] == reference


def test_the_public_instance_cannot_open_a_referral(instances):
    public, _staff = instances
    resident = Walker(public.test_client())
    resident.walk("/ask", ASK_BY_PHONE)
    resident.send("/ask")
    assert not list(Path(public.instance_path).glob("referral_key*"))  # no key made there
    runner = public.test_cli_runner()
    # The commands that could open a referral or touch staff accounts are not
    # there at all: not refused, absent (the code behind them is never loaded).
    for args in (["referrals", "export"], ["keys", "generate"], ["referrals", "purge"],
                 ["keys", "rotate"], ["keys", "retire", "abc"], ["staff", "create", "a@b.c"],
                 ["audit", "verify"], ["api-token", "list"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 2 and "No such command" in result.output, args
    assert set(public.cli.commands) == {"db", "keys", "content"}
    assert set(public.cli.commands["keys"].commands) == {"status"}
    status = runner.invoke(args=["keys", "status"])  # which key it seals for, nothing more
    fingerprint = sealing.fingerprint(public.extensions["referral_public_key"])
    assert status.exit_code == 0
    assert f"seals new referrals for key {fingerprint}" in status.output
    assert runner.invoke(args=["notify", "send-pending"]).exit_code == 2  # no such command


def test_a_public_instance_without_the_public_key_refuses_to_start(make_app, tmp_path,
                                                                   monkeypatch):
    monkeypatch.delenv("QD_PUBLIC_KEY", raising=False)
    with pytest.raises(sealing.KeyProblem):
        make_app(QD_ROLE="public", INSTANCE_PATH=str(tmp_path / "bare"))


def test_an_unknown_role_is_refused(make_app):
    with pytest.raises(ValueError, match="QD_ROLE must be one of public, staff, all"):
        make_app(QD_ROLE="everything")


def test_the_public_instance_writes_notifications_without_any_secret(make_app, tmp_path,
                                                                     keys, monkeypatch):
    monkeypatch.setenv("QD_PUBLIC_KEY", keys["public"])
    public = make_app(QD_ROLE="public", INSTANCE_PATH=str(tmp_path / "p"),
                      NOTIFY_SETTINGS={"NOTIFY_CHANNELS": "email,webhook"})
    db.upgrade(public.extensions["db_engine"])
    resident = Walker(public.test_client())
    resident.walk("/ask", ASK_BY_PHONE)
    resident.send("/ask")
    with public.app_context():
        from sqlalchemy import select

        from webapp.notify.models import Notification

        assert sorted(db.session().scalars(select(Notification.channel))) == ["email", "webhook"]
