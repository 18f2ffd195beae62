"""The way back: a resident (or a reporter) returns with her reference and a
passphrase to read what the team wrote, and to write back.

Plain Python: takes bytes and strings, knows no request and no table
(docs/way-back.md explains the whole design).

- Each way back has its own key pair. The private key is kept only locked
  (``SecretBox``) under a key derived from the passphrase with Argon2id; the
  public key is kept in the clear, so the staff side can seal to it.
- A second, optional passphrase (for when someone might force her to open
  it) derives, with the same salt, a key that opens a second lock holding no
  key at all: the visit looks real and empty, and the staff side is told.
  A way back without one holds random bytes in that lock, so the database
  does not say whether there is one. Either passphrase costs one derivation.
- What the team writes and what she may see of her case are sealed to her
  public key (and, separately, to the staff key); the public server keeps
  only ciphertext and can show it only while the passphrase is given.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

import nacl.pwhash.argon2id as argon2id
from nacl.exceptions import CryptoError
from nacl.public import Box, PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

# One opening costs about 0.2 s and 128 MiB on a 2-core server
# (bench/way_back.py): slow for a guesser with a stolen database, quick for
# her. Kept with each way back, so they can be raised for new ones later.
OPS_LIMIT = 3
MEM_LIMIT = 128 * 1024 * 1024
SALT_SIZE = argon2id.SALTBYTES

# A locked private key (32 bytes in a SecretBox: nonce and tag around it).
LOCK_SIZE = SecretBox.NONCE_SIZE + PrivateKey.SIZE + SecretBox.MACBYTES
PRESSURE_MARK = b"\0" * PrivateKey.SIZE  # what the second lock holds: no key
# The second lock has two places: the second passphrase she set, and one that
# whoever made her open it may set in turn (believing it is her second), so
# that both of his keep opening the empty way back, as a real one would.
PRESSURE_SLOTS = 2

# -- passphrases -----------------------------------------------------------------

MIN_PASSPHRASE = 10
MAX_PASSPHRASE = 200
MIN_STRENGTH = 3  # zxcvbn's score, as for staff passwords: behind a slow hash

TOO_SHORT, TOO_LONG, TOO_COMMON, HAS_REFERENCE, NOT_THE_SAME, SAME_AS_FIRST = (
    "too_short",
    "too_long",
    "too_common",
    "has_reference",
    "not_the_same",
    "same_as_first",
)
PASSPHRASE_PROBLEMS = (TOO_SHORT, TOO_LONG, TOO_COMMON, HAS_REFERENCE, NOT_THE_SAME, SAME_AS_FIRST)


def compact(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def passphrase_problem(passphrase: str, reference: str, others: tuple[str, ...] = ()) -> str | None:
    """Why a passphrase will not do (one of ``PASSPHRASE_PROBLEMS``); None when
    it will. ``others`` are words it must not be guessed from (the landlord's
    name)."""
    if len(passphrase) < MIN_PASSPHRASE:
        return TOO_SHORT
    if len(passphrase) > MAX_PASSPHRASE:
        return TOO_LONG
    if compact(reference) and compact(reference) in compact(passphrase):
        return HAS_REFERENCE
    from zxcvbn import zxcvbn  # word lists: loaded only where a passphrase is chosen

    verdict = zxcvbn(passphrase[:100], user_inputs=[reference, *others])
    if verdict["score"] < MIN_STRENGTH:
        return TOO_COMMON
    return None


# -- locks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Locks:
    """What is kept of a way back: nothing here opens without a passphrase."""

    public_key: bytes
    salt: bytes
    ops: int
    mem: int
    lock: bytes  # the private key, under the passphrase's key
    pressure_lock: bytes  # the second passphrase's mark, or random bytes


def locks_to_dict(locks: Locks) -> dict:
    """For a draft (itself locked with the visitor's key) until the request is sent."""
    return {
        name: value.hex() if isinstance(value, bytes) else value
        for name, value in vars(locks).items()
    }


def locks_from_dict(data: dict) -> Locks:
    return Locks(
        **{
            name: value if name in ("ops", "mem") else bytes.fromhex(value)
            for name, value in data.items()
        }
    )


def derive(passphrase: str, salt: bytes, ops: int = OPS_LIMIT, mem: int = MEM_LIMIT) -> bytes:
    return argon2id.kdf(SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=ops, memlimit=mem)


def new_locks(passphrase: str) -> Locks:
    """A new key pair, its private key locked under ``passphrase``."""
    private = PrivateKey.generate()
    salt = secrets.token_bytes(SALT_SIZE)
    key = derive(passphrase, salt)
    return Locks(
        public_key=bytes(private.public_key),
        salt=salt,
        ops=OPS_LIMIT,
        mem=MEM_LIMIT,
        lock=bytes(SecretBox(key).encrypt(bytes(private))),
        pressure_lock=no_pressure_lock(),
    )


def no_pressure_lock() -> bytes:
    """Random bytes in every place of the second lock: nothing opens it."""
    return secrets.token_bytes(LOCK_SIZE * PRESSURE_SLOTS)


def _slots(pressure: bytes) -> list[bytes]:
    # A way back made before there were two places has one.
    slots = [pressure[i : i + LOCK_SIZE] for i in range(0, len(pressure), LOCK_SIZE)]
    return (slots + [secrets.token_bytes(LOCK_SIZE)] * PRESSURE_SLOTS)[:PRESSURE_SLOTS]


def pressure_lock(passphrase: str, locks: Locks, opened: Opened | None = None) -> bytes | None:
    """The second lock with ``passphrase`` in it; None when it is the
    passphrase the visit was opened with (which must keep opening what it
    opens). In a real visit it replaces whatever the second lock held; in a
    visit under pressure (``opened``) it goes beside the one that opened it,
    so that both open the empty way back, as the onlooker would expect."""
    key = derive(passphrase, locks.salt, locks.ops, locks.mem)
    mine = bytes(SecretBox(key).encrypt(PRESSURE_MARK))
    if opened is None or not opened.under_pressure:
        if _open(key, locks.lock) is not None:
            return None
        return mine + secrets.token_bytes(LOCK_SIZE * (PRESSURE_SLOTS - 1))
    slots = _slots(locks.pressure_lock)
    if _open(key, slots[opened.slot]) == PRESSURE_MARK:
        return None
    slots[1 - opened.slot] = mine
    return b"".join(slots)


@dataclass(frozen=True)
class Opened:
    private_key: PrivateKey | None  # None: opened with the second passphrase
    slot: int = 0  # under pressure: which place of the second lock opened it

    @property
    def under_pressure(self) -> bool:
        return self.private_key is None


def _open(key: bytes, lock: bytes) -> bytes | None:
    try:
        return SecretBox(key).decrypt(lock)
    except (CryptoError, ValueError, TypeError):
        return None


def open_locks(passphrase: str, locks: Locks | None) -> Opened | None:
    """The way back opened by ``passphrase``, or None. With no locks (an
    unknown reference, a closed way back) a key is still derived, so that
    every answer takes the same time."""
    if locks is None:
        derive(passphrase, secrets.token_bytes(SALT_SIZE))
        return None
    key = derive(passphrase, locks.salt, locks.ops, locks.mem)
    real = _open(key, locks.lock)
    pressure = [_open(key, slot) == PRESSURE_MARK for slot in _slots(locks.pressure_lock)]
    if real is not None:
        return Opened(PrivateKey(real))
    if any(pressure):
        return Opened(None, pressure.index(True))
    return None


# -- what is sealed to her --------------------------------------------------------


def seal_for(public_key: bytes, data: dict) -> bytes:
    return SealedBox(PublicKey(public_key)).encrypt(json.dumps(data, ensure_ascii=False).encode())


def open_for(private_key: PrivateKey, sealed: bytes) -> dict | None:
    try:
        return json.loads(SealedBox(private_key).decrypt(sealed))
    except (CryptoError, ValueError, TypeError):
        return None


# -- what she sends the team: sealed from her key --------------------------------

# The team's copy of what she does in a real visit is sealed from her private
# key to the staff key (a ``Box``), not anonymously: the staff side opens it
# with her public key, and so knows that whoever wrote it held her
# passphrase. A public server taken over holds no private key of hers (until
# she opens her way back on it), so it cannot write a change of her contact
# rules, or lift her "stop", that the team would act on. What is written in
# a visit under pressure has no key to seal it from: it is sealed as before,
# and can only ever restrict contact.
FROM_HER = b"S"


def seal_from(her_key: PrivateKey, staff_key: PublicKey, data: dict) -> bytes:
    text = json.dumps(data, ensure_ascii=False).encode()
    return FROM_HER + bytes(Box(her_key, staff_key).encrypt(text))


def open_from(staff_keys, her_public_key: bytes, sealed: bytes) -> dict | None:
    """What she sealed from her key, opened with one of the staff keys; None
    when it was not sealed from her key (or not to any key held here)."""
    if not sealed.startswith(FROM_HER):
        return None
    for key in staff_keys:
        try:
            return json.loads(Box(key, PublicKey(her_public_key)).decrypt(sealed[1:]))
        except (CryptoError, ValueError, TypeError):
            continue
    return None


# -- a visit: the opened key between her pages ---------------------------------------

VISIT_IDLE = timedelta(minutes=10)


def new_visit_secret() -> tuple[str, bytes]:
    """The cookie's value (``token.key``) and the key it carries."""
    token, key = secrets.token_urlsafe(32), secrets.token_bytes(SecretBox.KEY_SIZE)
    return f"{token}.{key.hex()}", key


def split_visit_secret(value: str) -> tuple[str, bytes] | None:
    token, _, key = value.partition(".")
    try:
        raw = bytes.fromhex(key)
    except ValueError:
        return None
    if not token or len(token) > 64 or len(raw) != SecretBox.KEY_SIZE:
        return None
    return token, raw


def visit_id(token: str) -> str:
    """What the database keeps of the cookie's token: its hash."""
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def lock_visit(key: bytes, opened: Opened) -> bytes:
    held = bytes(opened.private_key) if opened.private_key else _visit_mark(opened.slot)
    return bytes(SecretBox(key).encrypt(held))


def _visit_mark(slot: int) -> bytes:
    return PRESSURE_MARK[:-1] + bytes([slot])


def open_visit(key: bytes, locked: bytes) -> Opened | None:
    held = _open(key, locked)
    if held is None:
        return None
    for slot in range(PRESSURE_SLOTS):
        if held == _visit_mark(slot):
            return Opened(None, slot)
    return Opened(PrivateKey(held))


# -- trying too often ----------------------------------------------------------------

MAX_TRIES = 5  # failed tries for one reference, from any client...
SHUT_FOR = timedelta(hours=1)  # ...shut its way back for this long

# -- what happens on a way back ------------------------------------------------------

# Each entry is one row, sealed to her key (what she may see) and to the staff
# key (the team's record). The kind is kept in clear: the queue shows it.
RECEIVED = "received"  # the request arrived (with the contact rules she gave)
ATTEMPT = "attempt"  # a contact attempt: when, how, what happened
TEAM_MESSAGE = "team_message"
RESIDENT_MESSAGE = "message"  # she wrote
CONTACT_CHANGED = "contact_changed"  # she changed how and when to contact her
ADDED = "added"  # something she forgot
STOP = "stop"  # she asked us to stop contacting her
RESUMED = "resumed"  # she said we may contact her again
PRESSURE = "pressure"  # opened with the second passphrase
PRESSURE_SET = "pressure_set"  # she set a second passphrase
CLOSED = "closed"  # the referral was closed, and why
REOPENED = "reopened"
WAY_BACK_CLOSED = "way_back_closed"  # she closed her way back
ENTRY_KINDS = (
    RECEIVED,
    ATTEMPT,
    TEAM_MESSAGE,
    RESIDENT_MESSAGE,
    CONTACT_CHANGED,
    ADDED,
    STOP,
    RESUMED,
    PRESSURE,
    PRESSURE_SET,
    CLOSED,
    REOPENED,
    WAY_BACK_CLOSED,
)
# What she does that the team must act on: each puts the referral back at the
# top of the queue, due under the promise, until an officer has dealt with it.
NEEDS_ACTION = frozenset({RESIDENT_MESSAGE, CONTACT_CHANGED, ADDED, STOP, RESUMED, PRESSURE})
# What loosens what the team may do: acted on only when sealed from her key
# (``seal_from``); anything else that claims to be one is shown, and flagged.
ONLY_FROM_HER = frozenset({CONTACT_CHANGED, RESUMED})
# Kept from her view: someone standing over her must not see either.
STAFF_ONLY = frozenset({PRESSURE, PRESSURE_SET})

MAX_MESSAGE = 4000  # characters she or the team may write in one message
