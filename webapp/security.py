"""Response headers that keep a visit from leaving traces or being framed.

Talisman writes the Content-Security-Policy, HSTS in production, the
referrer and permissions policies. The one script is a file from this site;
the one inline style (the landlord's brand colour) is allowed by its SHA-256
hash, fixed when the app starts. No per-request nonce: so a page that is the
same for every visitor can be rendered once (see ``webapp/pages.py``), and
so the headers themselves are the same for every response: Talisman works
them out once per app, not once per request (``Talisman`` below).
We add ``Cache-Control: no-store`` to every response, static files included:
a browser cache holding our stylesheet is itself a trace of the visit.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from dataclasses import dataclass

import flask_talisman
from flask import Flask, abort, current_app, redirect, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import Headers
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.settings import SettingsError

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'none'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

# Every powerful feature off: the site never needs any of them.
PERMISSIONS_POLICY = dict.fromkeys(
    (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
        "browsing-topics",
    ),
    "()",
)


class FixedHeaders:
    """Headers set on responses, pre out once: ``apply`` does
    ``headers[name] = value`` for each, in order.

    A response that has none of them yet (nearly every one) gets them
    appended in one go, to the list Werkzeug keeps them in, without checking
    each value again for line breaks on every response: they were checked
    here, once. One that has any of them already (a static file's
    Cache-Control) gets each set in its place, one by one, exactly as before.
    """

    def __init__(self, items):
        checked = Headers()
        for name, value in items:
            checked.add(name, value)  # refuses a value with a line break
        self.items = tuple(checked.items())
        self.names = frozenset(name.lower() for name, _ in self.items)
        if len(self.names) != len(self.items):
            raise ValueError("a header is named twice")

    def apply(self, headers: Headers) -> None:
        if any(name.lower() in self.names for name, _ in headers.items()):
            for name, value in self.items:
                headers[name] = value
        elif isinstance(stored := getattr(headers, "_list", None), list):
            stored.extend(self.items)
        else:  # a Werkzeug that keeps them otherwise
            headers.extend(self.items)


# Set on every response (``no_store``).
NO_STORE = FixedHeaders(
    (
        ("Cache-Control", "no-store, max-age=0"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("X-Robots-Tag", "noarchive"),
    )
)


def came_over_https() -> bool:
    """Talisman's test: https here, or at the proxy in front."""
    return request.is_secure or request.headers.get("X-Forwarded-Proto", "http") == "https"


@dataclass(frozen=True)
class Precomputed:
    """What Talisman worked out for one app, once."""

    force_https: bool
    permanent: bool
    secure_cookies: bool
    headers: dict[bool, FixedHeaders]  # by came_over_https()


def view_options() -> dict | None:
    """The options the current view set with ``@talisman(...)``, if any."""
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "talisman_view_options", None)


