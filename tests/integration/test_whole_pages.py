"""A page that is the same for everyone is answered whole to the next plain
visit (webapp/pages.py, ``WholePages``): exactly the answer Flask gave,
status, every header in order and body, and only where Flask would give the
same answer again. (``test_header_snapshot.py`` checks every header of such
visits against the snapshot taken before; ``test_page_cache.py`` that a
content change, the day and the browser are still seen.)"""

from datetime import UTC, datetime, timedelta

import pytest
from flask import request_started, session

from tests.content import publish
from webapp import pages
from webapp.limits import limiter

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
LANDLORD = {"organisation_name": "Riverside Housing", "team_phone": "0113 496 0000"}
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
PAGES = ("/", "/cy/", "/ar/", "/recognising-abuse", "/campaigns/")


@pytest.fixture
def production(make_app, tmp_path):
    from webapp import db
    from webapp.rules.sealing import generate_keypair

    generate_keypair(tmp_path / "instance")
    app = make_app(QD_ENV="production", QD_ROLE="public", SITE=LANDLORD, PROXY_HOPS=1,
                   RATELIMIT_ENABLED=True)
    db.upgrade(app.extensions["db_engine"])
    return app


def flask_runs(app) -> list:
    """One entry each time Flask itself handles a request."""
    seen = []
    request_started.connect(lambda sender, **_: seen.append(1), app, weak=False)
    return seen


def whole(response) -> tuple:
    return response.status, list(response.headers.items()), response.get_data()


def test_a_plain_visit_again_gets_exactly_what_flask_gave_without_flask(production):
    client = production.test_client()
    runs = flask_runs(production)
    for path in PAGES:
        first = whole(client.get(path, headers=HTTPS))
        assert first[0] == "200 OK"
        before = len(runs)
        for _ in range(2):
            assert whole(client.get(path, headers=HTTPS)) == first, path
        assert len(runs) == before, f"{path} went through Flask again"


def test_the_answer_is_the_same_as_flasks_own(production):
    """Kept whole, or given by Flask (from its page cache) once the whole
    answers are forgotten: not a byte apart."""
    kept = production.test_client()
    for path in PAGES:
        kept.get(path, headers=HTTPS)
    kept_answers = {path: whole(kept.get(path, headers=HTTPS)) for path in PAGES}
    for path in PAGES:
        production.extensions["whole_pages"].kept = pages.PageCache()  # forget them
        fresh = whole(production.test_client().get(path, headers=HTTPS))
        assert fresh == kept_answers[path], path


@pytest.mark.parametrize(("label", "kwargs"), [
    ("a cookie", {"headers": HTTPS}),
    ("a query string", {"query_string": "utm_source=leaflet", "headers": HTTPS}),
    ("a body", {"data": "x", "headers": HTTPS}),
    ("plain http", {}),
])
def test_anything_but_a_plain_visit_goes_through_flask(production, label, kwargs):
    client = production.test_client()
    client.get("/", headers=HTTPS)
    client.get("/", headers=HTTPS)
    runs = flask_runs(production)
    if label == "a cookie":
        client.set_cookie("session", "x")
    client.get("/", check=False, **kwargs)
    client.get("/", check=False, **kwargs)
    assert len(runs) == 2, label


def test_head_and_post_go_through_flask(production):
    client = production.test_client()
    client.get("/", headers=HTTPS)
    runs = flask_runs(production)
    assert client.head("/", headers=HTTPS).status_code == 200
    assert client.post("/", headers=HTTPS, check=False).status_code == 405
    assert len(runs) == 2


def test_plain_http_is_still_sent_to_https_after_the_page_was_kept(production):
    client = production.test_client()
    for _ in range(2):
        client.get("/", headers=HTTPS)
    for _ in range(2):
        response = client.get("/", check=False)
        assert response.status_code == 302
        assert response.headers["Location"] == "https://localhost/"
    assert client.get("/", headers=HTTPS).headers["Strict-Transport-Security"]


