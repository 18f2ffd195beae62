"""A real Chromium against the site served from a thread on 127.0.0.1.

The quick exit needs somewhere neutral to go: a second tiny server on another
port stands in for it (another origin, still on this machine), and also
serves a start page from which the visitor "arrives" at our site.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid

import pyotp
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from webapp import create_app

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--proxy-server=http://127.0.0.1:9",
    "--disable-features=AutofillServerCommunication",
]


def chromium_path() -> str | None:
    """$CHROMIUM_PATH, else Debian's chromium, else Playwright's own (None)."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium",
                      shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def staff_sign_in(page, email, secret, password="a long pass phrase", landing="**/staff/"):
    """Sign ``page`` in on the staff side: password, then the code from the
    authenticator app holding ``secret``; wait until ``landing``."""
    page.goto("/staff/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(landing)
    return page


def _serve(wsgi_app):
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@Request.application
def neutral_site(request):
    if request.path == "/start":
        body = f'<h1>Search</h1><a id="go" href="{request.args["to"]}">Result</a>'
    else:
        body = "<h1>Weather</h1>"
    return Response(f"<!doctype html><title>Neutral</title>{body}", content_type="text/html")


@pytest.fixture(scope="session")
def neutral():
    server = _serve(neutral_site)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, neutral):
    """The site, with its exit pointing at the neutral stand-in."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app({
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": uuid.uuid4().hex,
        "DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}",
        "SITE": {"exit_url": neutral + "/neutral"},
    })
    from webapp import db

    db.upgrade(app.extensions["db_engine"])
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = _serve(live_app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(javascript=True, width=1280)``: a page in a fresh context."""
    contexts = []

    def make(javascript: bool = True, width: int = 1280, height: int = 800):
        context = browser.new_context(base_url=live_server, java_script_enabled=javascript,
                                      viewport={"width": width, "height": height})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
