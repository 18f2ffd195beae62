"""Public pages through gunicorn, beside a bare Flask "hello world" on the same
gunicorn settings: what our stack costs per request, and what a public
worker costs to start.

By default the site runs as deployed: production mode (``QD_ENV=production``:
HSTS, force_https, rate limits on), ``QD_ROLE=public`` with only the public
key, behind the TLS proxy (``QD_PROXY_HOPS=1``, every request carrying
``X-Forwarded-Proto: https`` and ``X-Forwarded-For``), on SQLite. ``--mode
demo`` runs the demo instead (plain http, rate limits off), as this bench
used to.

1. Throughput: both servers are started side by side, then each path is
   loaded in turn, hello world and ours alternately, for ``--rounds`` rounds;
   the median of the rounds is printed. With ``wrk`` installed (the issue's
   figures came from it): ``--connections`` connections (16) on 2 threads,
   as fast as it goes, requests per second and p50/p99 latency. Without it,
   or with ``--client python``, Python client processes do the same. Also
   the CPU time the workers spent per request (from /proc), which other
   load on the machine disturbs far less than the rate.
2. Latency at a fixed 200 requests per second (Python clients): p50/p99
   (the target is p99 under 50 ms).
3. The ratio of our pages' rate to hello world's (the aim for / is 0.75).
   The two paths show the two ways a page is served: ``/``, a plain visit
   (no cookie), is given the whole answer kept from the first time
   (``webapp/pages.py``, ``WholePages``); ``/safety-online`` depends on the
   browser, so it goes through Flask every time (its body from the page
   cache), as any visit with a cookie or a query string does.
4. Memory of each gunicorn worker after the run: resident, proportional and
   private.
5. Start-up of the public role: from starting gunicorn to the first 200 on
   /, and memory per worker once every worker has loaded and served, with
   ``GUNICORN_PRELOAD`` true (the app loaded once in the master, the
   default) and false (each worker imports the app itself).

The load generator shares the machine's cores with the server, so absolute
figures are a floor; the ratio is the figure to compare.

    .venv/bin/python bench/public_pages.py                   # production, 2 workers, wrk -c16
    .venv/bin/python bench/public_pages.py --seconds 10 --rounds 5
    .venv/bin/python bench/public_pages.py --startup-only
    .venv/bin/python bench/public_pages.py --mode demo --client python
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing as mp
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import BIN, flask, free_port, gunicorn  # noqa: E402

# What the TLS proxy in front adds to every request (docs/deploy.md).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
PATHS = ("/", "/safety-online")
AIM = 0.75
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------
# The site's environment


@contextlib.contextmanager
def site_environment(mode: str):
    """The environment of a public instance, with its database made and a
    public key (the private half is deleted: a public instance holds none)."""
    with tempfile.TemporaryDirectory(prefix="qd-bench-") as folder:
        env = {"QD_INSTANCE_PATH": f"{folder}/instance",
               "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
        flask("keys", "generate", "--folder", f"{folder}/keys", env=env)
        public_key = Path(folder, "keys", "referral_key.pub").read_text().strip()
        shutil.rmtree(Path(folder, "keys"))
        env |= {"QD_ROLE": "public", "QD_PUBLIC_KEY": public_key}
        if mode == "production":
            env |= {"QD_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                    "QD_PROXY_HOPS": "1", "QD_ORGANISATION_NAME": "Riverside Housing",
                    "QD_TEAM_PHONE": "0113 496 0000"}
        else:
            env |= {"QD_ENV": "demo", "RATELIMIT_ENABLED": "false"}
        flask("db", "upgrade", env=env)
        yield env


# ---------------------------------------------------------------------------
# Load: wrk, or Python client processes


def wrk_run(port: int, path: str, connections: int, seconds: float) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p99 ms) from wrk."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    for name, value in PROXY_HEADERS.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], check=True,
                            capture_output=True, text=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"{path}: wrk saw answers other than 200\n{output}")

    def latency(share: str) -> float:
        value, unit = re.search(rf"^\s+{share}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    rate = float(re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M).group(1))
    return rate, latency("50"), latency("99")


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
        connection.request("GET", path, headers=PROXY_HEADERS)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status}")
    connection.close()
    return latencies


def python_run(port: int, path: str, clients: int, seconds: float,
               rate: float | None = None) -> tuple[float, float, float]:
    per_client = rate / clients if rate else None
    with mp.Pool(clients) as pool:
        results = pool.map(hammer, [(port, path, seconds, per_client)] * clients)
    latencies = sorted(lat for result in results for lat in result)
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    return len(latencies) / seconds, statistics.median(latencies), p99


# ---------------------------------------------------------------------------
# What the server's processes use


def children(master: subprocess.Popen) -> list[int]:
    path = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return [int(pid) for pid in path.read_text().split()]


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def workers_cpu(master: subprocess.Popen) -> float:
    """CPU seconds used by the master's workers so far, those that gunicorn
    has already recycled (``max_requests``) included."""
    gone = _stat(master.pid)
    ticks = int(gone[13]) + int(gone[14])  # cutime, cstime: reaped children
    for pid in children(master):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = _stat(pid)
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / CLOCK_TICKS


def memory(pid: int) -> tuple[float, float, float]:
    """(resident, proportional, private) MB of one process. Resident counts
    the pages workers share with the master (the code, loaded once before
    forking) in full for each; proportional splits them among the sharers;
    private is what each worker adds on its own."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return fields["Rss"], fields["Pss"], fields["Private_Clean"] + fields["Private_Dirty"]


