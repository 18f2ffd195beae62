"""The JSON feed's queries: a hostile one is a JSON 400, never an HTML 500
(issue 14, ASVS V13)."""

import pytest

from tests.integration.test_feed_reports_retention import make_token

FEED = "/staff/api/referrals"


def read(app, token, **query):
    return app.test_client().get(FEED, query_string=query,
                                 headers={"Authorization": f"Bearer {token}"})


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
