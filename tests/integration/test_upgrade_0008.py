"""Referrals stored before migration 0008 (the way back) read the same after
it: no way back, no conversation, the same answers on the officer's page and
in the export, the same rules for a contact attempt."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import text

from tests.conftest import ASK_BY_PHONE, Walker
from tests.staff import OFFICER, REFERENCE_LINK, add_officer, sign_in
from webapp import db
from webapp.rules import sealing

pytestmark = pytest.mark.db


def test_a_referral_from_before_0008(make_app, database_url, clock):
    app = make_app(database_url, CLOCK=lambda: clock["now"])
    engine = app.extensions["db_engine"]
    db.upgrade(engine, "0007")
    resident = Walker(app.test_client())
    resident.walk("/ask", ASK_BY_PHONE)  # "No" to a way back: only the 0007 tables are used
    assert resident.send("/ask").status_code == 302
    with engine.connect() as connection:  # what the export printed before 0008
        (reference, sealed), = connection.execute(text("SELECT reference, sealed FROM referral"))
    with app.app_context():
        before = sealing.unseal(sealing.load_keyring(app.instance_path, os.environ), sealed)

    db.upgrade(engine)

    # The export now reads the way back's tables too, so it runs after 0008 only.
    runner = app.test_cli_runner()
    after, = [json.loads(line) for line in
              runner.invoke(args=["referrals", "export"]).output.splitlines()]
    assert after["reference"] == reference
    assert (after["contact"], after["answers"]) == (before["contact"], before["answers"])
    assert after["contact_changed"] == {} and after["contact_on_hold"] == []
    add_officer(app, OFFICER, clock)
    officer = app.test_client()
    sign_in(app, officer, clock)
    [reference] = REFERENCE_LINK.findall(officer.get("/staff/").get_data(as_text=True))
    page = officer.get(f"/staff/referral/{reference}").get_data(as_text=True)
    assert "020 7946 0018" in page and "Say it is about the boiler" in page
    assert "Message on this site" not in page  # no way back: no written reply offered