def worker_memory(master: subprocess.Popen) -> tuple[int, tuple[float, float, float]]:
    """(workers, mean (resident, proportional, private) MB per worker)."""
    sizes = [memory(pid) for pid in children(master)]
    return len(sizes), tuple(statistics.mean(kind) for kind in zip(*sizes, strict=True))


def describe_memory(master: subprocess.Popen) -> str:
    count, (rss, pss, private) = worker_memory(master)
    return (f"per worker ({count} workers, mean): resident {rss:.0f} MB, "
            f"proportional {pss:.0f} MB, private {private:.1f} MB; "
            f"master resident {memory(master.pid)[0]:.0f} MB")


# ---------------------------------------------------------------------------
# Start-up


def get(port: int, path: str = "/") -> int | None:
    """The status of one GET, or None while nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=PROXY_HEADERS)
        response = connection.getresponse()
        response.read()
        return response.status
    except (ConnectionError, TimeoutError):
        return None
    finally:
        connection.close()


def start_up(env: dict, workers: int, preload: bool) -> tuple[float, float, str]:
    """(seconds from starting gunicorn to the first 200 on /, seconds until
    every worker has loaded and gone idle, memory once each has served)."""
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "webapp.wsgi:app"], cwd=ROOT,
        env={**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}",
             "GUNICORN_WORKERS": str(workers), "GUNICORN_LOGLEVEL": "warning",
             "GUNICORN_PRELOAD": "true" if preload else "false"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while (status := get(port)) is None:
            if server.poll() is not None or time.perf_counter() - started > 60:
                raise SystemExit("gunicorn did not start the site")
            time.sleep(0.005)
        first = time.perf_counter() - started
        if status != 200:
            raise SystemExit(f"/: {status} on start-up")
        # Every worker up: all of them there and none using the CPU any more
        # (a worker still importing the app does). Then load them all, so
        # that each has served pages before its memory is read.
        before, quiet_since = None, None
        while True:
            time.sleep(0.05)
            pids = children(server)
            now = (pids, [int(_stat(pid)[11]) + int(_stat(pid)[12]) for pid in pids])
            if len(pids) == workers and before and before[0] == pids and now[1] == before[1]:
                quiet_since = quiet_since or time.perf_counter()
                if time.perf_counter() - quiet_since >= 0.2:
                    break
            else:
                quiet_since = None
            before = now
        ready = quiet_since - started
        python_run(port, "/", workers * 4, 1.0)
        return first, ready, describe_memory(server)
    finally:
        server.terminate()
        server.wait(timeout=30)


# ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["production", "demo"], default="production")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16,
                        help="wrk connections, or Python client processes")
    parser.add_argument("--seconds", type=float, default=10, help="per path, per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client", choices=["wrk", "python"],
                        default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--startup-runs", type=int, default=3)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--startup-only", action="store_true")
    group.add_argument("--no-startup", action="store_true")
    args = parser.parse_args()

    def load(port: int, path: str) -> tuple[float, float, float]:
        if args.client == "wrk":
            return wrk_run(port, path, args.connections, args.seconds)
        return python_run(port, path, args.connections, args.seconds)

    with site_environment(args.mode) as site_env:
        print(f"Quiet Door {args.mode}, QD_ROLE=public"
              + (", behind the proxy (X-Forwarded-Proto: https)" if args.mode == "production"
                 else "")
              + f"; {args.workers} gunicorn workers; {os.cpu_count()} cores shared with the client")
        if not args.startup_only:
            throughput(args, site_env, load)
        if not args.no_startup:
            print(f"\nStart-up of the public role ({args.workers} workers, "
                  f"median of {args.startup_runs} starts):")
            for preload in (True, False):
                runs = [start_up(site_env, args.workers, preload)
                        for _ in range(args.startup_runs)]
                first = statistics.median(run[0] for run in runs)
                ready = statistics.median(run[1] for run in runs)
                print(f"  GUNICORN_PRELOAD={str(preload).lower():<5}  first 200 on / after "
                      f"{first:.2f} s (each run: {', '.join(f'{r[0]:.2f}' for r in runs)}); "
                      f"every worker up after {ready:.2f} s")
                print(f"    memory {runs[-1][2]}")


def throughput(args, site_env: dict, load) -> None:
    label = (f"wrk, {args.connections} connections" if args.client == "wrk"
             else f"{args.connections} Python client processes")
    print(f"Throughput: {label}, {args.seconds:g} s per path, {args.rounds} rounds "
          "(median), hello world and ours alternately")
    servers = {"hello world": ("bench.hello:app", {}, ("/",)),
               "Quiet Door": ("webapp.wsgi:app", site_env, PATHS)}
    with contextlib.ExitStack() as stack:
        ports, masters = {}, {}
        for name, (app, env, _) in servers.items():
            base, master = stack.enter_context(gunicorn(env, app, args.workers, quiet=True))
            ports[name], masters[name] = int(base.rsplit(":", 1)[1]), master
        runs = [(name, path) for name, (_, _, paths) in servers.items() for path in paths]
        for name, path in runs:  # warm up: templates rendered, pages cached
            python_run(ports[name], path, 2, 1.0)
        results: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {
            run: [] for run in runs}
        for _ in range(args.rounds):
            for name, path in runs:
                cpu = workers_cpu(masters[name])
                rate, p50, p99 = load(ports[name], path)
                cpu_per_request = (workers_cpu(masters[name]) - cpu) / (rate * args.seconds)
                results[(name, path)].append((rate, p50, p99, cpu_per_request * 1e6))
        print(f"  {'':<12} {'path':<15} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'CPU µs/request':>15}")
        for (name, path), figures in results.items():
            rate, p50, p99, cpu = (statistics.median(kind) for kind in zip(*figures, strict=True))
            print(f"  {name:<12} {path:<15} {rate:7.0f} {p50:7.2f} {p99:7.2f} {cpu:15.0f}")
        hello = results[("hello world", "/")]
        for path in PATHS:
            ours = results[("Quiet Door", path)]
            ratios = [o[0] / h[0] for o, h in zip(ours, hello, strict=True)]
            cpu_ratio = statistics.median(h[3] for h in hello) / statistics.median(
                o[3] for o in ours)
            print(f"  {path:<15} {statistics.median(ratios):.2f} of hello world's rate "
                  f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}; by CPU per request "
                  f"{cpu_ratio:.2f})" + (f"  aim: {AIM} or better" if path == "/" else ""))
        print("At a fixed 200 requests per second (Python clients):")
        for name, path in runs:
            _, p50, p99 = python_run(ports[name], path, 4, args.seconds, 200)
            print(f"  {name:<12} {path:<15} p50 {p50:5.2f} ms  p99 {p99:5.2f} ms")
        for name, master in masters.items():
            print(f"{name} memory {describe_memory(master)}")


if __name__ == "__main__":
    main()
