"""Response headers that keep a visit from leaving traces or being framed.

Talisman writes the Content-Security-Policy, HSTS in production, the
referrer and permissions policies. The one script is a file from this site;
the one inline style (the landlord's brand colour) is allowed by its SHA-256
hash, fixed when the app starts. No per-request nonce: so a page that is the
same for every visitor can be rendered once (see ``webapp/pages.py``).
We add ``Cache-Control: no-store`` to every response, static files included:
a browser cache holding our stylesheet is itself a trace of the visit.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress

from flask import Flask, abort, request
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
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

talisman = Talisman()
csrf = CSRFProtect()


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
    # Flask-WTF would demand a Referer matching the host on every https form,
    # but we ask browsers to send no Referer at all (it would tell the next
    # site where the visitor had been). The CSRF token, tied to the session,
    # does the work; cross-site posts are refused below besides.
    app.config["WTF_CSRF_SSL_STRICT"] = False

    @app.before_request
    def refuse_cross_site_posts():
        # Browsers say where a request came from, even without a Referer.
        if request.method == "POST" and request.headers.get("Sec-Fetch-Site") == "cross-site":
            abort(403)

    @app.before_request
    def refuse_oversized_requests():
        # Before routing answers: a huge body is refused whatever its address.
        if (request.content_length or 0) > app.config["MAX_CONTENT_LENGTH"]:
            abort(413)

    @app.after_request
    def no_store(response):
        response.headers["Cache-Control"] = "no-store, max-age=0"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["X-Robots-Tag"] = "noarchive"
        return response
