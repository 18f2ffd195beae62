"""Pages that are the same for every visitor, rendered once per worker, and
then answered whole.

The home page, ``/safety-online``, the information pages and the campaigns
depend only on their address (which holds the language), the day (campaigns
start and end by UK date), the published content (its serial) and, for ``/safety-online``, the
visitor's browser family. Nothing in them belongs to a visitor: no form token,
no session, no nonce (the CSP allows the one inline style by its hash). So
each worker keeps the HTML of the pages it served most recently, and another
request for one costs a lookup instead of a template render. This is what
lets the public site hold when a campaign on the local news multiplies its
traffic (``bench/public_pages.py``).

Such a page's whole answer is the same each time too: the security headers
are fixed per app (``webapp/security.py``), and a plain visit carries no
cookie, sets none and meets no rate limit. So ``WholePages`` keeps the whole
answer Flask gave (status, every header in order, body) and gives it again,
byte for byte, to the next plain visit to the same page, without running
Flask's request machinery again (``bench/public_pages.py``: most of what the
home page cost beyond a bare Flask app). A visit is plain when it is a GET
with no cookie, no query string and no body; the answer is kept only when it
was a 200 from ``shared`` for a page that depends on nothing else (not on the
browser, as ``/safety-online`` does), with no ``Set-Cookie`` and no ``Vary``,
and no rate limit was looked at. It is
found again only under the same address, Host, scheme and
``X-Forwarded-Proto`` (which decide the https redirect and HSTS), day and
content version, and never while an app-wide rate limit could apply. Anything
else goes through Flask as before.

So a view that calls ``shared`` must add no header of its own that depends on
the request (none does), and a hook that must run on every response must
give the same headers for every plain visit to a page (every hook does: the
headers are worked out once per app).

Only what is the same for everyone is kept, in the worker's memory: nothing
about a visitor (no address, no cookie), and nothing reaches the browser's
or a proxy's cache (``Cache-Control: no-store``). Pages with a form are
never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, current_app, g, request

from webapp.clock import today
from webapp.limits import limiter_in_this_request, limits_before_every_request

SIZE = 256  # 12 languages × some 20 pages, a few variants each: about 6 MB at most
# Where ``shared`` tells ``WholePages`` that this request's answer may be kept
# whole: the request's WSGI environ, the one place both see.
KEEP_WHOLE = "quietdoor.keep_whole"


class PageCache:
    """The most recently used pages' bodies, by key; at most ``size`` of them."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._pages: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> bytes:
        body = self.find(key)
        if body is None:
            body = render().encode()  # outside the lock: a slow render holds up no other
            self.keep(key, body)
        return body

    def find(self, key: Hashable):
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
            return found

    def keep(self, key: Hashable, value) -> None:
        with self._lock:
            self._pages[key] = value
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def content_version(app: Flask) -> int | None:
    """The serial of the published content (``webapp/content/published.py``);
    None when the database cannot say, and then nothing is kept."""
    library = app.extensions.get("content")
    if library is None:
        return 0
    try:
        return library.snapshot().version
    except Exception:  # logged where the content is read; the page is still served
        return None


# ``shared``'s ``vary`` when the page depends on nothing else (a page that
# depends on something, even if that is None for this visitor, passes it).
NOTHING_ELSE = object()


def shared(render: Callable[[], str], vary: Hashable = NOTHING_ELSE) -> bytes:
    """The page at this address, rendered by ``render`` only if this worker
    has not already rendered it today for this version of the content.

    ``vary`` is whatever else the page depends on (a browser family, which
    is None for a browser not recognised): such a page is kept by it, and
    its whole answer is never kept (``WholePages`` knows nothing of it). The
    key is taken before ``render`` runs, and ``render`` must read the content
    itself: then a page is never kept under a newer content version (or day)
    than the one it shows, and a change is never hidden. An error raised in
    ``render`` (a 404) propagates and nothing is kept; nor is a page whose
    render had to leave a part out (``incomplete``).
    """
    app = current_app._get_current_object()
    day, version = today(), content_version(app)
    if version is None:  # the content cannot be read: show what can be, keep nothing
        incomplete()
        return render().encode()
    if vary is NOTHING_ELSE:
        vary = None
        if not limiter_in_this_request():
            # The whole answer may be kept (WholePages), under this day and version.
            request.environ[KEEP_WHOLE] = (day, version)
    cache, key = app.extensions["pages"], (request.path, vary, day, version)
    body = cache.find(key)
    if body is None:
        body = render().encode()  # outside the cache's lock: a slow render holds up no other
        if g.get(INCOMPLETE):
            request.environ.pop(KEEP_WHOLE, None)  # shown to this visitor, kept for nobody
        else:
            cache.keep(key, body)
    return body


# Set on ``g`` by a render that had to leave a part out (``incomplete``).
INCOMPLETE = "page_incomplete"


def incomplete() -> None:
    """This request's page was rendered without a part it should have (the
    content could not be read for a moment: the footer's pages, the campaign
    banners): show it, but keep it neither here nor whole. The files have
    not changed, so the content version has not either, and a kept page
    would be given to everyone until midnight."""
    g.setdefault(INCOMPLETE, True)


# What besides the day and the content version makes two plain visits to a
# page the same visit, as Flask and our hooks see them.
SAME_VISIT = ("PATH_INFO", "SCRIPT_NAME", "HTTP_HOST", "wsgi.url_scheme", "HTTP_X_FORWARDED_PROTO")


def plain_visit(environ) -> bool:
    """A GET with no cookie, query string or body: all a visit to a page
    that is the same for everyone needs (a HEAD, a form, a resident with a
    session go through Flask)."""
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and not environ.get("QUERY_STRING")
        and "HTTP_COOKIE" not in environ
        and environ.get("CONTENT_LENGTH") in (None, "", "0")
        and "HTTP_TRANSFER_ENCODING" not in environ
    )


class WholePages:
    """WSGI middleware, just outside Flask (inside the trusted-proxy fix, so
    it sees the scheme Flask sees): answers a plain visit to a page kept
    whole, and keeps the whole answer of one that ``shared`` marked."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.kept = PageCache()

    def __call__(self, environ, start_response):
        if not plain_visit(environ) or limits_before_every_request():
            return self.wsgi_app(environ, start_response)
        version = content_version(self.app)
        if version is None:
            return self.wsgi_app(environ, start_response)
        visit = tuple(environ.get(name) for name in SAME_VISIT)
        kept = self.kept.find((visit, today(self.app), version))
        if kept is not None:
            status, headers, body = kept
            start_response(status, list(headers))
            return [body]
        answered = []

        def noted(status, headers, exc_info=None):
            answered[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, noted)
        mark = environ.get(KEEP_WHOLE)
        if mark is None or not answered or not answered[0].startswith("200 "):
            return result
        status, headers = answered
        if any(name.lower() in ("set-cookie", "vary") for name, _ in headers):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        self.kept.keep((visit, *mark), (status, tuple(headers), body))
        return [body]


def init_app(app: Flask) -> None:
    app.extensions["pages"] = PageCache()
    app.wsgi_app = app.extensions["whole_pages"] = WholePages(app, app.wsgi_app)
