"""Rate limits kept in Redis when it is configured, and a Redis that does not
answer never stops residents from sending."""

import os
import uuid

import pytest

from webapp import db


def send_many(app, times):
    db.upgrade(app.extensions["db_engine"])
    client = app.test_client()
    send = {"go": "send", "step": "check"}  # the check page's Send: 30 an hour
    return [client.post("/concern/questions", data=send).status_code for _ in range(times)]


def test_limits_are_shared_through_redis(make_app):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests need TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/0 "
                    "(.ci/run sets it when Redis answers)")
    secret = "shared-" + uuid.uuid4().hex  # a fresh key space for this test
    first = make_app(RATELIMIT_ENABLED=True, REDIS_URL=url, SECRET_KEY=secret)
    second = make_app(RATELIMIT_ENABLED=True, REDIS_URL=url, SECRET_KEY=secret)
    assert first.config["RATELIMIT_STORAGE_URI"] == url
    assert send_many(first, 30)[-1] != 429
    # Another worker (another app) sees the same count.
    assert send_many(second, 1) == [429]


def test_redis_not_answering_falls_back_to_memory(make_app, caplog):
    app = make_app(RATELIMIT_ENABLED=True, REDIS_URL="redis://127.0.0.1:9/0")
    statuses = send_many(app, 3)
    assert 500 not in statuses and 503 not in statuses
    assert "falling back to in-memory storage" in caplog.text  # loudly, in the log
