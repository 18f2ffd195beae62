"""Load, bounded and on loopback: 1,000 referrals sent concurrently through
gunicorn on PostgreSQL; exactly 1,000 stored, every reference unique."""

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import CONCERN_ANONYMOUS, CSRF
from tests.servers import flask, gunicorn

RESIDENTS, REFERRALS = 40, 1000


def send_one(base: str) -> str:
    """A whole concern, without JavaScript: one token for the session, each
    answer posted, then Send. Returns the reference shown."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/concern/questions", timeout=60).read().decode()
    token = CSRF.search(page).group(1)
    for slug, data in [*CONCERN_ANONYMOUS, ("check", {"go": "send"})]:
        body = {"csrf_token": token, "step": slug, **data}
        with opener.open(f"{base}/concern/questions", timeout=60,
                         data=urllib.parse.urlencode(body, doseq=True).encode()) as response:
            html = response.read().decode()
    reference = re.search(r'class="reference"[^>]*>([A-Z0-9]{3}-[A-Z0-9]{3})<', html)
    assert reference, html[-2000:]
    return reference.group(1)


def test_a_thousand_referrals_sent_at_once_are_all_stored_once(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("the load test runs on PostgreSQL, the production database")
    env = {"QD_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url,
           "SECRET_KEY": uuid.uuid4().hex * 2, "RATELIMIT_ENABLED": "false"}
    flask("db", "upgrade", env=env)
    references, failures, lock = [], [], threading.Lock()
    remaining = list(range(REFERRALS))

    def resident(base):
        while True:
            with lock:
                if not remaining:
                    return
                remaining.pop()
            try:
                reference = send_one(base)
            except Exception as problem:
                with lock:
                    failures.append(repr(problem)[:200])
            else:
                with lock:
                    references.append(reference)

    with gunicorn(env, workers=4) as (base, _server):
        threads = [threading.Thread(target=resident, args=(base,)) for _ in range(RESIDENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
    assert failures == []
    assert len(references) == REFERRALS == len(set(references))
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT reference FROM referral")).scalars().all()
    engine.dispose()
    assert len(stored) == REFERRALS and set(stored) == set(references)
