"""Page weight: the bytes each public page's first view needs.

For every public page (English, Welsh, Arabic), the HTML plus the CSS, JS and
images it links to, raw and gzipped. Budget: 14 KB gzipped, so that the first
view arrives in the first round trip (TCP's initial window of 10 packets).

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app

BUDGET = 14 * 1024
PAGES = ("/", "/ask", "/concern", "/recognising-abuse", "/what-we-can-do", "/other-help",
         "/your-home-and-tenancy", "/help-when-you-cannot-speak", "/clares-law",
         "/colleagues-and-contractors", "/campaigns/", "/campaigns/16-days-of-action",
         "/safety-online", "/ask/questions", "/concern/questions", "/no-such-page")
# A day on which the shipped 16 Days of Action campaign is live.
DAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LANGUAGES = ("en", "cy", "ar")
ASSET = re.compile(r'<(?:link|script|img)[^>]+(?:href|src)="(/static/[^"]+)"')


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def main() -> int:
    folder = Path(tempfile.mkdtemp())
    app = create_app({"INSTANCE_PATH": str(folder), "SECRET_KEY": "bench" * 8,
                      "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "CLOCK": lambda: DAY})
    client = app.test_client()
    print(f"{'page':<28}{'html':>8}{'css':>8}{'js':>8}{'img':>8}{'raw':>9}{'gzip':>9}  budget")
    worst = 0
    for lang in LANGUAGES:
        for path in PAGES:
            url = path if lang == "en" else f"/{lang}{path}"
            html = client.get(url).get_data()
            sizes = {"css": [0, 0], "js": [0, 0], "img": [0, 0]}
            for asset in ASSET.findall(html.decode()):
                with client.get(asset) as response:
                    body = response.get_data()
                kind = "css" if asset.endswith(".css") else "js" if asset.endswith(".js") else "img"
                sizes[kind][0] += len(body)
                sizes[kind][1] += gz(body)
            raw = len(html) + sum(s[0] for s in sizes.values())
            zipped = gz(html) + sum(s[1] for s in sizes.values())
            worst = max(worst, zipped)
            verdict = "ok" if zipped <= BUDGET else "OVER"
            print(f"{url:<28}{len(html):>8}{sizes['css'][0]:>8}{sizes['js'][0]:>8}"
                  f"{sizes['img'][0]:>8}{raw:>9}{zipped:>9}  {verdict}")
    print(f"\nlargest first view: {worst} bytes gzipped ({worst / 1024:.1f} KB); "
          f"budget {BUDGET} bytes")
    app.extensions["db_engine"].dispose()
    return 0 if worst <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
