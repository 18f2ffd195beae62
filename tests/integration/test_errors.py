"""Bad input: a friendly page in the visitor's language, the quick exit and 999,
the right status, and never a stack trace. The test client checks every error
page it gets as it checks every other page (tests/pages.py)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp import db


def test_unknown_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_unknown_page_in_arabic_is_in_arabic(client):
    response = client.get("/ar/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "Page not found" not in html


def test_unknown_language_code(client):
    response = client.get("/xx/")
    assert response.status_code == 404
    assert '<html lang="en"' in response.get_data(as_text=True)


def test_wrong_method(client):
    response = client.post("/cy/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert '<html lang="cy"' in response.get_data(as_text=True)


def test_oversized_request(client):
    response = client.post("/ask", data={"x": "a" * 200_000})
    assert response.status_code == 413


def test_unexpected_failure_shows_the_friendly_page_and_logs_no_message(make_app, caplog):
    app = make_app()
    app.config["TESTING"] = False

    @app.route("/boom")
    def boom():
        raise ValueError("someone's typed answer")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "typed answer" not in html
    assert "/exit" in html and "999" in html
    assert "typed answer" not in caplog.text
    assert "ValueError" in caplog.text


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(min_size=1, max_size=80))
def test_any_path_gets_a_safe_answer(client, path):
    response = client.get("/" + path.lstrip("/"))
    assert response.status_code in (200, 301, 302, 303, 308, 404)
    if response.status_code == 404:
        html = response.get_data(as_text=True)
        assert "/exit" in html and "999" in html
        assert "Traceback" not in html


def test_missing_csrf_token_is_a_friendly_400(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)

    @app.post("/cy/probe")
    def probe():
        return "accepted"

    response = app.test_client().post("/cy/probe", data={"answer": "x"})
    assert response.status_code == 400
    assert '<html lang="cy"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "body", "headers"), [
    ("POST", "/ask/questions", b"step=danger&danger=\xff\xfe&csrf_token=\xc3\x28",
     {"Content-Type": "application/x-www-form-urlencoded"}),  # bad UTF-8
    ("GET", "/ask?x=%ff%fe%c3%28", None, {}),
    ("GET", "/%ff%fe", None, {}),
    ("GET", "/static/../webapp/__init__.py", None, {}),
    ("GET", "/static/..%2f..%2fpyproject.toml", None, {}),
    ("GET", "/static/%2e%2e/%2e%2e/pyproject.toml", None, {}),
    ("POST", "/ask/questions", b"x" * (70 * 1024),
     {"Content-Type": "application/x-www-form-urlencoded"}),
    ("POST", "/ask/questions", b'{"danger": "yes"}', {"Content-Type": "application/json"}),
    ("DELETE", "/ask", None, {}),
    ("PUT", "/staff/login", None, {}),
    ("POST", "/ask/questions", b"step=danger&danger=no",
     {"Content-Type": "multipart/form-data; boundary=x"}),
    ("POST", "/ask/questions", b"go=send&step=check&go=back&step=\xff",
     {"Content-Type": "application/x-www-form-urlencoded"}),
])
def test_hostile_requests_get_a_clear_page_never_a_trace(client, method, path, body, headers):
    response = client.open(path, method=method, data=body, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code < 500, (path, response.status_code)
    assert "Traceback" not in html and "webapp/" not in html
    assert "[project]" not in html and "create_app" not in html  # no file leaked
    if response.status_code >= 400:
        assert 'id="quick-exit"' in html and "999" in html, (path, response.status_code)


def test_a_stale_token_on_a_question_shows_the_page_again_with_what_was_typed(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    db.upgrade(app.extensions["db_engine"])
    client = app.test_client()
    client.get("/ask/questions")
    response = client.post("/ask/questions",
                           data={"csrf_token": "stale", "step": "danger", "danger": "no"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # the question again, not an error page
    assert "This page was open for a long time" in html
    assert 'value="no" checked' in html  # their answer is still chosen
