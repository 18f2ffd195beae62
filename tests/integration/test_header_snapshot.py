"""Every header of a set of typical exchanges, name, value and order, exactly
as they were before the per-request work was trimmed (issue 13): the home
page in two languages, a page from the page cache, error pages (404, 405,
413, 403, 500), a form page and its answer (with the session cookie), the
exit, a static file and /health, the kept pages asked for again (a third
time, by HEAD, with a query string, a body, another Host, over plain http,
from a client that is not the proxy); in the demo, and in production behind the
TLS proxy (HSTS, force_https, rate limits on).

A value that changes from run to run (a cookie's signed value, a static
file's date and ETag, a body's length) is written as ``*``, its header still
in its place; the methods in ``Allow`` (a set) are sorted. The snapshot is
``headers.json`` beside this file; to change it on purpose (a new header),
run ``.venv/bin/python -m tests.integration.test_header_snapshot`` and
review the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import CSRF

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
VARIABLE = {"content-length", "etag", "last-modified", "date"}
COOKIE_VALUE = re.compile(r"^(session=)[^;]+")
SNAPSHOT = Path(__file__).with_name("headers.json")


def normalised(headers) -> list[tuple[str, str]]:
    shown = []
    for name, value in headers.items():
        if name.lower() in VARIABLE:
            value = "*"
        elif name.lower() == "allow":  # from a set: its order changes from run to run
            value = ", ".join(sorted(value.split(", ")))
        elif name.lower() == "set-cookie" and not value.startswith("session=;"):
            value = COOKIE_VALUE.sub(r"\1*", value)
        shown.append((name, value))
    return shown


def exchanges(app, production: bool) -> dict[str, tuple[int, list[tuple[str, str]]]]:
    @app.get("/probe-failure")
    def failure():
        raise ValueError("a typed answer")

    app.config["TESTING"] = False  # the 500 page, not the exception
    client = app.test_client()
    client.checking = False  # headers are what this compares; pages are checked elsewhere
    extra = HTTPS if production else {}
    seen = {}

    def record(label, response):
        seen[label] = (response.status_code, normalised(response.headers))
        response.close()  # a static file's
        return response

    def get(label, path, **kwargs):
        return record(label, client.get(path, headers={**extra, **kwargs.pop("headers", {})},
                                        **kwargs))

    def post(label, path, **kwargs):
        return record(label, client.post(path, headers={**extra, **kwargs.pop("headers", {})},
                                         **kwargs))

    get("home", "/")
    get("home again", "/")  # from the page cache
    get("home in Welsh", "/cy/")
    get("safety online", "/safety-online", headers={"User-Agent": "Firefox/133.0"})
    get("information page", "/recognising-abuse")
    get("campaigns", "/campaigns/")
    get("not found", "/no-such-page")
    get("not found in Arabic", "/ar/no-such-page")
    post("wrong method", "/cy/")
    post("too large", "/ask", data={"x": "a" * 100_000})
    post("cross-site post", "/ask/questions", data={"step": "danger", "danger": "no"},
         headers={"Sec-Fetch-Site": "cross-site"})
    get("failure", "/probe-failure")
    form = get("form page", "/ask/questions")
    token = CSRF.search(form.get_data(as_text=True)).group(1)
    post("form answer", "/ask/questions",
         data={"csrf_token": token, "step": "danger", "danger": "no"})
    get("home with a session", "/")
    get("static file", "/static/css/site.css")
    get("health", "/health")
    get("exit", "/exit")
    # Pages asked for again and again, as a crowd does (kept whole, issue 13):
    # a third time, in Welsh again, an information page again, a campaign
    # list again, with a query string, a HEAD, under another Host, and
    # without the cookie again.
    client.delete_cookie("session")
    get("home a third time", "/")
    get("home in Welsh again", "/cy/")
    get("information page again", "/recognising-abuse")
    get("campaigns again", "/campaigns/")
    get("home with a query string", "/?utm_source=leaflet")
    record("home by HEAD", client.head("/", headers=extra))
    get("home under another host", "/", headers={"Host": "quietdoor.example"})
    get("home with a body", "/", data="x" * 100_000)
    if production:
        record("plain http", client.get("/"))
        record("plain http health", client.get("/health"))
        record("plain http again", client.get("/"))
        get("home after plain http", "/")
        record("https said by a stranger", client.get(
            "/", headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "192.0.2.1"}))
    return seen


@pytest.fixture
def production_app(make_app, tmp_path):
    from webapp.rules.sealing import generate_keypair

    generate_keypair(tmp_path / "instance")
    return make_app(QD_ENV="production", QD_ROLE="public", SITE=LANDLORD, PROXY_HOPS=1,
                    RATELIMIT_ENABLED=True)


LANDLORD = {"organisation_name": "Riverside Housing", "team_phone": "0113 496 0000"}


def snapshot(mode: str) -> dict:
    return {label: (status, [tuple(header) for header in headers])
            for label, (status, headers) in json.loads(SNAPSHOT.read_text())[mode].items()}


def test_headers_are_exactly_as_before_in_the_demo(migrated):
    assert exchanges(migrated, production=False) == snapshot("demo")


def test_headers_are_exactly_as_before_in_production(production_app):
    from webapp import db

    db.upgrade(production_app.extensions["db_engine"])
    assert exchanges(production_app, production=True) == snapshot("production")


if __name__ == "__main__":  # write the snapshot of the code as it is now
    import logging
    import tempfile
    import uuid

    from webapp import create_app, db
    from webapp.rules.sealing import generate_keypair

    logging.disable(logging.ERROR)  # the probe's failure is expected
    found = {}
    for mode in ("demo", "production"):
        with tempfile.TemporaryDirectory() as folder:
            production = mode == "production"
            if production:
                generate_keypair(Path(folder, "instance"))
            app = create_app({
                "TESTING": True, "RATELIMIT_ENABLED": production,
                "INSTANCE_PATH": str(Path(folder, "instance")),
                "SECRET_KEY": "test-" + uuid.uuid4().hex,
                "DATABASE_URL": f"sqlite:///{folder}/test.sqlite3",
                **({"QD_ENV": "production", "QD_ROLE": "public", "SITE": LANDLORD,
                    "PROXY_HOPS": 1} if production else {})})
            db.upgrade(app.extensions["db_engine"])
            found[mode] = exchanges(app, production)
            app.extensions["db_engine"].dispose()
    lines = ["{"]
    for n, (mode, seen) in enumerate(found.items()):
        lines.append(f" {json.dumps(mode)}: {{")
        for m, (label, (status, headers)) in enumerate(seen.items()):
            lines.append(f"  {json.dumps(label)}: [{status}, [")
            lines += [f"   {json.dumps(list(header), ensure_ascii=False)}"
                      + ("," if k < len(headers) - 1 else "") for k, header in enumerate(headers)]
            lines.append("  ]]" + ("," if m < len(seen) - 1 else ""))
        lines.append(" }" + ("," if n < len(found) - 1 else ""))
    lines.append("}")
    SNAPSHOT.write_text("\n".join(lines) + "\n")
    print(f"wrote {SNAPSHOT}")
