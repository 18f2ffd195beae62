"""Pages that are the same for every visitor, rendered once per worker.

The home page, ``/safety-online``, the information pages and the campaigns
depend only on their address (which holds the language), the day (campaigns
start and end by UK date), the content files and, for ``/safety-online``, the
visitor's browser family. Nothing in them belongs to a visitor: no form token,
no session, no nonce (the CSP allows the one inline style by its hash). So
each worker keeps the HTML of the pages it served most recently, and another
request for one costs a lookup instead of a template render. This is what
lets the public site hold when a campaign on the local news multiplies its
traffic (``bench/public_pages.py``).

Only the body is kept, in the worker's memory: every response still gets its
own headers, and nothing reaches the browser's or a proxy's cache
(``Cache-Control: no-store``). Pages with a form are never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, request

from webapp.clock import today

SIZE = 256  # 12 languages × some 20 pages, a few variants each: about 6 MB at most


class PageCache:
    """The most recently used pages' bodies, by key; at most ``size`` of them."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> bytes:
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
                return body
        body = render().encode()  # outside the lock: a slow render holds up no other
        with self._lock:
            self._pages[key] = body
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return body

    def __len__(self) -> int:
        return len(self._pages)


def shared(render: Callable[[], str], vary: Hashable = None) -> bytes:
    """The page at this address, rendered by ``render`` only if this worker
    has not already rendered it today for this version of the content.

    ``vary`` is whatever else the page depends on (a browser family). The
    key is taken before ``render`` runs, and ``render`` must read the content
    itself: then a page is never kept under a newer content version (or day)
    than the one it shows, and a change is never hidden. An error raised in
    ``render`` (a 404) propagates and nothing is kept.
    """
    library = current_app.extensions.get("content")
    version = library.snapshot().version if library else 0
    key = (request.path, vary, today(), version)
    return current_app.extensions["pages"].get(key, render)


def init_app(app) -> None:
    app.extensions["pages"] = PageCache()
