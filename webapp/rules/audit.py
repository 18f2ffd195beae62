"""The audit log's chain: how an entry is hashed, and how the chain is checked.

Each entry's hash covers the previous entry's hash and its own fields, so
editing or removing an entry breaks every hash after it. Storage is
``webapp/staff/audit.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple, Protocol

GENESIS = "0" * 64


def entry_hash(
    prev_hash: str, at: datetime, actor: str, action: str, reference: str | None, detail: str
) -> str:
    body = json.dumps(
        [prev_hash, at.isoformat(), actor, action, reference, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


class Entry(Protocol):
    id: int
    at: datetime
    actor: str
    action: str
    reference: str | None
    detail: str
    prev_hash: str
    hash: str


class Verdict(NamedTuple):
    intact: bool
    broken_at: int | None  # the id of the first entry that does not match
    checked: int


def verify_chain(entries: Iterable[Entry], head: str | None) -> Verdict:
    """Walk the chain from the start; ``head`` is the newest hash as recorded."""
    prev = GENESIS
    count = 0
    for entry in entries:
        count += 1
        expected = entry_hash(
            prev, entry.at, entry.actor, entry.action, entry.reference, entry.detail
        )
        if entry.prev_hash != prev or entry.hash != expected:
            return Verdict(False, entry.id, count)
        prev = entry.hash
    if head is not None and head != prev:
        return Verdict(False, None, count)  # entries removed from the end
    return Verdict(True, None, count)
