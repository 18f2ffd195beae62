"""Sealed answers: public-key encryption with libsodium sealed boxes (PyNaCl).

The public web server holds only the public key: it can seal a referral but
never open one, so a compromise of the internet-facing machine exposes no
past referral. The staff side holds the private key.

Rotation: the staff side's key file may hold several private keys, one per
line, the current one first. Everything new is sealed for the current key;
the older keys stay only to open what was sealed before the rotation, and a
key is retired once nothing stored needs it (``flask keys rotate``,
``keys status``, ``keys retire``; docs/deploy.md).

Drafts (answers between question pages) use a different, symmetric key that
lives only in the visitor's session cookie: the database alone cannot read a
draft, and the cookie alone holds no answer.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import stat
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


class NoPublicKey(KeyProblem):
    """No public key was given (neither ``QD_PUBLIC_KEY`` nor the file)."""


class KeyFileTooOpen(KeyProblem):
    """The private key file can be read (or changed) by users it should not be."""


# Who may have the private key file besides its owner: its group may read it
# (a service that reads it through a group it shares, docs/deploy.md), nobody
# may change it but its owner, and other users may do nothing with it.
KEY_FILE_FORBIDDEN_MODE = 0o027


class Keyring:
    """The staff side's private keys: the current one first, then retired
    ones, kept so that what was sealed before a rotation still opens."""

    def __init__(self, keys: list[PrivateKey]):
        if not keys:
            raise KeyProblem("no private key")
        self.keys = list(keys)

    @property
    def current(self) -> PrivateKey:
        return self.keys[0]

    def index_of(self, sealed: bytes) -> int | None:
        """Which key opens ``sealed`` (0 is the current one), or None."""
        for index, key in enumerate(self.keys):
            try:
                SealedBox(key).decrypt(sealed)
            except CryptoError:
                continue
            return index
        return None


def fingerprint(key: PublicKey | PrivateKey) -> str:
    """A short name for a key pair, the same from either half: safe to print
    and to compare between machines (it reveals nothing of the key)."""
    public = key.public_key if isinstance(key, PrivateKey) else key
    return hashlib.sha256(bytes(public)).hexdigest()[:12]


def seal(public_key: PublicKey, data: dict) -> bytes:
    return SealedBox(public_key).encrypt(json.dumps(data, ensure_ascii=False).encode())


def unseal(keys: Keyring | PrivateKey, sealed: bytes) -> dict:
    """Open with whichever key sealed it: the current one is tried first, as
    nearly everything is sealed for it. CryptoError if none of them can."""
    candidates = keys.keys if isinstance(keys, Keyring) else [keys]
    for key in candidates[:-1]:
        try:
            return json.loads(SealedBox(key).decrypt(sealed))
        except CryptoError:
            continue
    return json.loads(SealedBox(candidates[-1]).decrypt(sealed))


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
    """Write a new key pair into ``folder``: both files readable by their
    owner only (0600), and the folder too (0700) when it is made here."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    private = PrivateKey.generate()
    private_path = folder / PRIVATE_KEY_FILE
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(encode_key(private) + "\n")
    write_public_key(folder / PUBLIC_KEY_FILE, private.public_key)
    return private.public_key


def write_public_key(path: Path, key: PublicKey) -> None:
    """Written whole, then renamed: another process never reads half a key."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(encode_key(key) + "\n")
    partial.replace(path)


def load_public_key(folder: str | os.PathLike, environ: dict[str, str]) -> PublicKey:
    text = environ.get("QD_PUBLIC_KEY")
    path = Path(folder, PUBLIC_KEY_FILE)
    if not text:
        if not path.exists():
            raise NoPublicKey(
                f"No public key: set QD_PUBLIC_KEY or write it to {path} "
                "(flask --app webapp keys generate)"
            )
        text = path.read_text()
    try:
        return PublicKey(urlsafe_b64decode(text.strip()))
    except (ValueError, TypeError) as exc:
        raise KeyProblem(f"The public key is not a valid key: {exc}") from None


def private_key_path(folder: str | os.PathLike, environ: dict[str, str]) -> Path:
    return Path(environ.get("QD_PRIVATE_KEY_FILE") or Path(folder, PRIVATE_KEY_FILE))


def load_keyring(folder: str | os.PathLike, environ: dict[str, str]) -> Keyring:
    """The private keys in the key file: one per line, the current one first;
    blank lines and lines starting with # are ignored."""
    path = private_key_path(folder, environ)
    if not path.exists():
        raise KeyProblem(
            f"No private key at {path}: referrals can only be opened where it is "
            "(set QD_PRIVATE_KEY_FILE)"
        )
    check_key_file_mode(path)
    try:
        text = path.read_text()
    except OSError as exc:  # most often: rotated by another user, see write_keyring
        raise KeyProblem(f"{path} cannot be read by this user: {exc.strerror}") from None
    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            keys.append(PrivateKey(urlsafe_b64decode(line)))
        except (ValueError, TypeError) as exc:
            raise KeyProblem(f"{path}:{number} is not a valid private key: {exc}") from None
    if not keys:
        raise KeyProblem(f"{path} holds no private key")
    return Keyring(keys)


def check_key_file_mode(path: Path) -> None:
    """Refuse a private key file that other users may read, or that anyone
    but its owner may change (a symlink is judged by the file it points to)."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & KEY_FILE_FORBIDDEN_MODE:
        raise KeyFileTooOpen(
            f"{path} has mode {mode:04o}: other users could read or change the private key. "
            f"Run: chmod 600 {path} (or chmod 640 when the service reads it through its "
            "group), and consider the key exposed (docs/deploy.md, rotating the key)"
        )


KEY_FILE_HEADER = (
    "# Quiet Door private keys, one per line. The first is the current one;\n"
    "# the others open what was sealed before a rotation. Keep this file secret.\n"
)


@contextlib.contextmanager
def key_file_lock(path: Path):
    """Only one change to the key file at a time (rotate, retire), on this
    machine: each reads the file again once it holds the lock."""
    real = path.resolve()
    fd = os.open(real.with_name(real.name + ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and the lock goes with it


def write_keyring(path: Path, keyring: Keyring) -> None:
    """Replace the key file whole, so that a crash or a reader never meets
    half a file. The new file keeps the old one's owner and group (the
    service's user must still read it after ``sudo flask keys rotate``) and
    its mode, never wider than 0640; a symlinked file (a mounted secret) is
    written where the link points."""
    real = path.resolve()
    before = os.stat(real) if real.exists() else None
    partial = real.with_name(real.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            if before is not None:
                try:
                    os.fchown(handle.fileno(), before.st_uid, before.st_gid)
                except PermissionError:
                    raise KeyProblem(
                        f"{real} belongs to another user: run this as that user (or root), "
                        "or the service could no longer read its keys"
                    ) from None
                os.fchmod(handle.fileno(), stat.S_IMODE(before.st_mode) & 0o640)
            handle.write(KEY_FILE_HEADER + "".join(encode_key(k) + "\n" for k in keyring.keys))
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(real)
    folder = os.open(real.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a crash
    finally:
        os.close(folder)


def rotate(path: Path) -> Keyring:
    """A new current key in front of the ones already in ``path``; the public
    key file beside it is replaced too. The old keys stay, to open old referrals."""
    with key_file_lock(path):
        old = load_keyring(path.parent, {"QD_PRIVATE_KEY_FILE": str(path)})
        keyring = Keyring([PrivateKey.generate(), *old.keys])
        write_keyring(path, keyring)
    write_public_key(path.with_name(PUBLIC_KEY_FILE), keyring.current.public_key)
    return keyring
