"""The JSON feed's tokens expire and may be limited to open referrals, and a
hostile query is a JSON 400, never a 500 (issue 14, ASVS V13). Tokens made
before migration 0007 keep working after it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select, update

from tests.integration.test_feed_reports_retention import make_token, refer
from webapp import db
from webapp.db import UTCDateTime
from webapp.referrals.models import Referral
from webapp.staff import api, audit
from webapp.staff.models import ApiToken

FEED = "/staff/api/referrals"


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["api-token", *args])


def read(app, token, **query):
    return app.test_client().get(FEED, query_string=query,
                                 headers={"Authorization": f"Bearer {token}"})


def listed(app, name):
    [line] = [line for line in cli(app, "list").output.splitlines()
              if line.startswith(name + "\t")]
    return line.split("\t")


def test_a_token_works_for_90_days_and_then_says_it_expired(site, clock):
    token = make_token(site, "case-system")
    other = make_token(site, "second-system")
    made = clock["now"]
    _, state, scope, _, expires, _ = listed(site, "case-system")
    assert (state, scope) == ("working", "scope all")
    assert expires == f"expires on {(made + timedelta(days=90)).date().isoformat()}"

    clock["now"] = made + timedelta(days=89, hours=23)
    assert read(site, token).status_code == 200
    clock["now"] = made + timedelta(days=90)
    expired = read(site, token)
    assert expired.status_code == 401
    assert expired.is_json
    assert expired.get_json() == {"error": "This token has expired: ask for a new one"}
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]
    # It says nothing of the other token (which expired too), nor of any other.
    assert "second-system" not in expired.get_data(as_text=True)
    assert read(site, other).get_json() == expired.get_json()
    assert read(site, "qd_" + "x" * 43).get_json()["error"].startswith("A valid token")
    assert listed(site, "case-system")[1] == "expired"
    assert listed(site, "case-system")[4].startswith("expired on ")
    with site.app_context():  # an expired token reads nothing, so nothing is audited
        assert not [e for e in audit.entries(db.session()) if e.action == "referral.api_read"
                    and e.actor == "api:case-system" and e.at >= made + timedelta(days=90)]


def test_days_says_how_long_a_token_works(site, clock):
    made = cli(site, "create", "short-lived", "--days", "7")
    assert made.exit_code == 0, made.output
    week = (clock["now"] + timedelta(days=7)).date().isoformat()
    assert f"expires on {week}" in made.output
    assert re.fullmatch(r"qd_[\w-]{43}", made.output.strip().splitlines()[-1])
    assert listed(site, "short-lived")[4] == f"expires on {week}"
    for days in ("0", "366", "-1", "ten"):
        refused = cli(site, "create", f"refused-{days}", "--days", days)
        assert refused.exit_code == 2, days
    assert "refused" not in cli(site, "list").output


def test_a_token_scoped_to_open_reads_only_open_referrals(site, clock):
    refer(site)
    refer(site)
    with site.app_context():
        first = db.session().scalar(select(Referral).order_by(Referral.id))
        db.session().execute(update(Referral).where(Referral.id == first.id).values(
            status="closed", closed_at=clock["now"], outcome="supported"))
        db.session().commit()
        closed = first.reference
    clock["now"] += timedelta(minutes=1)
    made = cli(site, "create", "open-only", "--scope", "open")
    assert made.exit_code == 0 and "reads open referrals only" in made.output
    opened = made.output.strip().splitlines()[-1]
    everything = make_token(site, "everything")
    assert listed(site, "open-only")[2] == "scope open"

    seen = [r["reference"] for r in read(site, opened).get_json()["referrals"]]
    assert len(seen) == 1 and closed not in seen
    assert {r["status"] for r in read(site, opened).get_json()["referrals"]} == {"open"}
    # Paging and since keep to the scope too.
    assert [r["reference"] for r in read(site, opened, limit=1, after=0)
            .get_json()["referrals"]] == seen
    assert closed in [r["reference"] for r in read(site, everything).get_json()["referrals"]]
    assert cli(site, "create", "odd", "--scope", "closed").exit_code == 2
    # A scope this release does not know (a later one's, or a typo in the
    # database) reads nothing rather than everything.
    with site.app_context():
        db.session().execute(update(ApiToken).where(ApiToken.name == "open-only")
                             .values(scope="closed"))
        db.session().commit()
    refused = read(site, opened)
    assert refused.status_code == 403 and refused.is_json


HOSTILE = {
    "since": ["99999-01-01", "+99999-01-01", "0001-01-01T00:00+01:00",
              "9999-12-31T23:59:59-01:00", "0000-01-01", "2026-13-01", "2026-02-30",
              "2026-01-01T00:00+24:00", "2026-01-01T25:00", "not a date", "\x00",
              "9" * 5000, "2026-01-01T00:00:00+00:00\n", "１２３４-01-01", "NaN", "-1"],
    "after": ["-1", "1e3", "0x10", str(2**31), "9223372036854775808", "9" * 5000, "١٢",
              "1.5", " 1"],
    "limit": ["-5", "abc", "9" * 5000, "٣"],
}


@pytest.mark.parametrize(("name", "value"), [
    (name, value) for name, values in HOSTILE.items() for value in values])
def test_a_hostile_query_is_a_json_400_never_a_500(site, name, value):
    token = make_token(site)
    answer = read(site, token, **{name: value})
    assert answer.status_code == 400, (name, value, answer.status_code)
    assert answer.is_json and name in answer.get_json()["error"]


@pytest.mark.parametrize("query", [
    {"since": "0001-01-01"}, {"since": "0001-01-01T00:00Z"},
    {"since": "9999-12-31T23:59:59Z"}, {"since": "9999-12-31T23:59:59+01:00"},
    {"after": str(2**31 - 1)}, {"limit": "1000000000"}, {"limit": "0"}, {"after": ""},
])
def test_the_edges_of_what_is_allowed_still_answer(site, query):
    assert read(site, make_token(site), **query).status_code == 200


def test_a_token_made_before_expiry_existed_still_works_after_the_migration(
        make_app, database_url, clock):
    """Downgrade to 0005, store a token as the old code did (no expiry, no
    scope), upgrade: it reads every referral, and expires 90 days on."""
    app = make_app(database_url, CLOCK=lambda: clock["now"])
    engine = app.extensions["db_engine"]
    db.upgrade(engine)
    refer(app)
    db.downgrade(engine, "0005")
    token = api.new_token()
    old_shape = sa.table("api_token", sa.column("name", sa.String), sa.column(
        "token_hash", sa.String), sa.column("created_at", UTCDateTime()))
    made = datetime.now(UTC) - timedelta(days=400)  # long before any expiry
    with engine.begin() as connection:
        connection.execute(old_shape.insert().values(
            name="old-case-system", token_hash=api.token_hash(token), created_at=made))
    upgraded = datetime.now(UTC)
    db.upgrade(engine)

    with app.app_context():
        stored = db.session().scalar(select(ApiToken))
        assert stored.scope == "all"
        assert abs(stored.expires_at - (upgraded + timedelta(days=90))) < timedelta(minutes=5)
    clock["now"] += timedelta(minutes=1)  # the referral has settled
    answer = read(app, token)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert len(answer.get_json()["referrals"]) == 1
    assert listed(app, "old-case-system")[1:3] == ["working", "scope all"]
    clock["now"] = upgraded + timedelta(days=91)
    assert read(app, token).status_code == 401
    db.downgrade(engine, "0005")  # and back, keeping the token
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT name FROM api_token")) == "old-case-system"
