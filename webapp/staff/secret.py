"""The staff secret and the keys derived from it (``credentials.derive_key``):
one to seal one-time-code seeds, one to hash recovery codes, one to key the
audit chain. Loaded when a staff app is made (``settings.staff_secret``)."""

from __future__ import annotations

from flask import current_app

from webapp.rules import credentials


def keys_for(master: bytes) -> dict[str, bytes]:
    return {
        purpose: credentials.derive_key(master, purpose)
        for purpose in (credentials.SEED_KEY, credentials.RECOVERY_KEY, credentials.AUDIT_KEY)
    }


class NoStaffSecret(RuntimeError):
    """The staff secret is not set here; the message says how to set it."""


def key(purpose: str) -> bytes:
    keys = current_app.extensions.get("staff_keys")
    if keys is None:
        raise NoStaffSecret(current_app.extensions.get("staff_keys_problem", "No staff secret"))
    return keys[purpose]
