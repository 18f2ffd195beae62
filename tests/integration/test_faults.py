"""Faults, bounded and on loopback: PostgreSQL or Redis going away while
residents use the site, and coming back. A small TCP proxy stands between the
app and the server, so a test can cut the line without touching the server
that other tests share."""

import contextlib
import os
import re
import socket
import threading
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import func, select

from tests.conftest import ASK_BY_PHONE, Walker
from tests.servers import free_port
from webapp import db
from webapp.referrals.models import Referral


class Line:
    """Loopback TCP proxy to ``upstream``; ``cut()`` drops every connection and
    refuses new ones, ``mend()`` listens again on the same port."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream, self.connections, self.listener = upstream, [], None
        self.port = free_port()
        self.mend()

    def mend(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread in accept()
        self.listener.close()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self.connections = []

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.connections += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.close()


@pytest.fixture
def postgres_through_a_line(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("this fault is PostgreSQL's (SQLite has no server to lose)")
    parts = urlsplit(database_url)
    line = Line((parts.hostname, parts.port or 5432))
    netloc = parts.netloc.replace(f"{parts.hostname}:{parts.port or 5432}",
                                  f"127.0.0.1:{line.port}")
    if netloc == parts.netloc:  # no port written in the URL
        netloc = parts.netloc.replace(parts.hostname, f"127.0.0.1:{line.port}")
    yield urlunsplit(parts._replace(netloc=netloc)), line
    line.cut()


def count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Referral))


def test_postgres_stopping_as_residents_send_loses_nothing(make_app, postgres_through_a_line):
    url, line = postgres_through_a_line
    app = make_app(url)
    db.upgrade(app.extensions["db_engine"])
    residents = [Walker(app.test_client()) for _ in range(3)]
    for resident in residents:
        resident.walk("/ask", ASK_BY_PHONE)
    pages = [resident.page("/ask")[1] for resident in residents]
    line.cut()
    for resident, page in zip(residents, pages, strict=True):
        response = resident.post("/ask", page, {"go": "send", "step": "check"})
        html = response.get_data(as_text=True)
        assert response.status_code == 503, response.headers.get("Location")
        assert "999" in html and "0808 157 0192" in html and 'id="quick-exit"' in html
        assert "Traceback" not in html
    assert app.test_client().get("/health").status_code == 503
    line.mend()
    assert app.test_client().get("/health").status_code == 200
    assert count(app) == 0  # nothing half-written
    for resident in residents:
        shown, page = resident.page("/ask")
        assert shown == "check" and "zebra-quartz-7731" in page  # every answer kept
        sent = resident.send("/ask", follow=True).get_data(as_text=True)
        assert re.search(r'class="reference"[^>]*>[A-Z0-9]{3}-[A-Z0-9]{3}<', sent)
    assert count(app) == 3


def test_redis_stopping_mid_run_keeps_the_site_serving(make_app, caplog):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests need TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/0 "
                    "(.ci/run sets it when Redis answers)")
    parts = urlsplit(url)
    line = Line((parts.hostname, parts.port or 6379))
    app = make_app(RATELIMIT_ENABLED=True, SECRET_KEY="faults-" + uuid.uuid4().hex,
                   REDIS_URL=urlunsplit(parts._replace(netloc=f"127.0.0.1:{line.port}")))
    db.upgrade(app.extensions["db_engine"])
    client = app.test_client()
    try:
        send = {"go": "send", "step": "check"}  # the check page's Send: 30 an hour
        assert client.post("/concern/questions", data=send).status_code != 500  # in Redis
        assert "falling back" not in caplog.text
        line.cut()
        statuses = [client.post("/concern/questions", data=send).status_code for _ in range(3)]
        assert 500 not in statuses and 503 not in statuses
        assert client.get("/").status_code == 200
        assert "falling back to in-memory storage" in caplog.text  # loudly, in the log
    finally:
        line.cut()
