"""Serving campaign and information pages with 100 published versions.

Writes 100 files (50 campaigns in English and Welsh) to a temporary content
folder, publishes them in a new SQLite database (the first `db upgrade`
loads the folder), then times, in-process through Flask's test client (the
server's own work, no network):

- the first request, which reads and parses every published version (a cold
  start, or after a deploy),
- a campaign page, the campaigns list and the home page (with its banners),
  once they are parsed; each request still asks for the content serial at
  most once a second,
- the request after one version was published (that one alone is parsed
  again). bench/publishing.py times publishing itself.

    .venv/bin/python bench/content.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp import create_app, db  # noqa: E402
from webapp.staff import publishing  # noqa: E402

DAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BODY = """
## What we are doing

During this campaign we are talking about the signs of abuse, and about what
happens when you ask us for help. You choose how and when we contact you.

- Read about [what we can do](/what-we-can-do).
- [Ask for help](/ask) or [report a concern](/concern).

Call {team_phone}, or the {helpline_name} free on {helpline_phone}, any time.
""" * 3


def write(folder: Path, count: int) -> None:
    for kind in ("pages", "campaigns"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
    (folder / "pages" / "what-we-can-do.en.md").write_text(
        "---\ntitle: What we can do\nsummary: Help.\norder: 1\n---\nWe can help.\n")
    for number in range(count // 2):
        for lang in ("en", "cy"):
            (folder / "campaigns" / f"campaign-{number:03}.{lang}.md").write_text(
                f"---\ntitle: Campaign {number}\nsummary: About campaign {number}.\n"
                f"publish_from: 2026-11-{1 + number % 25:02}\npublish_until: 2026-12-31\n"
                f"banner: \"Campaign {number} is on now\"\n---\n{BODY}", encoding="utf-8")


def timed(client, path: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return sorted(times)


def report(name: str, times: list[float]) -> None:
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    print(f"{name:<36} median {statistics.median(times):6.2f} ms   p99 {p99:6.2f} ms"
          f"   ({len(times)} requests)")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder, "content")
        write(content, 100)
        files = sum(1 for _ in content.rglob("*.md"))
        app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "bench",
                          "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
                          "CONTENT_DIR": str(content), "CLOCK": lambda: DAY})
        db.upgrade(app.extensions["db_engine"])  # publishes the folder, as a first start does
        client = app.test_client()
        started = time.perf_counter()
        client.get("/campaigns/campaign-007")
        print(f"{files} published versions; first request (reads and parses them all): "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")
        report("campaign page", timed(client, "/campaigns/campaign-007", 500))
        report("campaign page in Welsh", timed(client, "/cy/campaigns/campaign-007", 500))
        report("campaigns list (50 live)", timed(client, "/campaigns/", 200))
        report("home page (with banners)", timed(client, "/", 200))
        library = app.extensions["content"]
        changed = content / "campaigns" / "campaign-007.en.md"
        changed.write_text(changed.read_text() + "\nOne more line.\n", encoding="utf-8")
        with app.app_context():
            session = db.session()
            errors, versions = publishing.import_folder(
                session, content, "bench", DAY, app.config["SITE"].languages, DAY.date())
            assert not errors and len(versions) == 1, errors
            session.commit()
        library.forget()  # as if a second had passed
        started = time.perf_counter()
        client.get("/campaigns/campaign-007")
        print(f"request after one version was published: "
              f"{(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
