"""Staff credentials: argon2 password hashes, TOTP second factor, recovery codes.

What the database keeps gives nothing away on its own: passwords are argon2
hashes, one-time-code seeds are sealed with a key derived from the staff
secret (which the database never holds), and recovery codes are 120-bit
random strings kept as a salted HMAC under another key derived from it.
Passwords that are short, common or easy to guess are refused, judged by
zxcvbn's lists of the most common and breached passwords, words and names.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
ISSUER = "Quiet Door"

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the email is unknown, so that the answer takes as
    long and says the same whether or not an account exists. Made on first
    use, not at import: a worker that never signs anyone in never pays it."""
    return _hasher.hash(secrets.token_hex(16))


MIN_STRENGTH = 3  # zxcvbn's score: "safely unguessable" behind a slow hash


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a password will not do, in a sentence; None when it will."""
    if len(password) < MIN_PASSWORD:
        return f"A password needs at least {MIN_PASSWORD} characters"
    if len(password) > 200:
        return "A password can have at most 200 characters"
    from zxcvbn import zxcvbn  # a few MB of word lists: only where passwords are set

    verdict = zxcvbn(password[:100], user_inputs=list(user_inputs))
    common = any(
        match.get("dictionary_name") == "passwords"
        and match.get("token", "").lower() == password.lower()
        for match in verdict["sequence"]
    )
    if common or verdict["score"] < MIN_STRENGTH:
        reason = verdict["feedback"]["warning"] or "It is too easy to guess."
        return (
            f"That password is too easy to guess: {reason} Use three or four random "
            "words, or a password manager."
        )
    return None


def hash_password(password: str, user_inputs: tuple[str, ...] = ()) -> str:
    """The argon2 hash; ValueError (saying why) for a password that will not do."""
    problem = password_problem(password, user_inputs)
    if problem:
        raise ValueError(problem)
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def check_totp(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to, or None. A step used before is refused."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(at.timestamp()) // totp.interval
    for step in (now_step - 1, now_step, now_step + 1):  # a little clock drift
        if hmac.compare_digest(totp.generate_otp(step), code):
            if last_step is not None and step <= last_step:
                return None  # replayed
            return step
    return None


# -- keys derived from the staff secret ------------------------------------

SEED_KEY, RECOVERY_KEY, AUDIT_KEY = "totp-seed", "recovery-code", "audit-chain"


def derive_key(master: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose: no key is ever used for two things."""
    return hmac.new(master, b"quietdoor/" + purpose.encode(), hashlib.sha256).digest()


SEALED_SEED = "v1:"


def seal_seed(key: bytes, seed: str) -> str:
    """A TOTP seed as the database keeps it: sealed with ``key``."""
    return SEALED_SEED + base64.urlsafe_b64encode(SecretBox(key).encrypt(seed.encode())).decode()


def open_seed(key: bytes, stored: str) -> str | None:
    """The seed; a seed kept in clear before sealing came in is returned as it
    is (``flask staff seal-seeds`` seals them); None when ``key`` cannot open it."""
    if not stored.startswith(SEALED_SEED):
        return stored
    try:
        return SecretBox(key).decrypt(base64.urlsafe_b64decode(stored[len(SEALED_SEED) :])).decode()
    except (CryptoError, ValueError):
        return None


def is_sealed_seed(stored: str) -> bool:
    return stored.startswith(SEALED_SEED)


RECOVERY_BYTES = 15  # 120 bits: six groups of four letters and digits


def new_recovery_codes(count: int = 8) -> list[str]:
    codes = []
    for _ in range(count):
        text = base64.b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode().lower()
        codes.append("-".join(text[i : i + 4] for i in range(0, len(text), 4)))
    return codes


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


RECOVERY_HASH = "hmac1"


def hash_recovery_code(key: bytes, code: str, salt: bytes | None = None) -> str:
    """``hmac1$SALT$MAC``: a per-code salt and an HMAC under a key the
    database does not hold."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    mac = hmac.new(key, salt + normalise_recovery_code(code).encode(), hashlib.sha256)
    return f"{RECOVERY_HASH}${salt.hex()}${mac.hexdigest()}"


def recovery_code_matches(key: bytes, code: str, stored: str) -> bool:
    """Only codes issued since recovery codes were salted count: the 48-bit
    unsalted ones kept before cannot be trusted after a dump, and must be
    issued again (``flask staff recovery-codes EMAIL``)."""
    kind, _, rest = stored.partition("$")
    salt_hex, _, _mac = rest.partition("$")
    if kind != RECOVERY_HASH or not salt_hex:
        return False
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return hmac.compare_digest(hash_recovery_code(key, code, salt), stored)
