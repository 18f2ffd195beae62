"""The "is this abuse?" check at /is-this-abuse and /is-this-abuse/someone-else
(webapp/selfcheck/): answers in reply to a POST, danger first; no cookie, no
row in any table, no line in any log, no answer in any address; a stale or
missing token shows the check again with the ticks kept; every language."""

import logging
import re

import pytest
from sqlalchemy import func, inspect, select, table

from tests.conftest import LANGUAGES

pytestmark = pytest.mark.usefixtures("migrated")

YOURSELF, SOMEONE = "/is-this-abuse", "/is-this-abuse/someone-else"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def localised(path, lang):
    return path if lang == "en" else f"/{lang}{path}"


def send(client, path, ticked, **extra):
    page = client.get(path)
    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": token, "ticked": ticked, **extra})


def text(response):
    return response.get_data(as_text=True)


def test_the_answer_says_what_the_ticks_mean_and_what_to_do(client):
    response = send(client, YOURSELF, ["decides", "takes_money"])
    assert response.status_code == 200
    html = text(response)
    assert "Controlling behaviour" in html and "coercive control" in html
    assert "Economic abuse" in html
    assert "Physical abuse" not in html and "Sexual abuse" not in html
    assert "It is not your fault" in html
    assert 'href="/ask"' in html and 'href="/help-near-you"' in html
    assert "0808 2000 247" in html  # the helpline the emergency box shows
    assert "You may be in danger" not in html


def test_danger_comes_first(client):
    html = text(send(client, YOURSELF, ["hits", "neck"]))
    main = html[html.index("<main"):]
    danger = main.index("You may be in danger")
    assert danger < main.index("What this means") < main.index("What you can do next")
    assert main.index('href="tel:999"') < main.index("What this means")
    assert "press 55" in main[danger:main.index("What this means")]
    assert "Strangling or choking" in main


def test_nothing_ticked_is_a_friendly_answer(client):
    response = send(client, YOURSELF, [])
    assert response.status_code == 200
    html = text(response)
    assert "You did not tick anything" in html and "There is a problem" not in html
    assert 'href="/ask"' in html


def test_someone_elses_check_leads_to_a_concern(client):
    html = text(send(client, "/cy" + SOMEONE, ["injuries", "kill"]))
    assert 'href="/cy/concern"' in html and 'href="/cy/help-near-you"' in html
    english = text(send(client, SOMEONE, ["injuries", "kill"]))
    assert "They may be in danger" in english and "It is not their fault" in english
    assert english.index("They may be in danger") < english.index("What this means")


def test_the_answer_keeps_the_address_and_title_of_the_check(client):
    for path in (YOURSELF, SOMEONE, "/ar" + YOURSELF):
        page = client.get(path)
        answer = send(client, path, ["neck", "sex"])
        assert answer.request.path == path
        assert TITLE.search(text(answer)).group(1) == TITLE.search(text(page)).group(1)


def test_no_cookie_is_ever_set(client):
    for path in (YOURSELF, SOMEONE, "/ur" + YOURSELF):
        page = client.get(path)
        assert "Set-Cookie" not in page.headers
        token = TOKEN.search(text(page)).group(1)
        for data in ({"csrf_token": token, "ticked": ["neck"]}, {"ticked": ["neck"]}):
            answer = client.post(path, data=data)
            assert "Set-Cookie" not in answer.headers, path
    assert not client._cookies


def test_nothing_is_written_to_the_database(app, client):
    engine = app.extensions["db_engine"]

    def counts():
        with engine.connect() as connection:
            return {name: connection.execute(select(func.count()).select_from(table(name)))
                    .scalar_one() for name in inspect(engine).get_table_names()}

    before = counts()
    assert before  # the tables are there
    for path in (YOURSELF, SOMEONE):
        send(client, path, ["decides", "neck", "fear_life", "injuries"])
        send(client, path, [])
    assert counts() == before


def test_nothing_is_logged(client, caplog):
    caplog.set_level(logging.DEBUG)
    send(client, YOURSELF, ["neck", "gave_in", "images"])
    send(client, SOMEONE, ["neck", "sex"])
    client.post(YOURSELF, data={"ticked": ["neck"]})  # no token
    logged = caplog.text
    for word in ("neck", "gave_in", "images", "ticked", "strangl", "is-this-abuse"):
        assert word not in logged


def test_no_answer_goes_in_an_address(client):
    html = text(client.get(YOURSELF))
    assert re.search(r'<form method="post" action="/is-this-abuse"', html)
    assert "method=\"get\"" not in html.lower()
    answer = text(send(client, YOURSELF, ["neck"]))
    for address in re.findall(r'(?:href|action)="([^"]*)"', answer):
        assert "?" not in address and "neck" not in address


def test_a_get_with_answers_in_the_address_shows_only_the_check(client):
    html = text(client.get(YOURSELF + "?ticked=neck"))
    assert "You may be in danger" not in html and " checked" not in html


def test_a_stale_or_missing_token_shows_the_check_again_with_the_ticks(client, app):
    for data in ({"ticked": ["neck", "hits"]},
                 {"csrf_token": "selfcheck.AAAAAA.forged", "ticked": ["neck", "hits"]}):
        response = client.post(YOURSELF, data=data)
        assert response.status_code == 200
        html = text(response)
        assert "This page was open for a long time" in html
        assert "You may be in danger" not in html
        assert re.search(r'value="neck" checked', html) and re.search(r'value="hits" checked', html)
        assert 'value="decides" checked' not in html


def test_a_token_expires_with_the_sites_csrf_time_limit(make_app, monkeypatch):
    client = make_app(WTF_CSRF_TIME_LIMIT=60).test_client()
    page = text(client.get(YOURSELF))
    token = TOKEN.search(page).group(1)
    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 120)
    html = text(client.post(YOURSELF, data={"csrf_token": token, "ticked": ["neck"]}))
    assert "This page was open for a long time" in html


def test_a_token_from_another_site_is_refused(make_app, client):
    other = make_app().test_client()
    token = TOKEN.search(text(other.get(YOURSELF))).group(1)
    html = text(client.post(YOURSELF, data={"csrf_token": token, "ticked": ["neck"]}))
    assert "This page was open for a long time" in html


def test_a_cross_site_post_is_refused(client):
    page = text(client.get(YOURSELF))
    token = TOKEN.search(page).group(1)
    response = client.post(YOURSELF, data={"csrf_token": token, "ticked": ["neck"]},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_shows_the_check_and_its_answer(client, lang):
    for path in (YOURSELF, SOMEONE):
        page = client.get(localised(path, lang))
        assert page.status_code == 200
        direction = "rtl" if lang in ("ar", "ur") else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in text(page)
        answer = send(client, localised(path, lang), ["neck", "decides"])
        assert answer.status_code == 200 and 'href="tel:999"' in text(answer)


def test_the_home_page_and_the_concern_page_link_the_checks(client):
    assert 'href="/is-this-abuse"' in text(client.get("/"))
    assert 'href="/pl/is-this-abuse"' in text(client.get("/pl/"))
    assert 'href="/is-this-abuse/someone-else"' in text(client.get("/concern"))


def test_recognising_abuse_links_the_check_in_every_language(client):
    for lang in LANGUAGES:
        html = text(client.get(localised("/recognising-abuse", lang)))
        assert f'href="{localised(YOURSELF, lang)}"' in html, lang
