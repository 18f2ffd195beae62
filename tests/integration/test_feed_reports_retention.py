"""The JSON feed with its tokens, the reports (no personal data), and the
retention purge."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import ASK_BY_PHONE, CONCERN_ANONYMOUS, Walker
from tests.integration.test_casework import act, attempt
from tests.staff import REFERENCE_LINK, sign_in
from webapp import db
from webapp.referrals.models import Referral, ReferralFact
from webapp.staff import audit, reports
from webapp.staff.models import ContactAttempt, Note

PERSONAL = ("zebra-quartz", "7946", "pineapple", "Alex", "Shouting", "Marwick", "Flat 3")


def refer(app, journey="/ask", steps=ASK_BY_PHONE):
    resident = Walker(app.test_client())
    resident.walk(journey, steps)
    resident.send(journey)


def make_token(app, name="case-system"):
    result = app.test_cli_runner().invoke(args=["api-token", "create", name])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_the_feed_needs_a_valid_token(site):
    client = site.test_client()
    assert client.get("/staff/api/referrals").status_code == 401
    wrong = client.get("/staff/api/referrals", headers={"Authorization": "Bearer qd_nope"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Set-Cookie" not in wrong.headers


def test_the_feed_pages_through_every_referral_and_audits_each_read(site, clock):
    for _ in range(3):
        refer(site)
    token = make_token(site)
    client = site.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    # A referral shows only once it has settled (30 seconds), so that one that
    # commits late is never skipped by a cursor already past it.
    assert client.get("/staff/api/referrals", headers=auth).get_json()["referrals"] == []
    clock["now"] += timedelta(seconds=31)
    first = client.get("/staff/api/referrals?limit=2", headers=auth)
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers
    page = first.get_json()
    assert len(page["referrals"]) == 2
    assert page["referrals"][0]["answers"]["help_more"] == "zebra-quartz-7731"
    assert page["referrals"][0]["contact"]["phone"] == "020 7946 0018"
    second = client.get(page["next"], headers=auth).get_json()
    assert len(second["referrals"]) == 1 and second["next"] is None
    references = [r["reference"] for r in page["referrals"] + second["referrals"]]
    assert len(set(references)) == 3
    with site.app_context():
        reads = [e.reference for e in audit.entries(db.session())
                 if e.actor == "api:case-system" and e.action == "referral.api_read"
                 and e.reference]
        assert sorted(reads) == sorted(references)
        ok = audit.verify(db.session()).intact
        assert ok


def test_the_feed_filters_by_since_and_refuses_a_bad_date(site, clock):
    refer(site)
    token = make_token(site)
    auth = {"Authorization": f"Bearer {token}"}
    client = site.test_client()
    later = (clock["now"] + timedelta(seconds=10)).isoformat()
    clock["now"] += timedelta(minutes=1)
    assert client.get("/staff/api/referrals", query_string={"since": later},
                      headers=auth).get_json()["referrals"] == []
    earlier = (clock["now"] - timedelta(minutes=2)).isoformat()
    assert len(client.get("/staff/api/referrals", query_string={"since": earlier},
                          headers=auth).get_json()["referrals"]) == 1
    bad = client.get("/staff/api/referrals?since=yesterday", headers=auth)
    assert bad.status_code == 400 and "ISO 8601" in bad.get_json()["error"]


def test_a_revoked_token_stops_working_and_the_token_is_stored_only_as_a_hash(site):
    token = make_token(site)
    with site.app_context():
        from webapp.staff.models import ApiToken

        assert token not in db.session().scalar(select(ApiToken)).token_hash
    runner = site.test_cli_runner()
    assert runner.invoke(args=["api-token", "revoke", "case-system"]).exit_code == 0
    assert site.test_client().get("/staff/api/referrals", headers={
        "Authorization": f"Bearer {token}"}).status_code == 401
    assert "revoked" in runner.invoke(args=["api-token", "list"]).output


def test_reports_count_without_personal_data(site, clock):
    refer(site)
    refer(site, "/concern", CONCERN_ANONYMOUS)
    officer = site.test_client()
    sign_in(site, officer, clock)
    reference = REFERENCE_LINK.findall(officer.get("/staff/?kind=self").get_data(
        as_text=True))[0]
    clock["now"] += timedelta(minutes=100)
    sign_in(site, officer, clock)
    # Outside the safe times, perhaps: the override keeps this test about reports.
    attempt(officer, reference, clock["now"], method="call", outcome="spoke", override="y",
            reason="Testing the reports figures")
    page = officer.get("/staff/reports").get_data(as_text=True)
    # Two referrals: too few to show, or to base a share or a median on
    # (tests/integration/test_reports.py has the figures themselves).
    assert "<dd class=\"summary-answer\">fewer than 5</dd>" in page
    assert "Not shown: fewer than 5 have been contacted" in page
    clock["now"] += timedelta(weeks=1)  # the week is over: it is in the table and the CSV
    sign_in(site, officer, clock)
    page = officer.get("/staff/reports").get_data(as_text=True)
    csv = officer.get("/staff/reports.csv")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0] == "week_starting,kind,language,referrals"
    assert [line.split(",", 1)[1] for line in lines[1:]] == ["all,all,<5"]
    assert not [word for word in PERSONAL if word in page + csv.get_data(as_text=True)]


def test_purge_removes_old_closed_referrals_and_keeps_the_counts(site, clock):
    refer(site)
    refer(site)
    officer = site.test_client()
    sign_in(site, officer, clock)
    old, kept = REFERENCE_LINK.findall(officer.get("/staff/").get_data(as_text=True))
    act(officer, old, "note", {"note": "to be purged"})
    attempt(officer, old, clock["now"], method="call", outcome="no_answer", override="y",
            reason="Testing the purge of attempts")
    act(officer, old, "close", {"outcome": "unreachable"})
    clock["now"] += timedelta(days=366)
    runner = site.test_cli_runner()
    dry = runner.invoke(args=["referrals", "purge", "--dry-run"])
    assert "Would purge 1 closed referral(s)" in dry.output
    result = runner.invoke(args=["referrals", "purge"])
    assert result.exit_code == 0 and "Purged 1 closed referral(s)" in result.output
    with site.app_context():
        session = db.session()
        assert session.scalars(select(Referral.reference)).all() == [kept]
        assert session.scalar(select(func.count()).select_from(ContactAttempt)) == 0
        assert session.scalar(select(func.count()).select_from(Note)) == 0
        assert session.scalar(select(ReferralFact.outcome)) == "unreachable"
        actions = [(e.action, e.reference) for e in audit.entries(session)]
        assert ("referral.purge", old) in actions and ("referral.view", old) in actions
        assert audit.verify(session)[0]
    sign_in(site, officer, clock)
    with site.app_context():
        assert len(reports.all_facts(db.session())) == 2  # the purged one still counts
    assert "<dd class=\"summary-answer\">fewer than 5</dd>" in officer.get(
        "/staff/reports?weeks=all").get_data(as_text=True)
    assert officer.get(f"/staff/referral/{old}").status_code == 404