class Talisman(flask_talisman.Talisman):
    """Flask-Talisman, doing per request only what depends on the request.

    Talisman itself rebuilds the same header strings from the policy dicts
    for every response, and works out the view's options three times a
    request. Here its own code writes the headers once per app, on a blank
    response, plain and over https (all they depend on: HSTS goes only on
    the latter), and every response gets a copy; the https redirect and the
    Secure session cookie follow Talisman's rules unchanged. A view with
    options of its own other than ``force_https`` (none has) is left to
    Talisman's code, as is an app whose policy has a per-request nonce.
    """

    def init_app(self, app: Flask, **options) -> None:
        super().init_app(app, **options)
        if self.content_security_policy_nonce_in:
            return  # a nonce changes every response: Talisman's code, per request
        app.before_request_funcs[None].remove(self._make_nonce)  # done in _force_https
        app.extensions["talisman"] = Precomputed(
            force_https=self.force_https,
            permanent=self.force_https_permanent,
            secure_cookies=self.session_cookie_secure,
            headers={secure: self._headers_for(app, secure) for secure in (False, True)},
        )

    def _headers_for(self, app: Flask, secure: bool) -> FixedHeaders:
        scheme = "https" if secure else "http"
        with app.test_request_context(base_url=f"{scheme}://localhost"):
            response = app.response_class()
            response.headers.clear()
            super()._set_response_headers(response)
        return FixedHeaders(response.headers.items())

    @staticmethod
    def _precomputed(options: dict | None) -> Precomputed | None:
        """This app's headers and rules, or None where Talisman's own
        per-request code must run."""
        if options and set(options) - {"force_https"}:
            return None
        return current_app.extensions.get("talisman")

    def _force_https(self):
        options = view_options()
        pre = self._precomputed(options)
        if pre is None:
            return super()._force_https() or super()._make_nonce()
        app = current_app
        if pre.secure_cookies and not app.debug:
            app.config["SESSION_COOKIE_SECURE"] = True
        force = options.get("force_https", pre.force_https) if options else pre.force_https
        if force and not (app.debug or came_over_https()) and request.url.startswith("http://"):
            return redirect(
                request.url.replace("http://", "https://", 1), code=301 if pre.permanent else 302
            )
        return None

    def _make_nonce(self):
        if self._precomputed(view_options()) is None:
            super()._make_nonce()

    def _set_response_headers(self, response):
        pre = self._precomputed(view_options())
        if pre is None:
            return super()._set_response_headers(response)
        pre.headers[came_over_https()].apply(response.headers)
        return response


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, minus its work on a page view.

    Flask builds the signing serializer (key derivation and all) for every
    request, even one that carries no cookie, and works out six cookie
    settings before seeing there is nothing to save. A request without a
    cookie gets the new empty session Flask would have made; an empty
    session nobody touched is left, as Flask leaves it (no cookie, no
    ``Vary``). Everything else is Flask's own code.
    """

    def open_session(self, app, request):
        if "HTTP_COOKIE" not in request.environ and app.secret_key:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if not session and not session.modified and not session.accessed:
            return
        super().save_session(app, session, response)


class CSRF(CSRFProtect):
    """Flask-WTF's CSRF protection, which looks the view up for exemptions
    before it looks at the method: a GET, never checked, is now let through
    first (its answer, None, is the same)."""

    def protect(self, *args, **kwargs):
        if (
            kwargs.get("apply_exemptions")
            and request.method not in current_app.config["WTF_CSRF_METHODS"]
        ):
            return None
        return super().protect(*args, **kwargs)


talisman = Talisman()
csrf = CSRF()


class TrustedProxy:
    """Believe ``X-Forwarded-For`` and ``-Proto`` (``hops`` of them) only on a
    request that comes from the proxy: an address or network in ``peers``
    (comma-separated, as gunicorn's ``FORWARDED_ALLOW_IPS``; ``*`` for any),
    or a Unix socket, which only who may open the socket file can reach.

    A client that reaches the server some other way (an open port, the
    network the load balancer checks from) is counted by its own address: it
    cannot choose its rate-limit key, nor pretend to have come over https."""

    def __init__(self, wsgi_app, hops: int, peers: str):
        self.direct = wsgi_app
        self.proxied = ProxyFix(wsgi_app, x_for=hops, x_proto=hops)
        self.any_peer = peers.strip() == "*"
        try:
            self.peers = [
                ipaddress.ip_network(peer.strip(), strict=False)
                for peer in peers.split(",")
                if peer.strip() and not self.any_peer
            ]
        except ValueError as problem:
            raise SettingsError(f"FORWARDED_ALLOW_IPS: {problem}") from None

    def from_proxy(self, remote: str | None) -> bool:
        if self.any_peer or not remote:  # no address: a Unix socket
            return True
        try:
            address = ipaddress.ip_address(remote)
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped:  # a dual-stack socket's 127.0.0.1
            address = address.ipv4_mapped
        return any(address in network for network in self.peers)

    def __call__(self, environ, start_response):
        if self.from_proxy(environ.get("REMOTE_ADDR")):
            return self.proxied(environ, start_response)
        return self.direct(environ, start_response)


def brand_style(site) -> str:
    """The inline stylesheet that sets the brand colours, exactly as served."""
    return f":root{{--brand:{site.brand_colour};--on-brand:{site.brand_text_colour}}}"


def style_hash(css: str) -> str:
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def init_app(app: Flask) -> None:
    production = app.config["QD_ENV"] == "production"
    app.config["BRAND_STYLE"] = brand_style(app.config["SITE"])
    policy = CSP | {"style-src": f"'self' {style_hash(app.config['BRAND_STYLE'])}"}
    talisman.init_app(
        app,
        content_security_policy=policy,
        force_https=production,
        strict_transport_security=production,
        strict_transport_security_preload=False,
        session_cookie_secure=production,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        referrer_policy="no-referrer",
        frame_options="DENY",
        permissions_policy=PERMISSIONS_POLICY,
        x_content_type_options=True,
    )
    app.config["SESSION_PERMANENT"] = False  # cookies end with the browser, never stored
    app.session_interface = CookieSessions()
    # Flask-WTF would demand a Referer matching the host on every https form,
    # but we ask browsers to send no Referer at all (it would tell the next
    # site where the visitor had been). The CSRF token, tied to the session,
    # does the work; cross-site posts are refused below besides.
    app.config["WTF_CSRF_SSL_STRICT"] = False

    @app.before_request
    def refuse_unwanted_requests():
        # Browsers say where a request came from, even without a Referer.
        if request.method == "POST" and request.headers.get("Sec-Fetch-Site") == "cross-site":
            abort(403)
        # Before the view reads it: a body larger than its view takes is refused.
        limit = app.config["LARGER_REQUESTS"].get(
            request.endpoint, app.config["MAX_CONTENT_LENGTH"]
        )
        request.max_content_length = request.max_form_memory_size = limit
        if (request.content_length or 0) > limit:
            abort(413)

    @app.after_request
    def no_store(response):
        NO_STORE.apply(response.headers)
        return response
