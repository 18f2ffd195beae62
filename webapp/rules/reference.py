"""Referral references: short, unambiguous, easy to read aloud on the phone.

Six characters from an alphabet with no look-alikes (no 0/O, 1/I/L, U, 5/S,
2/Z) and no vowels (so no words), shown as two groups: ``K7M-4QP``. That is
24^6, about 190 million, so a clash is rare; the database's unique index
catches one and the caller draws again.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "346789BCDFGHJKMNPQRTVWXY"
LENGTH = 6
PATTERN = re.compile(rf"[{ALPHABET}]{{3}}-[{ALPHABET}]{{3}}")


def new_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{chars[:3]}-{chars[3:]}"


def normalise(text: str) -> str | None:
    """What someone reads out or types back, as stored; None if it cannot be one."""
    compact = re.sub(r"[\s-]", "", text.upper())
    if len(compact) != LENGTH or any(ch not in ALPHABET for ch in compact):
        return None
    return f"{compact[:3]}-{compact[3:]}"
