"""Sealed answers: public-key encryption with libsodium sealed boxes (PyNaCl).

The public web server holds only the public key: it can seal a referral but
never open one, so a compromise of the internet-facing machine exposes no
past referral. The staff side holds the private key.

Drafts (answers between question pages) use a different, symmetric key that
lives only in the visitor's session cookie: the database alone cannot read a
draft, and the cookie alone holds no answer.
"""

from __future__ import annotations

import json
import os
from base64 import urlsafe_b64decode, urlsafe_b64encode
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox
from nacl.utils import random

PUBLIC_KEY_FILE = "referral_key.pub"
PRIVATE_KEY_FILE = "referral_key"


class KeyProblem(RuntimeError):
    """A key is missing or wrong; the message says where it was looked for."""


def seal(public_key: PublicKey, data: dict) -> bytes:
    return SealedBox(public_key).encrypt(json.dumps(data, ensure_ascii=False).encode())


def unseal(private_key: PrivateKey, sealed: bytes) -> dict:
    return json.loads(SealedBox(private_key).decrypt(sealed))


def new_draft_key() -> str:
    return urlsafe_b64encode(random(SecretBox.KEY_SIZE)).decode()


def lock_draft(key: str, data: dict) -> bytes:
    return SecretBox(urlsafe_b64decode(key)).encrypt(json.dumps(data, ensure_ascii=False).encode())


def open_draft(key: str, locked: bytes) -> dict | None:
    """The draft's answers, or None when the key does not open it."""
    try:
        return json.loads(SecretBox(urlsafe_b64decode(key)).decrypt(locked))
    except (CryptoError, ValueError, TypeError):
        return None


def encode_key(key: PublicKey | PrivateKey) -> str:
    return urlsafe_b64encode(bytes(key)).decode()


def generate_keypair(folder: str | os.PathLike) -> PublicKey:
    """Write a new key pair into ``folder`` (private key readable by its owner only)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    private = PrivateKey.generate()
    private_path = folder / PRIVATE_KEY_FILE
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(encode_key(private) + "\n")
    # Written whole, then renamed: another process never reads half a key.
    partial = folder / (PUBLIC_KEY_FILE + ".partial")
    partial.write_text(encode_key(private.public_key) + "\n")
    partial.replace(folder / PUBLIC_KEY_FILE)
    return private.public_key


def load_public_key(folder: str | os.PathLike, environ: dict[str, str]) -> PublicKey:
    text = environ.get("QD_PUBLIC_KEY")
    path = Path(folder, PUBLIC_KEY_FILE)
    if not text:
        if not path.exists():
            raise KeyProblem(f"No public key: set QD_PUBLIC_KEY or write it to {path} "
                            "(flask --app webapp keys generate)")
        text = path.read_text()
    try:
        return PublicKey(urlsafe_b64decode(text.strip()))
    except (ValueError, TypeError) as exc:
        raise KeyProblem(f"The public key is not a valid key: {exc}") from None


def load_private_key(folder: str | os.PathLike, environ: dict[str, str]) -> PrivateKey:
    path = Path(environ.get("QD_PRIVATE_KEY_FILE") or Path(folder, PRIVATE_KEY_FILE))
    if not path.exists():
        raise KeyProblem(f"No private key at {path}: referrals can only be opened where it is "
                        "(set QD_PRIVATE_KEY_FILE)")
    try:
        return PrivateKey(urlsafe_b64decode(path.read_text().strip()))
    except (ValueError, TypeError) as exc:
        raise KeyProblem(f"{path} does not hold a valid private key: {exc}") from None
