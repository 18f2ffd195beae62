"""The staff queue at size: 10,000 open referrals.

Fills a fresh database with N open referrals (sealed as real ones are), signs
an officer in, and times, in-process through Flask's test client (no network,
so the figure is the server's own work):

- the queue page (first page, the overdue filter, and the last page),
- a referral's page (opened with the private key, the view audited),

printing the median and p99 of each, and the queue page's size, raw and
gzipped. The list never unseals anything; only a referral's own page does.

    .venv/bin/python bench/staff_queue.py --referrals 10000
    .venv/bin/python bench/staff_queue.py --db postgresql --referrals 10000
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.referrals import bench_database  # noqa: E402
from tests.staff import OFFICER, PASSWORD, form_token  # noqa: E402
from webapp import create_app, db  # noqa: E402
from webapp.referrals.models import Referral  # noqa: E402
from webapp.rules.reference import ALPHABET  # noqa: E402
from webapp.rules.sealing import seal  # noqa: E402
from webapp.staff import accounts  # noqa: E402
from webapp.staff.models import StaffUser  # noqa: E402

ANSWERS = {
    "contact": {"method": "call", "phone": "07700 900123", "phone_own": "yes",
                "days": ["monday", "wednesday"], "bands": ["evening"], "voicemail": "no",
                "cover_story": "About the boiler", "code_word": "apple", "language": "en"},
    "answers": {"danger": "no", "help": ["security", "money"], "help_more": "x" * 400,
                "name": "A resident"},
}


def fill(app, count: int) -> list[str]:
    rng = random.Random(7)
    now = datetime.now(UTC)
    public_key = app.extensions["referral_public_key"]
    references = set()
    while len(references) < count:
        references.add("".join(rng.choice(ALPHABET) for _ in range(3)) + "-"
                       + "".join(rng.choice(ALPHABET) for _ in range(3)))
    references = sorted(references)
    with app.app_context():
        session = db.session()
        session.add(StaffUser(email=OFFICER, role="officer",
                              password_hash=accounts.hash_password(PASSWORD),
                              totp_secret=accounts.new_totp_secret(), active=True,
                              failed_logins=0, created_at=now))
        for start in range(0, count, 1000):
            for reference in references[start:start + 1000]:
                received = now - timedelta(minutes=rng.randint(0, 60 * 48))
                session.add(Referral(
                    reference=reference, kind=rng.choice(("self", "self", "concern")),
                    language=rng.choice(("en", "en", "en", "cy", "ar", "pl")),
                    received_at=received, promise_at=received + timedelta(hours=24),
                    due_at=received + timedelta(hours=24), window_end=None,
                    flags=rng.choice(("", "", "", "danger_now", "no_safe_window")),
                    priority=rng.choice((1, 2, 2, 2)), status="open", contact_method="call",
                    sealed=seal(public_key, ANSWERS)))
            session.commit()
    return references


def sign_in(app, client):
    with app.app_context():
        secret = db.session().query(StaffUser).one().totp_secret
    page = client.get("/staff/login").get_data(as_text=True)
    client.post("/staff/login", data={"csrf_token": form_token(page), "email": OFFICER,
                                      "password": PASSWORD})
    page = client.get("/staff/login/code").get_data(as_text=True)
    client.post("/staff/login/code", data={"csrf_token": form_token(page),
                                           "code": pyotp.TOTP(secret).now()})
    assert client.get("/staff/").status_code == 200


def timed(client, paths: list[str]) -> tuple[list[float], bytes]:
    times, body = [], b""
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        body = response.get_data()
    return times, body


def report(name: str, times: list[float]) -> None:
    times = sorted(times)
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    print(f"{name:<34} median {statistics.median(times):7.1f} ms   p99 {p99:7.1f} ms"
          f"   ({len(times)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()

    with (tempfile.TemporaryDirectory() as folder,
          bench_database(args.db, args.postgres_url, Path(folder)) as database_url):
        app = create_app({"INSTANCE_PATH": folder, "DATABASE_URL": database_url,
                          "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                          "STAFF_IDLE_MINUTES": 120})
        db.upgrade(app.extensions["db_engine"])
        started = time.perf_counter()
        references = fill(app, args.referrals)
        print(f"{args.referrals} open referrals on {args.db}, made in "
              f"{time.perf_counter() - started:.1f} s")
        client = app.test_client()
        sign_in(app, client)
        last = -(-args.referrals // 100)
        times, page = timed(client, ["/staff/"] * args.requests)
        report("queue, first page", times)
        report("queue, overdue filter", timed(client, ["/staff/overdue"] * args.requests)[0])
        report(f"queue, last page ({last})",
               timed(client, [f"/staff/?page={last}"] * args.requests)[0])
        sample = random.Random(1).sample(references, args.requests)
        report("referral page (unsealed, audited)",
               timed(client, [f"/staff/referral/{r}" for r in sample])[0])
        print(f"queue page size: {len(page) / 1024:.1f} KB, "
              f"{len(gzip.compress(page)) / 1024:.1f} KB gzipped (100 rows a page)")
        app.extensions["db_engine"].dispose()


if __name__ == "__main__":
    main()