def test_a_stranger_cannot_claim_https_for_a_kept_page(production):
    """X-Forwarded-Proto from a client that is not the proxy: Flask sees
    plain http (only its own check of the header differs), and that is a
    visit of its own, not the proxy's."""
    proxy = production.test_client()
    for _ in range(2):
        proxy.get("/", headers=HTTPS)
    stranger = production.test_client()
    runs = flask_runs(production)
    stranger.get("/", headers={"X-Forwarded-Proto": "https"},
                 environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert len(runs) == 1


def test_a_new_day_and_new_content_go_through_flask_again(make_app, tmp_path, clock):
    from tests.integration.test_content import PAGE

    root = tmp_path / "content"
    for kind in ("pages", "campaigns"):
        (root / kind).mkdir(parents=True)
    page = root / "pages" / "clares-law.en.md"
    page.write_text(PAGE)
    clock["now"] = datetime(2026, 11, 25, 23, 59, 0, tzinfo=UTC)
    app = make_app(CONTENT_DIR=str(root), CLOCK=lambda: clock["now"])
    app.extensions["content"].interval = 0
    client = app.test_client()
    runs = flask_runs(app)
    for _ in range(2):
        client.get("/clares-law")
    assert len(runs) == 1
    clock["now"] += timedelta(minutes=2)  # midnight in the UK
    client.get("/clares-law")
    assert len(runs) == 2
    page.write_text(page.read_text().replace("ask the police", "ask us"))
    publish(app)
    assert "You can ask us" in client.get("/clares-law").get_data(as_text=True)
    assert len(runs) == 3


@pytest.mark.unchecked  # probe views that are not pages
def test_an_answer_that_sets_a_cookie_or_meets_a_limit_is_never_kept(make_app):
    app = make_app(RATELIMIT_ENABLED=True)

    @app.get("/probe-cookie")
    def cookie():
        session["seen"] = True
        return pages.shared(lambda: "a page that also sets a cookie")

    @app.get("/probe-limited")
    @limiter.limit("1000 per minute")
    def limited():
        return pages.shared(lambda: "a page with a limit of its own")

    @app.get("/probe-browser")
    def browser():  # even for a browser not recognised (None)
        return pages.shared(lambda: "a page for one browser", vary=None)

    client = app.test_client()
    runs = flask_runs(app)
    for path in ("/probe-cookie", "/probe-limited", "/probe-browser"):
        for _ in range(2):
            client.delete_cookie("session")
            assert client.get(path).status_code == 200
    assert len(runs) == 6


def test_an_application_wide_limit_still_counts_every_kept_page(make_app, monkeypatch):
    monkeypatch.setattr(limiter.limit_manager, "_application_limits", [])
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_APPLICATION="3 per minute")
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_page_for_each_browser_is_never_answered_whole(app):
    """/safety-online depends on the browser, which WholePages does not
    look at: a browser it does not recognise first, then Firefox."""
    client = app.test_client()
    runs = flask_runs(app)
    for agent in ("curl/8", "curl/8", None, FIREFOX):
        html = client.get("/safety-online", headers={"User-Agent": agent} if agent else {})
        told = "This looks like the browser you are using" in html.get_data(as_text=True)
        assert told is (agent == FIREFOX)
    assert len(runs) == 4


def test_a_page_rendered_while_the_content_could_not_be_read_is_not_kept(app, monkeypatch):
    """The footer's pages and the campaign banners are left out, not an
    error, when the content cannot be read for a moment (a full table of open
    files under a campaign's traffic): the page still shows the exit and 999.
    But that page must not be kept: nothing was published, so the content
    version has not changed, and it would be given to everyone until midnight."""
    from webapp.content.library import Questions

    client = app.test_client()
    whole = client.get("/").get_data(as_text=True)
    assert 'href="/recognising-abuse"' in whole
    app.extensions["pages"] = pages.PageCache()  # as if this worker had just started
    app.extensions["whole_pages"].kept = pages.PageCache()
    listing = Questions.listing

    def failing(self, *args, **kwargs):
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(Questions, "listing", failing)
    monkeypatch.setattr(Questions, "banners", failing)
    degraded = client.get("/").get_data(as_text=True)
    footer = 'aria-labelledby="footer-help"'
    assert degraded.count('href="/recognising-abuse"') < whole.count('href="/recognising-abuse"')
    assert 'href="/recognising-abuse"' not in degraded[degraded.index(footer):]
    assert 'id="quick-exit"' in degraded and 'id="emergency-heading"' in degraded
    monkeypatch.setattr(Questions, "listing", listing)
    monkeypatch.undo()
    for _ in range(2):  # through Flask, then whole
        assert client.get("/").get_data(as_text=True) == whole
