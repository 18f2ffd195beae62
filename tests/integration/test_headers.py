"""No traces: the headers on every response, and no cookie on a page view."""

import base64
import hashlib
import re

import pytest

from tests.conftest import LANGUAGES
from tests.integration.test_pages import PAGES, localised

EVERY_RESPONSE = [localised(p, lang) for p in PAGES for lang in LANGUAGES] + [
    "/exit", "/no-such-page", "/ar/no-such-page", "/static/css/site.css", "/static/js/site.js",
    "/health",
]


@pytest.mark.parametrize("path", EVERY_RESPONSE)
def test_headers_on_every_response(client, path):
    with client.get(path) as response:
        headers = response.headers
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'", "only the site's own script file"
    assert re.fullmatch(r"'self' 'sha256-[\w+/]+={0,2}'", csp["style-src"])
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "unsafe-eval" not in headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert "no-store" in headers["Cache-Control"]
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # the demo runs on plain http
    assert not headers.getlist("Set-Cookie"), "no cookie at all"


def test_the_one_inline_style_is_allowed_by_its_hash_and_nothing_else(client):
    """The brand colour is the only inline style; a changed or injected one
    would not match the hash, so the browser would refuse it."""
    html = client.get("/").get_data(as_text=True)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert styles == [":root{--brand:#1d4f73;--on-brand:#ffffff}"]
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    csp = client.get("/").headers["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}'" in csp
    assert "<script>" not in html and "nonce" not in csp


# What production needs besides (tests/integration/test_production.py).
LANDLORD = {"organisation_name": "Riverside Housing", "team_phone": "0300 123 4567"}


def test_production_sends_hsts_and_goes_to_https(make_app, tmp_path):
    from webapp.rules.sealing import generate_keypair

    generate_keypair(tmp_path / "instance")  # production never makes its own
    client = make_app(QD_ENV="production", QD_ROLE="public", SITE=LANDLORD).test_client()
    assert client.get("/").status_code == 302  # plain http goes to https
    assert client.get("/health").status_code == 200  # the load balancer checks directly
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_session_cookie_never_persists(app):
    assert app.config["SESSION_PERMANENT"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_exit_clears_site_data_and_goes_to_the_neutral_site(client):
    response = client.get("/exit")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://www.google.co.uk/"
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_exit_url_is_configurable(make_app):
    client = make_app(SITE={"exit_url": "https://www.metoffice.gov.uk/"}).test_client()
    assert client.get("/cy/").status_code == 200
    assert client.get("/exit").headers["Location"] == "https://www.metoffice.gov.uk/"


def test_production_refuses_to_start_without_a_public_key(make_app):
    from webapp.rules.sealing import KeyProblem

    with pytest.raises(KeyProblem, match="No public key"):
        make_app(QD_ENV="production", QD_ROLE="public", SITE=LANDLORD)


def test_staff_can_sign_in_over_https_without_a_referer(make_app, tmp_path, clock,
                                                        monkeypatch):
    """Production on https, and browsers told to send no Referer: the form
    token alone must be enough (Flask-WTF would otherwise want a Referer)."""
    from tests.staff import OFFICER, add_officer, sign_in
    from webapp import db
    from webapp.rules.sealing import generate_keypair

    generate_keypair(tmp_path / "instance")
    monkeypatch.setenv("QD_STAFF_SECRET", "s" * 64)
    monkeypatch.setenv("QD_PUBLIC_SECRET_FINGERPRINT", "0123456789abcdef")  # another key's
    app = make_app(QD_ENV="production", QD_ROLE="staff", SITE=LANDLORD, PROXY_HOPS=1,
                   CLOCK=lambda: clock["now"])
    db.upgrade(app.extensions["db_engine"])
    add_officer(app, OFFICER, clock)
    officer = app.test_client()
    officer.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"  # from the TLS proxy
    assert sign_in(app, officer, clock).status_code == 302
    assert officer.get("/staff/").status_code == 200


def test_a_post_from_another_site_is_refused(client):
    response = client.post("/ask/questions", data={"step": "danger", "danger": "no"},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert "999" in response.get_data(as_text=True)  # still the error page with help
