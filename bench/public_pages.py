"""Public pages through gunicorn, beside a bare Flask "hello world" on the same
gunicorn settings: what our stack costs.

Starts gunicorn twice on loopback (our site with QD_ROLE=public on SQLite,
then ``bench/hello.py``), and for each path:

1. as fast as it goes: C client processes with keep-alive connections, for
   D seconds: requests per second and p50/p99 latency;
2. at a fixed 200 requests per second: p50/p99 latency (the target is p99
   under 50 ms);

then prints the ratio of our pages' rate to hello world's, and the memory of
each gunicorn worker (resident, proportional and private). The load generator shares the machine's
cores with the server, so absolute figures are a floor.

    .venv/bin/python bench/public_pages.py --workers 4 --clients 8 --seconds 10
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import flask, gunicorn  # noqa: E402


def hammer(args) -> list[float]:
    """One client: requests back to back (rate=None) or paced at ``rate``/s."""
    port, path, seconds, rate = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies, end = [], time.perf_counter() + seconds
    next_at = time.perf_counter()
    while time.perf_counter() < end:
        if rate:
            pause = next_at - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            next_at += 1 / rate
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status}")
    connection.close()
    return latencies


def run(port: int, path: str, clients: int, seconds: float, rate: float | None):
    per_client = rate / clients if rate else None
    with mp.Pool(clients) as pool:
        results = pool.map(hammer, [(port, path, seconds, per_client)] * clients)
    latencies = sorted(lat for result in results for lat in result)
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    return len(latencies) / seconds, statistics.median(latencies), p99


def worker_memory(master: subprocess.Popen) -> list[tuple[float, float, float]]:
    """(resident, proportional, private) MB of each worker, the master's
    children. Resident counts the pages workers share with the master (the
    code, loaded once before forking) in full for each; proportional splits
    them among the sharers; private is what each worker adds on its own."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    sizes = []
    for pid in children.read_text().split():
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0]) / 1024
        sizes.append((fields["Rss"], fields["Pss"],
                      fields["Private_Clean"] + fields["Private_Dirty"]))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site_env = {"QD_INSTANCE_PATH": folder, "RATELIMIT_ENABLED": "false",
                    "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
        # The demo makes the key pair and the database once, before the workers start.
        flask("db", "upgrade", env=site_env)
        public_key = (Path(folder) / "referral_key.pub").read_text().strip()
        (Path(folder) / "referral_key").unlink()  # a public instance holds no private key
        site_env |= {"QD_ROLE": "public", "QD_PUBLIC_KEY": public_key}
        figures = {}
        for name, app, env, paths in (
                ("hello world", "bench.hello:app", {}, ["/"]),
                ("Quiet Door", "webapp.wsgi:app", site_env, ["/", "/safety-online"])):
            with gunicorn(env, app, args.workers, quiet=True) as (base, server):
                port = int(base.rsplit(":", 1)[1])
                for path in paths:
                    run(port, path, args.clients, 1, None)  # warm up
                    rate, p50, p99 = run(port, path, args.clients, args.seconds, None)
                    _, fixed50, fixed99 = run(port, path, args.clients, args.seconds, 200)
                    figures[(name, path)] = rate
                    print(f"{name:<12} {path:<16} {rate:7.0f} req/s  p50 {p50:6.1f} ms  "
                          f"p99 {p99:6.1f} ms   at 200 req/s: p50 {fixed50:5.1f} ms  "
                          f"p99 {fixed99:5.1f} ms")
                memory = worker_memory(server)
                rss, pss, private = (statistics.mean(kind) for kind in zip(*memory, strict=True))
                print(f"{name:<12} memory per worker ({len(memory)} workers, mean): "
                      f"resident {rss:.0f} MB, proportional {pss:.0f} MB, private {private:.0f} MB")
        bare = figures[("hello world", "/")]
        for path in ("/", "/safety-online"):
            print(f"{path:<16} {figures[('Quiet Door', path)] / bare:.2f} of hello world's rate "
                  "(aim: 0.5 or better for /)")
    print(f"({args.workers} workers, {args.clients} client processes on the same "
          f"{os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
