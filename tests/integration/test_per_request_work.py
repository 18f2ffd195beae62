"""What is worked out once instead of per request (issue 13) still behaves as
the per-request code did: the security headers, the https redirect, the
session, the CSRF check and the rate limiter. (``test_header_snapshot.py``
checks every header of the common responses, byte for byte.)"""

import pytest
from flask import session
from werkzeug.datastructures import Headers

from tests.conftest import CSRF
from webapp.limits import limiter
from webapp.security import NO_STORE, FixedHeaders, talisman

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def production(make_app, tmp_path):
    from webapp.rules.sealing import generate_keypair

    generate_keypair(tmp_path / "instance")
    return make_app(QD_ENV="production", QD_ROLE="public", PROXY_HOPS=1,
                    SITE={"organisation_name": "Riverside Housing", "team_phone": "0113 496 0000"})


def test_fixed_headers_are_set_in_place_when_a_response_has_them_already():
    headers = Headers([("Content-Type", "text/css"), ("Cache-Control", "no-cache"),
                       ("ETag", "x"), ("cache-control", "public")])
    NO_STORE.apply(headers)
    assert list(headers.items()) == [
        ("Content-Type", "text/css"), ("Cache-Control", "no-store, max-age=0"), ("ETag", "x"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"), ("X-Robots-Tag", "noarchive")]


def test_fixed_headers_refuse_a_line_break_and_a_name_given_twice():
    with pytest.raises(ValueError):
        FixedHeaders([("X-Test", "a\r\nSet-Cookie: b=c")])
    with pytest.raises(ValueError):
        FixedHeaders([("X-Test", "a"), ("x-test", "b")])


@pytest.mark.unchecked  # probe views that are not pages
def test_a_view_with_talisman_options_of_its_own_gets_them_per_request(make_app):
    """Such a view (none has today) is left to Talisman's own code: its own
    frame option, a fresh nonce each time, and the rest as everywhere."""
    app = make_app()

    @app.get("/framed")
    @talisman(frame_options="SAMEORIGIN", content_security_policy_nonce_in=["script-src"])
    def framed():
        return "framed"

    client = app.test_client()
    home, first, second = client.get("/"), client.get("/framed"), client.get("/framed")
    assert first.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert home.headers["X-Frame-Options"] == "DENY"
    nonces = [r.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
              for r in (first, second)]
    assert nonces[0] != nonces[1]
    assert "nonce" not in home.headers["Content-Security-Policy"]
    for name in ("Cache-Control", "Referrer-Policy", "Permissions-Policy"):
        assert first.headers[name] == home.headers[name]


def test_production_sends_plain_http_to_the_same_address_over_https(production):
    client = production.test_client()
    response = client.get("/ask?from=leaflet")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://localhost/ask?from=leaflet"
    assert "Strict-Transport-Security" not in response.headers  # not over https
    assert client.get("/health").status_code == 200  # @talisman(force_https=False)
    secure = client.get("/", headers=HTTPS)
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == "max-age=31556926; includeSubDomains"


def test_production_session_cookie_is_secure(production):
    from webapp import db

    db.upgrade(production.extensions["db_engine"])
    client = production.test_client()
    client.get("/ask/questions", headers=HTTPS)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert client.get_cookie("session").secure


@pytest.mark.unchecked  # probe views that are not pages
def test_the_session_is_still_read_and_written(app):
    @app.get("/probe-session")
    def probe():
        session["seen"] = session.get("seen", 0) + 1
        return str(session["seen"])

    client = app.test_client()
    assert client.get("/probe-session").get_data(as_text=True) == "1"
    assert client.get("/probe-session").get_data(as_text=True) == "2"  # from its cookie
    client.set_cookie("session", "tampered")
    assert client.get("/probe-session").get_data(as_text=True) == "1"  # a bad one is ignored
    page = client.get("/")
    assert not page.headers.getlist("Set-Cookie") and "Vary" not in page.headers


@pytest.mark.unchecked  # probe views that are not pages
def test_a_post_without_its_token_is_still_refused_and_a_get_never_checked(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)

    @app.route("/probe-form", methods=["GET", "POST"])
    def probe():
        return "accepted"

    client = app.test_client()
    assert client.get("/probe-form").status_code == 200
    assert client.post("/probe-form", data={"answer": "x"}).status_code == 400


@pytest.mark.unchecked  # probe views that are not pages
def test_a_form_with_its_token_is_accepted_with_csrf_on(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    from webapp import db

    db.upgrade(app.extensions["db_engine"])
    client = app.test_client()
    token = CSRF.search(client.get("/ask/questions").get_data(as_text=True)).group(1)
    response = client.post("/ask/questions",
                           data={"csrf_token": token, "step": "danger", "danger": "no"})
    assert response.status_code == 302


def test_the_limiters_hooks_are_wrapped_not_left_running_on_every_request(make_app):
    """If Flask-Limiter changed the hooks it adds, the wrappers would quietly
    stop applying and every page would pay for its checks again."""
    app = make_app(RATELIMIT_ENABLED=True)
    hooks = [*app.before_request_funcs[None], *app.after_request_funcs[None],
             *app.teardown_request_funcs[None]]
    names = [getattr(hook, "__qualname__", "") for hook in hooks]
    assert "only_when_limiting.<locals>.check_request_limit" in names
    assert "only_when_limiting.<locals>.inject_headers" in names
    assert "only_when_limiting.<locals>.release_context" in names
    assert not [name for name in names if name.startswith("Limiter.")]
    assert talisman._make_nonce not in app.before_request_funcs[None]


def test_an_application_wide_limit_still_counts_every_page(make_app, monkeypatch):
    """Pages have no limit of their own, so the check before each request is
    skipped; but where a limit could apply there (one for the whole app),
    it runs as before."""
    # The limiter is shared by every app in the process: keep this one's out of the others.
    monkeypatch.setattr(limiter.limit_manager, "_application_limits", [])
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_APPLICATION="2 per minute")
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]



def test_the_limiters_after_hook_still_runs_where_the_limiter_was_used(make_app, monkeypatch):
    """Seen through the rate-limit headers (off in this app, switched on
    here): a limited route reports its limit; a page, which the limiter
    never looked at, has nothing to report."""
    monkeypatch.setattr(limiter, "_headers_enabled", True)
    app = make_app(RATELIMIT_ENABLED=True)
    from webapp import db

    db.upgrade(app.extensions["db_engine"])
    client = app.test_client()
    limited = client.post("/concern/questions", data={"go": "send", "step": "check"})
    limit, remaining = (int(limited.headers[name])
                        for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining"))
    assert limit in (30, 300) and remaining == limit - 1  # the journey's limits, one used
    assert "X-RateLimit-Limit" not in client.get("/").headers
