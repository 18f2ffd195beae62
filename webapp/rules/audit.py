"""The audit log's chain: how an entry is hashed, and how the chain is checked.

Each entry's hash covers the previous entry's hash and its own fields, so
editing or removing an entry breaks every hash after it. Since December 2026
the hash is an HMAC under a key derived from the staff secret, which the
database does not hold: someone who can write to the database can no longer
edit an entry and hash everything after it again. (Entries from before are
plain SHA-256; the first keyed entry chains onto them, so they are held fast
too.) The head row keeps the newest hash and the number of entries, with a
MAC, so that emptying the log or cutting its end shows; checkpoints written
outside the database (the system log) show a head moved back to an older
state. Storage is ``webapp/staff/audit.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple, Protocol

GENESIS = "0" * 64
HEAD_RESTORED, ACKNOWLEDGED = "audit.head_restored", "audit.acknowledged"


def entry_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    reference: str | None,
    detail: str,
    key: bytes | None = None,
) -> str:
    body = json.dumps(
        [prev_hash, at.isoformat(), actor, action, reference, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    if key is None:  # the entries written before the chain was keyed
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def head_mac(key: bytes, count: int, head: str) -> str:
    return hmac.new(key, f"head:{count}:{head}".encode(), hashlib.sha256).hexdigest()


class Entry(Protocol):
    id: int
    at: datetime
    actor: str
    action: str
    reference: str | None
    detail: str
    prev_hash: str
    hash: str
    keyed: bool


class Head(Protocol):
    hash: str
    count: int | None
    mac: str | None


class Verdict(NamedTuple):
    intact: bool
    broken_at: int | None  # the id of the first entry that does not match
    checked: int
    reason: str = ""


def verify_chain(
    entries: Iterable[Entry], head: Head | None, key: bytes, checkpoints: Iterable[Checkpoint] = ()
) -> Verdict:
    """Walk the chain from the start and compare it with its head and with
    ``checkpoints`` (each must match the entry it names)."""
    wanted = {point.entry_id: point for point in checkpoints}
    prev, count, keyed_seen = GENESIS, 0, False
    restored, acknowledged = [], set()
    for entry in entries:
        count += 1
        if keyed_seen and not entry.keyed:
            return Verdict(False, entry.id, count, "an entry without the key after keyed ones")
        keyed_seen = keyed_seen or entry.keyed
        expected = entry_hash(
            prev,
            entry.at,
            entry.actor,
            entry.action,
            entry.reference,
            entry.detail,
            key if entry.keyed else None,
        )
        if entry.prev_hash != prev or not hmac.compare_digest(entry.hash, expected):
            return Verdict(False, entry.id, count, "an entry was changed or removed")
        point = wanted.pop(entry.id, None)
        if point is not None and (point.hash != entry.hash or point.count != count):
            return Verdict(False, entry.id, count, "the chain differs from a checkpoint")
        if entry.action == HEAD_RESTORED:
            restored.append(entry.id)
        if entry.action == ACKNOWLEDGED and entry.reference:
            acknowledged.add(entry.reference)
        prev = entry.hash
    if wanted:
        first = min(wanted)
        return Verdict(
            False, None, count, f"entries up to checkpoint {first} are missing (the log was cut)"
        )
    if head is None:
        return Verdict(False, None, count, "the head row is missing")
    if count == 0:
        return Verdict(
            False,
            None,
            0,
            "the log is empty: on a new installation nothing has "
            "been recorded yet; anywhere else it was emptied",
        )
    if not keyed_seen:
        return Verdict(
            False,
            None,
            count,
            "nothing is recorded with the audit key yet (just "
            "upgraded? any sign-in records an entry), or the keyed entries were cut",
        )
    if head.hash != prev or head.count != count:
        return Verdict(
            False,
            None,
            count,
            "the head does not match the last entry (entries removed from the end)",
        )
    if head.mac is None or not hmac.compare_digest(head.mac, head_mac(key, count, head.hash)):
        return Verdict(
            False,
            None,
            count,
            "the head's MAC does not match (the head was moved by something without the audit key)",
        )
    unexplained = [entry_id for entry_id in restored if str(entry_id) not in acknowledged]
    if unexplained:
        return Verdict(
            False,
            unexplained[0],
            count,
            "the head row went missing and was restored here: entries before it "
            "may have been removed (check, then: flask audit acknowledge ID)",
        )
    return Verdict(True, None, count)


class Checkpoint(NamedTuple):
    """The chain's state at one entry, written where the database cannot
    write (the system log, the team's mail), with a MAC under the audit key."""

    entry_id: int
    count: int
    hash: str


CHECKPOINT = re.compile(
    r"qd-audit-checkpoint id=(\d+) count=(\d+) hash=([0-9a-f]{64}) "
    r"mac=([0-9a-f]{64})"
)


def checkpoint_line(key: bytes, point: Checkpoint) -> str:
    mac = hmac.new(
        key, f"checkpoint:{point.entry_id}:{point.count}:{point.hash}".encode(), hashlib.sha256
    ).hexdigest()
    return (
        f"qd-audit-checkpoint id={point.entry_id} count={point.count} hash={point.hash} mac={mac}"
    )


def read_checkpoint(key: bytes, text: str) -> Checkpoint | None:
    """The checkpoint in a line (of a log file, say); None when there is none
    or its MAC is wrong (a made-up checkpoint proves nothing)."""
    found = CHECKPOINT.search(text)
    if not found:
        return None
    point = Checkpoint(int(found[1]), int(found[2]), found[3])
    return point if hmac.compare_digest(checkpoint_line(key, point), found[0]) else None
