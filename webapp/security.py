"""Response headers that keep a visit from leaving traces or being framed.

Talisman writes the Content-Security-Policy (with a fresh script nonce on
every request), HSTS in production, the referrer and permissions policies.
We add ``Cache-Control: no-store`` to every response, static files included:
a browser cache holding our stylesheet is itself a trace of the visit.
"""

from __future__ import annotations

from flask import Flask, abort, request
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

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
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
        "serial", "usb", "xr-spatial-tracking", "browsing-topics",
    ),
    "()",
)

talisman = Talisman()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    production = app.config["QD_ENV"] == "production"
    talisman.init_app(
        app,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src", "style-src"],
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
