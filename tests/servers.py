"""Servers on loopback for the load tests and the benchmarks: a free port, and
gunicorn with our own ``gunicorn.conf.py``, started and stopped."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict, app: str = "webapp.wsgi:app", workers: int = 4,
             quiet: bool = False) -> Iterator[tuple[str, subprocess.Popen]]:
    """``(base URL, the master process)`` once it accepts connections; stopped
    (SIGTERM, then waited for) on leaving."""
    port = free_port()
    output = subprocess.DEVNULL if quiet else None
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app], cwd=ROOT,
        env={**os.environ, "QD_ENV": "demo", **env, "GUNICORN_BIND": f"127.0.0.1:{port}",
             "GUNICORN_WORKERS": str(workers), "GUNICORN_LOGLEVEL": "warning"},
        stdout=output, stderr=output)
    try:
        for _ in range(150):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn did not start {app}")
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.terminate()
        server.wait(timeout=30)


def flask(*args: str, env: dict) -> None:
    """A ``flask --app webapp`` command, such as ``db upgrade``."""
    subprocess.run([BIN / "flask", "--app", "webapp", *args], cwd=ROOT,
                   env={**os.environ, **env}, check=True, capture_output=True)
