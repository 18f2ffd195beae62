"""Referrals end to end: concurrent residents through gunicorn.

Each simulated resident walks a whole journey (every question page, the
check page, Send) with its own cookies, as a browser would without
JavaScript. Prints referrals per second, request latency (p50/p99), journey
latency, and the count stored, which must equal the count sent.

    .venv/bin/python bench/referrals.py --db sqlite --residents 20 --referrals 200
    .venv/bin/python bench/referrals.py --db postgresql --residents 50 --referrals 500

PostgreSQL needs TEST_POSTGRES_URL (or --postgres-url); the benchmark makes
its own database and drops it afterwards. Rate limits are switched off for
the run (every resident comes from 127.0.0.1). Traffic stays on loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import ASK_BY_PHONE, CONCERN_ANONYMOUS  # noqa: E402
from tests.servers import flask, gunicorn  # noqa: E402

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Resident:
    def __init__(self, base: str, latencies: list):
        self.base = base
        self.latencies = latencies
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: dict | None = None) -> tuple[str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        started = time.perf_counter()
        with self.opener.open(self.base + path, data=body, timeout=60) as response:
            html = response.read().decode()
            url = response.url
        self.latencies.append(time.perf_counter() - started)
        return html, url

    def answer(self, path: str, slug: str, data: dict) -> str:
        """Show the page at the journey's one address, then answer it as ``slug``."""
        html, _ = self.request(path)
        token = CSRF.search(html).group(1)
        html, _ = self.request(path, {"csrf_token": token, "step": slug, **data})
        return html

    def journey(self, kind: str) -> bool:
        prefix, steps = ("/ask", ASK_BY_PHONE) if kind == "ask" else ("/concern", CONCERN_ANONYMOUS)
        self.request(prefix)
        for slug, data in steps:
            self.answer(f"{prefix}/questions", slug, data)
        sent = self.answer(f"{prefix}/questions", "check", {"go": "send"})
        return 'class="reference"' in sent


@contextlib.contextmanager
def bench_database(kind: str, postgres_url: str | None, folder: Path):
    """A database URL for one run: SQLite in ``folder``, or a PostgreSQL
    database made for the run and dropped after it."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    if not postgres_url:
        sys.exit("PostgreSQL: set TEST_POSTGRES_URL or give --postgres-url")
    import psycopg

    admin_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    name = "qd_bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rpartition("/")[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--residents", type=int, default=20, help="concurrent clients")
    parser.add_argument("--referrals", type=int, default=200, help="journeys in all")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="qd-bench-"))
    with bench_database(args.db, args.postgres_url, folder) as database_url:
        env = {"QD_INSTANCE_PATH": str(folder), "DATABASE_URL": database_url,
               "SECRET_KEY": uuid.uuid4().hex * 2, "RATELIMIT_ENABLED": "false"}
        flask("db", "upgrade", env=env)
        with gunicorn(env, workers=args.workers) as (base, _server):
            latencies: list[float] = []
            journeys: list[float] = []
            failures: list[str] = []
            lock = threading.Lock()
            queue = list(range(args.referrals))

            def work():
                resident_latencies: list[float] = []
                while True:
                    with lock:
                        if not queue:
                            break
                        number = queue.pop()
                    resident = Resident(base, resident_latencies)
                    started = time.perf_counter()
                    try:
                        ok = resident.journey("ask" if number % 2 else "concern")
                    except Exception as exc:  # counted, not hidden
                        ok = False
                        failures.append(type(exc).__name__)
                    with lock:
                        journeys.append(time.perf_counter() - started)
                        if not ok and not failures:
                            failures.append("did not reach the confirmation")
                with lock:
                    latencies.extend(resident_latencies)

            started = time.perf_counter()
            threads = [threading.Thread(target=work) for _ in range(args.residents)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started

        from sqlalchemy import create_engine, text

        from webapp.db import normalise_url

        engine = create_engine(normalise_url(database_url))
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM referral")).scalar()
            unique = connection.execute(
                text("SELECT count(DISTINCT reference) FROM referral")).scalar()
        engine.dispose()

    print(f"database            {args.db} ({args.workers} gunicorn workers, "
          f"{args.residents} concurrent residents)")
    print(f"referrals sent      {args.referrals} in {elapsed:.1f} s "
          f"= {args.referrals / elapsed:.1f} referrals/s")
    print(f"requests            {len(latencies)} = {len(latencies) / elapsed:.0f} requests/s; "
          f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms")
    print(f"whole journey       p50 {statistics.median(journeys):.2f} s, "
          f"p99 {percentile(journeys, 0.99):.2f} s")
    print(f"stored              {stored} (unique references {unique}); failures {len(failures)}"
          f"{' ' + str(sorted(set(failures))) if failures else ''}")
    ok = stored == unique == args.referrals and not failures
    print("stored equals sent: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
