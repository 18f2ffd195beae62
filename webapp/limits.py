"""Rate limits per client, without ever keeping an IP address.

The key is an HMAC of the address with a key of its own, derived from
``SECRET_KEY`` with HKDF and the label "rate-limit" (``settings.derive_key``):
enough to count one client's requests, useless for finding out who they are,
and the key that signs sessions is used for nothing else. Limits are kept
in Redis when REDIS_URL is set (shared by every worker and machine), in
memory otherwise; if Redis stops answering, the limiter falls back to memory
and says so in the log.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, request
from flask_limiter import Limiter

from webapp.settings import derive_key

KEY_LABEL = "rate-limit"


def client_key() -> str:
    address = (request.remote_addr or "").encode()
    digest = hmac.new(current_app.extensions["rate_limit_key"], address, hashlib.sha256)
    return digest.hexdigest()[:24]


limiter = Limiter(key_func=client_key, in_memory_fallback_enabled=True, headers_enabled=False)


def init_app(app: Flask) -> None:
    app.extensions["rate_limit_key"] = derive_key(app.config["SECRET_KEY"], KEY_LABEL)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
