"""Rate limits per client, without ever keeping an IP address.

The key is an HMAC of the address with the app's secret key: enough to count
one client's requests, useless for finding out who they are. Limits are kept
in Redis when REDIS_URL is set (shared by every worker and machine), in
memory otherwise; if Redis stops answering, the limiter falls back to memory
and says so in the log.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, request
from flask_limiter import Limiter


def client_key() -> str:
    address = (request.remote_addr or "").encode()
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:24]


limiter = Limiter(key_func=client_key, in_memory_fallback_enabled=True, headers_enabled=False)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
