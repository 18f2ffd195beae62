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

import functools
import hashlib
import hmac

from flask import Flask, current_app, request
from flask.globals import request_ctx
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
    if limiter.enabled:
        only_when_limiting(app)


def limits_before_every_request() -> bool:
    """Whether Flask-Limiter's check before each request can apply any limit.

    That check applies only default, application, meta and blueprint limits
    (and in-memory fallback limits while the storage is down); a route's own
    ``@limiter.limit`` is checked when its view is called. This app sets none
    of the former, so for every page without a limit of its own the check
    finds nothing to do, at some 20 µs a request. (If Flask-Limiter ever
    keeps these elsewhere, the answer is yes: its hooks then run as before.)
    """
    manager = getattr(limiter, "limit_manager", None)
    try:
        return bool(
            manager._default_limits
            or manager._application_limits
            or manager._blueprint_limits
            or limiter._meta_limits
            or limiter._in_memory_fallback
        )
    except AttributeError:
        return True


def limiter_in_this_request() -> bool:
    """Whether Flask-Limiter did anything in this request (it keeps its state
    on the request context, made on first use)."""
    return hasattr(request_ctx, "_limiter_request_context")


def only_when_limiting(app: Flask) -> None:
    """Wrap Flask-Limiter's three hooks so that they run only when they have
    something to do: the check before a request when a limit can apply
    there (``limits_before_every_request``); the one after it, which counts
    conditional deductions and writes the (disabled) rate-limit headers, and
    the teardown, which clears the limiter's state, only when the limiter
    was used in this request. Otherwise each would find nothing and do
    nothing. Any hook not found where Flask-Limiter puts it is left alone."""
    before = app.before_request_funcs.get(None, [])
    after = app.after_request_funcs.get(None, [])
    teardown = app.teardown_request_funcs.get(None, [])
    check = limiter._check_request_limit
    release = getattr(limiter, "_Limiter__release_context", None)
    inject = next(
        (hook for hook in after if isinstance(hook, functools.partial) and hook.args == (limiter,)),
        None,
    )

    def check_request_limit():
        if limits_before_every_request():
            return check()
        return None

    def inject_headers(response):
        return inject(response) if limiter_in_this_request() else response

    def release_context(exc=None):
        if limiter_in_this_request():
            release(exc)

    for hooks, original, wrapper in (
        (before, check, check_request_limit),
        (after, inject, inject_headers),
        (teardown, release, release_context),
    ):
        if original is not None and original in hooks:
            hooks[hooks.index(original)] = wrapper
