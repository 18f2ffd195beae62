"""The way back's costs: opening it, making its locks, and her page.

1. One opening: the Argon2id derivation every try costs (the right
   passphrase, a wrong one and an unknown reference alike), with
   ``wayback.OPS_LIMIT`` and ``wayback.MEM_LIMIT``: median and p95 of
   ``--tries``, and how much the process's peak resident memory grew with
   the first one (the memory a worker must have free for each opening at
   once). Then the whole POST /return that opens it, in-process.
2. Making the locks (``new_locks``: a key pair, one derivation, the lock),
   as the passphrase page does: median and p95.
3. Her page: GET /return with an open visit on a way back holding
   ``--entries`` entries (messages both ways, attempts, what she changed),
   every one opened with her key on each view: requests per second and
   median (p95) latency, in-process through Flask's test client, a public
   instance (QD_ROLE=public, its public key only) on SQLite or PostgreSQL.

Figures only, no pass or fail. The machine's other work shows in them: run
it on a quiet machine.

    .venv/bin/python bench/way_back.py
    .venv/bin/python bench/way_back.py --db postgresql --entries 40 --requests 500
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.referrals import bench_database, percentile  # noqa: E402
from webapp import create_app, db  # noqa: E402
from webapp.referrals.models import Referral  # noqa: E402
from webapp.rules import sealing, wayback  # noqa: E402
from webapp.rules.reference import new_reference  # noqa: E402
from webapp.wayback import store  # noqa: E402

PASSPHRASE = "lantern orchard quietly humming"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CONTACT = {"method": "site", "post_safe": "no", "language": "en"}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(call, times: int) -> list[float]:
    """Milliseconds for each of ``times`` calls."""
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def report(name: str, spent: list[float]) -> None:
    print(f"{name:<44} median {statistics.median(spent):8.1f} ms   "
          f"p95 {percentile(spent, 0.95):8.1f} ms   ({len(spent)} runs)")


def derivations(tries: int) -> None:
    salt = secrets.token_bytes(wayback.SALT_SIZE)
    before = peak_rss_mib()
    first = timed(lambda: wayback.derive(PASSPHRASE, salt), 1)
    grown = peak_rss_mib() - before
    spent = first + timed(lambda: wayback.derive(PASSPHRASE, salt), tries - 1)
    print(f"Argon2id: opslimit {wayback.OPS_LIMIT}, memlimit "
          f"{wayback.MEM_LIMIT // (1024 * 1024)} MiB, {os.cpu_count()} cores here")
    report("one opening (a derivation)", spent)
    print(f"{'peak resident memory, grown by the first':<44} {grown:8.1f} MiB "
          f"(from {before:.1f} MiB)")
    report("making the locks (new_locks)", timed(lambda: wayback.new_locks(PASSPHRASE), tries))


def fill(app, entries: int) -> str:
    """A referral with an open way back and ``entries`` entries; its reference."""
    now = datetime.now(UTC)
    staff_key = app.extensions["referral_public_key"]
    locks = wayback.new_locks(PASSPHRASE)
    reference = new_reference()
    kinds = [wayback.TEAM_MESSAGE, wayback.RESIDENT_MESSAGE, wayback.ATTEMPT,
             wayback.TEAM_MESSAGE, wayback.RESIDENT_MESSAGE, wayback.CONTACT_CHANGED,
             wayback.ADDED]
    with app.app_context():
        session = db.session()
        referral = Referral(reference=reference, kind="self", language="en",
                            received_at=now, promise_at=now, due_at=now + timedelta(days=1),
                            window_end=None, flags="", priority=2, status="open",
                            contact_method="site", sealed=sealing.seal(staff_key, {}))
        session.add(referral)
        session.flush()
        store.add_way_back(session, referral.id, reference, "self", locks, True, now)
        store.add_entry(session, referral.id, wayback.RECEIVED, now, by_resident=True,
                        for_resident=wayback.seal_for(locks.public_key, {"contact": CONTACT}),
                        for_staff=None)
        for number in range(entries - 1):
            kind = kinds[number % len(kinds)]
            mine = {wayback.ATTEMPT: {"method": "call", "outcome": "no_answer"},
                    wayback.CONTACT_CHANGED: {"contact": CONTACT}}.get(
                kind, {"text": f"Message {number}: " + "words and more words " * 12})
            store.add_entry(session, referral.id, kind, now + timedelta(minutes=number + 1),
                            by_resident=kind != wayback.TEAM_MESSAGE and kind != wayback.ATTEMPT,
                            for_resident=wayback.seal_for(locks.public_key, mine),
                            for_staff=sealing.seal(staff_key, mine))
        session.commit()
    return reference


def her_page(app, entries: int, requests: int) -> None:
    reference = fill(app, entries)
    client = app.test_client()
    token = CSRF.search(client.get("/return").get_data(as_text=True)).group(1)
    form = {"csrf_token": token, "go": "open", "reference": reference,
            "passphrase": PASSPHRASE}

    def open_it():
        client.delete_cookie("qd_return")
        response = client.post("/return", data=form)
        assert response.status_code == 303, response.status_code

    report("POST /return that opens it (in-process)", timed(open_it, 10))
    page = client.get("/return")
    assert page.status_code == 200 and "Message 0:" in page.get_data(as_text=True)
    for _ in range(20):  # warm: templates compiled, connections made
        client.get("/return")
    started = time.perf_counter()
    spent = timed(lambda: client.get("/return"), requests)
    rate = requests / (time.perf_counter() - started)
    report(f"GET /return, {entries} entries opened each time", spent)
    print(f"{'':<44} {rate:8.0f} requests per second (one client, in-process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--tries", type=int, default=20, help="derivations timed")
    parser.add_argument("--entries", type=int, default=20, help="entries on her way back")
    parser.add_argument("--requests", type=int, default=300, help="views of her page timed")
    args = parser.parse_args()

    derivations(args.tries)  # first: the peak memory is still the imports'
    with (tempfile.TemporaryDirectory() as folder,
          bench_database(args.db, args.postgres_url, Path(folder)) as database_url):
        public_key = sealing.generate_keypair(Path(folder, "keys"))
        os.environ["QD_PUBLIC_KEY"] = sealing.encode_key(public_key)
        app = create_app({"INSTANCE_PATH": str(Path(folder, "instance")),
                          "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
                          "QD_ROLE": "public", "RATELIMIT_ENABLED": False})
        db.upgrade(app.extensions["db_engine"])
        print(f"Her page: a public instance on {args.db}")
        her_page(app, args.entries, args.requests)
        app.extensions["db_engine"].dispose()


if __name__ == "__main__":
    main()
